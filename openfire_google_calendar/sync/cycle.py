# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One sync of one user's calendar: list, plan, apply, remember.

1. List Google's changes since the saved sync token (all events on the first
   sync, or when Google answers 410): one ``events.list`` request per 2,500.
2. Ask Odoo for what may have changed (everything, after a full listing), for
   the RDVs named by events of ours that have no synced pair, for the synced
   RDVs whose event Google changed (see :mod:`.proposals`), and for the
   regular RDVs of a series at occurrences that matter: those a moved series'
   exceptions leave (the RDV takes the occurrence over in Google) and those
   Google lists as cancelled with no pair (without an RDV there, nothing to
   cancel).
3. Plan (:func:`.plan.plan_sync`); a side that looks empty stops here.
4. Apply (:func:`.executor.apply_plan`).
5. Save the new sync token, unless an item is to be retried: then the same
   changes are listed again next time (what was already done is recognised by
   its etag or hash), so that a retry never depends on Odoo alone remembering
   it - an event of ours whose RDV is gone has nothing left in Odoo.

When nothing changed this is exactly one HTTP request, and the synced pairs
are not even loaded.
"""

from collections import Counter
from dataclasses import dataclass

from .actions import GOOGLE, ODOO, Kind
from .executor import Outcome, apply_plan
from .listing import event_stamps, keys_to_fetch
from .plan import plan_sync
from .proposals import keys_to_read
from .series_moves import occurrences_to_ask

# How the user's summary counts the actions done (either side).
_SUMMARY_KIND = {
    Kind.CREATE_REMOTE: "created",
    Kind.CREATE_LOCAL: "created",
    Kind.UPDATE_REMOTE: "updated",
    Kind.UPDATE_LOCAL: "updated",
    Kind.CANCEL_REMOTE: "cancelled",
    Kind.CANCEL_LOCAL: "cancelled",
    Kind.DELETE_REMOTE: "cancelled",
}


@dataclass(frozen=True)
class SyncReport:
    """What one sync did. ``stopped`` is the guard's reason, if it fired."""

    full: bool
    stopped: str | None
    results: tuple
    token_saved: bool

    @property
    def counts(self):
        """{(kind, outcome): number} over the results."""
        return Counter((r.action.kind.value, r.outcome.value) for r in self.results)

    @property
    def conflicts(self):
        """Results whose action resolved a conflict (the loser is in it)."""
        return [r for r in self.results if r.action.conflict is not None]

    @property
    def pending(self):
        """Results to try again at the next sync."""
        return [r for r in self.results if r.outcome == Outcome.RETRY]

    @property
    def deferred(self):
        """Results left for a later run (over the run's request budget)."""
        return [r for r in self.results if r.outcome == Outcome.DEFERRED]

    @property
    def done(self):
        """Results done in this run."""
        return [r for r in self.results if r.outcome == Outcome.DONE]

    @property
    def problems(self):
        """Results with something to report: failures, skips and mapping problems."""
        return [
            r
            for r in self.results
            if r.outcome in (Outcome.FAILED, Outcome.SKIPPED) or r.action.problems
        ]

    @property
    def errors(self):
        """Results the user sees as errors on their RDV: what failed, is to be
        retried, or was skipped as unusable."""
        return [r for r in self.results if r.outcome not in (Outcome.DONE, Outcome.DEFERRED)]

    def summary(self):
        """What the user is told: {created, updated, cancelled, conflicts, errors}."""
        counts = dict.fromkeys(("created", "updated", "cancelled"), 0)
        for result in self.results:
            kind = _SUMMARY_KIND.get(result.action.kind)
            if result.outcome == Outcome.DONE and kind:
                counts[kind] += 1
        return dict(counts, conflicts=len(self.conflicts), errors=len(self.errors))

    @property
    def changed_odoo(self):
        """True when the sync changed RDVs in Odoo (the planning must reload)."""
        return any(r.action.side == ODOO and r.outcome == Outcome.DONE for r in self.results)


def sync_calendar(client, calendar_id, local, settings, force=False, budget=None):
    """Sync ``calendar_id`` with the Odoo side ``local``; return a SyncReport.

    ``client``: a :class:`.google_client.GoogleClient`; ``local``: a
    :class:`.local_side.LocalSide`; ``settings``: :class:`.actions.SyncSettings`;
    ``force`` overrides the empty-side guard (after the user confirmed).
    ``budget``: the most Google calls this sync may send (the listing
    included); the writes beyond it are deferred, the token is kept, and the
    next sync goes on from there (a big first sync spread over several runs).
    It may be a function, called once with the number of Google writes the
    plan needs (not at all when there are none), returning the calls the
    writes may use: a reservation shared with other workers.
    Raises ``GoogleError`` when listing fails and ``ReconnectNeeded`` when the
    user must consent again; every per-event problem is in the report instead.
    """
    calls_before = getattr(client, "calls", 0)
    if hasattr(client, "rate_limited"):  # what Google's rate limits refused in this sync
        client.rate_limited = None
    changes = client.list_changes(calendar_id, local.load_sync_token())
    if changes.full:
        rdvs = dict(local.all_rdvs())
    else:
        rdvs = dict(local.changed_rdvs())
        if not changes.events and not rdvs:  # nothing changed on either side
            local.save_sync_token(changes.next_sync_token)
            return SyncReport(full=False, stopped=None, results=(), token_saved=True)
    states = local.load_states()
    missing = keys_to_fetch(changes.events, states, rdvs, settings)
    # The synced RDVs Google changed, as Odoo has them: whether one is
    # finished, or the change a proposal, depends on it (proposals.py).
    read = keys_to_read(changes.events, states, rdvs)
    current = {}
    if missing or read:
        found = local.get_rdvs(missing + read)
        rdvs.update({key: found.get(key) for key in missing})
        current = {key: found[key] for key in read if key in found}
        absent = [key for key in missing if found.get(key) is None]
        lost = (
            set(local.never_had(absent, event_stamps(changes.events, absent))) if absent else set()
        )
    else:
        lost = set()
    asked = occurrences_to_ask(changes.events, states, rdvs, settings)
    regular = local.regular_occurrences(asked) if asked else {}
    plan = plan_sync(
        states,
        rdvs,
        changes.events,
        settings,
        local_complete=changes.full,
        remote_complete=changes.full,
        force=force,
        regular=regular,
        current=current,
        lost=lost,
    )
    if plan.stopped:
        return SyncReport(full=changes.full, stopped=plan.stopped, results=(), token_saved=False)
    if callable(budget):  # asked once, for the writes this plan needs
        writes = sum(1 for action in plan.actions if action.side == GOOGLE)
        budget = budget(writes) if writes else None
    elif budget is not None:
        budget = max(0, budget - (getattr(client, "calls", 0) - calls_before))
    results = apply_plan(plan, client, calendar_id, local, settings, states, budget)
    blocked = any(r.outcome in (Outcome.RETRY, Outcome.DEFERRED) for r in results)
    if not blocked:
        local.save_sync_token(changes.next_sync_token)
    return SyncReport(
        full=changes.full, stopped=None, results=tuple(results), token_saved=not blocked
    )
