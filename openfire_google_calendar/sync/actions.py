# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The plan's vocabulary: sides, kinds of action, the settings a plan reads,
the actions it returns and Google's side of a pair as it reads it.

A side is Odoo (``local``) or Google (``remote``). For one pair the local view
is an :class:`.rdv.Rdv`, None (the RDV was deleted in Odoo) or
:data:`UNCHANGED` (Odoo did not report it); the remote view is a
:class:`Remote`, :data:`GONE` (a full listing did not contain it) or
:data:`UNCHANGED` (an incremental listing did not contain it).
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum

from .content_hash import (
    CANCELLED_HASH,
    content_hash,
)
from .mapping import event_to_rdv, pushed_hash
from .rdv import Rdv
from .state import PairState

ODOO = "odoo"
GOOGLE = "google"


class Policy(str, Enum):
    """Who wins when both sides changed since the last sync."""

    ODOO = "odoo"  # Odoo wins (the default)
    GOOGLE = "google"  # Google wins
    RECENT = "recent"  # the most recent change wins (Odoo on a tie)


class Kind(str, Enum):
    """What an action does, and on which side."""

    CREATE_REMOTE = "create_remote"
    UPDATE_REMOTE = "update_remote"
    CANCEL_REMOTE = "cancel_remote"
    DELETE_REMOTE = "delete_remote"
    CREATE_LOCAL = "create_local"
    UPDATE_LOCAL = "update_local"
    CANCEL_LOCAL = "cancel_local"
    ADOPT = "adopt"  # an event of ours found again: record the pair
    RECORD = "record"  # same content on both sides: record the new state
    FORGET = "forget"  # the pair is gone on both sides: drop its state
    SKIP = "skip"  # unusable input: nothing done, the problems reported
    # An occurrence a moved series' exception left: cancelled in Google, no state.
    RELEASE_REMOTE = "release_remote"
    # A change made in Google kept for the planner (see :mod:`.proposals`).
    PROPOSE = "propose"
    # An event that became an RDV named after it in Google (private
    # properties only, its content untouched): found again if the pair is lost.
    CLAIM_REMOTE = "claim_remote"


REMOTE_KINDS = (
    Kind.CREATE_REMOTE,
    Kind.UPDATE_REMOTE,
    Kind.CANCEL_REMOTE,
    Kind.DELETE_REMOTE,
    Kind.RELEASE_REMOTE,
    Kind.CLAIM_REMOTE,
)
LOCAL_KINDS = (Kind.CREATE_LOCAL, Kind.UPDATE_LOCAL, Kind.CANCEL_LOCAL, Kind.PROPOSE)


class _Marker(Enum):
    UNCHANGED = "unchanged"
    GONE = "gone"


UNCHANGED = _Marker.UNCHANGED
GONE = _Marker.GONE


@dataclass(frozen=True)
class SyncSettings:
    """The user's and the database's sync settings.

    ``window_start`` (aware): RDVs and events that ended before it and were
    never synced stay on their side (see :func:`outside_window`); None syncs
    everything.

    The guard stops a sync when, among at least ``guard_min_pairs`` live
    synced pairs, a share of at least ``guard_ratio`` looks deleted on one
    side: more likely an emptied calendar or a broken query than a wish.
    """

    database_uuid: str
    policy: Policy = Policy.ODOO
    allow_delete: bool = False
    default_tz: str = "Europe/Paris"
    guard_min_pairs: int = 5
    guard_ratio: float = 1.0
    window_start: datetime | None = None
    # Events not ours created at or before this moment (aware) are left alone:
    # they were in the calendar before it was synced (its owner's, or those
    # OpenFire 10 made in his primary calendar).
    foreign_until: object = None
    # Odoo sets the events' colour (a colour rule): Google's colorId is then
    # synced; otherwise a colour set on the phone is the technician's own.
    sync_colors: bool = False
    # Changes made in Google are proposed to the planner instead of applied
    # (see :mod:`.proposals`).
    proposals: bool = False


@dataclass(frozen=True)
class Conflict:
    """A conflict's outcome: ``loser_rdv`` is the version that was not kept
    (None when the losing side had deleted the RDV); post it in the chatter.
    ``reason``: why Google's change was put back when it was not a conflict
    (:data:`.proposals.FINISHED`, :data:`.proposals.SERIES`), else ""."""

    winner: str
    loser: str
    loser_rdv: object
    policy: Policy
    reason: str = ""


