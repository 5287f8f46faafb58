# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the Odoo layer provides to the sync: the local side, as a Protocol.

The core never imports Odoo; :func:`.cycle.sync_calendar` and
:func:`.executor.apply_plan` call these methods, which the Odoo layer
implements with the ORM (and the tests with an in-memory store).

Durability contract, which makes a crash at any point harmless:

- ``write_rdv`` stores the RDV change *and* ``action.state_after(key)`` (and
  posts ``action.conflict`` in the chatter, if any) in one transaction, and
  makes it durable before returning (commit, or a savepoint in a transaction
  committed per RDV);
- ``post_conflict`` makes a conflict's losing version durable *before* the
  winner is written in Google (a crash may make it posted twice, never lost);
- ``save_state`` stores a pair's state once its Google side was written;
- ``write_rdvs`` and ``save_states`` do the same for a batch (the executor
  sends one batch per Google batch, or per ``LOCAL_BATCH`` changes from
  Google): the batch is durable when they return, in one transaction or
  several; a crash before that loses the whole batch, which the next sync
  lists again;
- ``save_sync_token`` is called last, once everything listed has been applied
  (not at all when an item is to be retried).

After a crash the same listing is read again (the token was not saved), writes
already done are recognised by their etag or content hash, and an insert that
Google already has is adopted thanks to its deterministic id: no duplicate.
"""

from collections.abc import Collection, Mapping, Sequence
from typing import Protocol

from .actions import Action, Conflict
from .rdv import Rdv
from .state import PairState


class LocalSide(Protocol):
    """The Odoo side of one user's calendar sync."""

    def load_sync_token(self) -> str | None:
        """The sync token saved by the last complete sync (None: full sync)."""

    def save_sync_token(self, token: str | None) -> None:
        """Remember the token for the next incremental listing."""

    def load_states(self) -> Mapping[str, PairState]:
        """Every synced pair of this calendar, by RDV key (deleted RDVs whose
        deletion is not synced yet included)."""

    def changed_rdvs(self) -> Mapping[str, Rdv | None]:
        """RDVs that may have changed since their state was saved, by key, and
        synced RDVs deleted since (value None). Reporting too many is harmless:
        the content hash filters them; missing one delays it until reported."""

    def all_rdvs(self) -> Mapping[str, Rdv]:
        """Every RDV of the user (for a full sync); a synced key missing here
        counts as deleted in Odoo."""

    def get_rdvs(self, keys: Sequence[str]) -> Mapping[str, Rdv]:
        """The RDVs among ``keys`` that exist (events of ours met in Google),
        each with its ``stamp`` (when it was created)."""

    def never_had(self, keys: Sequence[str], stamps: Mapping[str, str]) -> Collection[str]:
        """The keys among ``keys`` (RDVs ``get_rdvs`` did not find) that name no
        RDV this database had as their events say: beyond the ids it has given
        so far (the RDVs created after the backup a database was restored
        from), or given to an RDV, whoever's it is, whose stamp is not the one
        its event carries (``stamps``: key -> the event's stamp). Their events
        come back as new RDVs; the others' RDVs were deleted in Odoo, or are
        another calendar's now."""

    def regular_occurrences(self, starts: Mapping[str, Sequence[object]]) -> Mapping[str, Rdv]:
        """The regular RDVs (not exceptions) of each series ``series key ->
        original starts`` (aware datetimes; dates for all-day series) at those
        starts, by their own key, each with ``series_key`` and
        ``original_start``. Called when a moved series' exceptions leave
        occurrences Google still holds exceptions for: such an RDV then syncs
        as its own pair, so it must be reported like an exception from then on
        (``changed_rdvs``, ``all_rdvs``, ``get_rdvs``) while it has a state."""

    def write_rdv(self, action: Action) -> str:
        """Apply a CREATE_LOCAL / UPDATE_LOCAL / CANCEL_LOCAL action and store its
        state atomically; return the RDV key (the new one for a creation).

        CANCEL_LOCAL sets the state ``cancel`` (never deletes; ``action.rdv``
        may be None). For UPDATE_LOCAL, keep the current OpenFire state when
        ``status_of(current) == action.rdv.status``. Raise ValueError for a
        version Odoo will never take (reported as failed, the sync goes on);
        any other exception means "try again at the next sync".

        PROPOSE (see :mod:`.proposals`) leaves the appointment alone: keep
        Google's version ``action.rdv`` (None: a deletion) for the planner,
        with the RDV as the plan read it (``action.held``), replacing a
        pending proposal; take the technician's notes from ``action.rdv``;
        store the state with ``action.etag`` and the content hash of the RDV
        as it now is. A CREATE_LOCAL, and an UPDATE_LOCAL of a version without
        the generated block (an event made on the phone), store the content
        hash of the RDV as they left it (what Odoo adds to Google's version, its
        generated block, is no change of Odoo's), except for an RDV come back
        (``action.reborn``), compared with its event at the next sync; with
        ``action.proposed`` a CREATE_LOCAL makes a draft whose confirmation is
        proposed."""

    def write_rdvs(self, actions: Sequence[Action]) -> list:
        """:meth:`write_rdv` for each action, durable together: one entry per
        action, the key it returned or the exception it raised (ValueError:
        never taken; another Exception: retried at the next sync). One
        action's failure must not fail the others."""

    def save_state(self, key: str, state: PairState | None) -> None:
        """Store (or, when None, drop) the state of the pair of RDV ``key``."""

    def save_states(self, states: Sequence[tuple[str, PairState | None]]) -> list:
        """:meth:`save_state` for each (key, state), durable together: one
        entry per pair, None when stored, else the exception it raised."""

    def post_conflict(self, key: str, conflict: Conflict) -> None:
        """Post the losing version of a conflict Odoo won (``conflict.loser_rdv``,
        Google's version) in the chatter of RDV ``key``; if that RDV was deleted
        (its deletion won), log it where the user will see it."""