@dataclass(frozen=True)
class Action:
    """One thing to do, and the state to store once it is done.

    ``rdv`` is the content to write on the target side. ``etag`` is the
    If-Match for a Google write, or the event's etag to remember after a local
    one. ``series_event_id`` names the Google master of an exception whose RDV
    master is created by the same plan (the executor resolves its key).
    ``replaces_key`` (CREATE_LOCAL only): a deleted RDV that Google's version
    brings back under a new key; its state is dropped.
    ``series_move``: the key of a series moved in Odoo whose occurrences this
    action moves in Google (an exception to its new occurrence, the release
    of the one it left): their states are stored together once all are
    written, or none while one is to retry (see :mod:`.executor`).
    ``guests``: the attendees (Google's objects) the event is to keep, written with the
    push (after a pull: by a push that follows it) to remove the technicians
    an older version invited; None leaves Google's list alone.
    ``reborn`` (CREATE_LOCAL): the key of the RDV an event of ours was made
    for, which Odoo no longer has (see :func:`.pair.reborn`); ``reborn_stamp``
    that RDV's stamp: with the key, it names the lost RDV whose events in
    several technicians' calendars come back as one RDV.
    ``held`` (PROPOSE, and CREATE_LOCAL of a proposed creation): the RDV as
    the plan read it, what it held when the change was proposed; ``proposed``
    is True for an action that stores a proposal (see :mod:`.proposals`).
    """

    kind: Kind
    key: str | None
    event_id: str | None
    rdv: object = None
    etag: str | None = None
    content_hash: str | None = None
    series_event_id: str | None = None
    conflict: Conflict | None = None
    problems: tuple[str, ...] = ()
    replaces_key: str | None = None
    series_move: str | None = None
    guests: tuple[dict, ...] | None = None
    held: object = None
    proposed: bool = False
    reborn: str | None = None
    reborn_stamp: str | None = None

    @property
    def side(self):
        """The side written to: GOOGLE, ODOO, or None (only the state moves)."""
        if self.kind in REMOTE_KINDS:
            return GOOGLE
        if self.kind in LOCAL_KINDS:
            return ODOO
        return None

    @property
    def keeps_state(self):
        """False for an action whose success stores no state (a release)."""
        return self.kind != Kind.RELEASE_REMOTE

    @property
    def ends_pair(self):
        """True when the pair's state is dropped once the action is done."""
        if self.kind in (Kind.DELETE_REMOTE, Kind.FORGET):
            return True
        return self.kind == Kind.CANCEL_REMOTE and self.rdv is None

    def state_after(self, key=None, etag=None):
        """The :class:`PairState` to store once done (``etag``: Google's answer)."""
        return PairState(
            key=key or self.key,
            event_id=self.event_id,
            etag=etag if etag is not None else self.etag,
            content_hash=self.content_hash,
        )


@dataclass(frozen=True)
class Plan:
    """The actions of one sync, or the reason it was stopped (then no action)."""

    actions: tuple[Action, ...] = ()
    stopped: str | None = None


@dataclass(frozen=True)
class Remote:
    """A Google event as the plan reads it."""

    event_id: str
    event: dict | None
    rdv: object
    etag: str | None
    content_hash: str | None
    problems: tuple[str, ...] = field(default=())
    series_event_id: str | None = None
    pushed_hash: str | None = None

    @property
    def usable(self):
        """False when the event could not be mapped to an RDV."""
        return self.content_hash is not None

    @property
    def cancelled(self):
        """True for a cancelled event and for one missing from a full listing."""
        return self.content_hash == CANCELLED_HASH

    @classmethod
    def gone(cls, event_id):
        """An event a full listing did not contain: deleted long ago."""
        return cls(event_id=event_id, event=None, rdv=None, etag=None, content_hash=CANCELLED_HASH)


def read_remote(event, settings, series_key=None):
    """Map a Google event into a :class:`Remote` (never raises)."""
    rdv, problems = event_to_rdv(event, settings.default_tz)
    event_id = event.get("id") if isinstance(event, dict) else None
    etag = event.get("etag") if isinstance(event, dict) else None
    series_event_id = event.get("recurringEventId") if isinstance(event, dict) else None
    if rdv is not None and series_key is not None:
        rdv = replace(rdv, series_key=series_key)
    if rdv is not None and rdv.color_id is not None and not settings.sync_colors:
        rdv = replace(rdv, color_id=None)
    return Remote(
        event_id=event_id,
        event=event,
        rdv=rdv,
        etag=etag,
        content_hash=content_hash(rdv) if rdv is not None else None,
        problems=tuple(problems),
        series_event_id=series_event_id,
        pushed_hash=pushed_hash(event),
    )


# -- the sync window -------------------------------------------------------
def outside_window(rdv, settings):
    """True when ``rdv`` ended before the sync window, so that a pair not
    synced yet is not created on the other side (the first push of a
    planning's history, an old event on the phone). A pair already synced
    keeps syncing; moving an RDV or an event into the window syncs it.
    Series and their occurrences are always in (a rule may run for years)."""
    start = settings.window_start
    if start is None or not isinstance(rdv, Rdv) or rdv.is_series or rdv.is_exception:
        return False
    end = rdv.end
    if isinstance(end, datetime):
        return end.tzinfo is not None and end < start
    if isinstance(end, date):  # all day: the last day included
        return end < start.date()
    return False
