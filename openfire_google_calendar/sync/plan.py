# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The plan: from (last synced state, Odoo side, Google side) to a list of actions.

Pure functions, no I/O, in the manner of vdirsyncer's sync: every rule below is
a few lines and is tested without a network. :func:`decide_pair` is the whole
decision for one RDV/event pair; :func:`plan_sync` matches RDVs with events,
applies the empty-side guard and calls :func:`decide_pair` for each pair.

Vocabulary. A *side* is Odoo (``local``) or Google (``remote``). For one pair:

- the local view is an :class:`.rdv.Rdv`, None (the RDV was deleted in Odoo),
  or :data:`UNCHANGED` (Odoo did not report it: it did not change);
- the remote view is a Google event, :data:`GONE` (a full listing did not
  contain it) or :data:`UNCHANGED` (an incremental listing did not contain it).

A side *changed* when its content hash differs from the synced one (for
Google, the etag must differ too). Then:

=================  ==================  ===========================================
Odoo               Google              action
=================  ==================  ===========================================
unchanged          unchanged           nothing (record a new etag if any)
changed            unchanged           push: update, cancel or delete the event
unchanged          changed             pull: update or cancel the RDV (never delete)
changed            changed, same hash  record the state
changed            changed             conflict: the policy picks the winner, whose
                                       version is applied to the other side; the
                                       loser's version travels in ``conflict``
=================  ==================  ===========================================

Without a synced state: a new RDV is created in Google (unless it is already
cancelled); a new foreign event is created in Odoo; an event of ours whose pair
was lost (crash before the state was stored) is adopted when both sides agree,
and otherwise resolved like a conflict.

A series moved in Odoo moves the original start of each of its exceptions with
it, while Google keeps an exception at the original start it was made at (its
id says which). Such a pair goes to the occurrence it belongs to now (its new
id), and the occurrence it leaves is released: cancelled when the moved series
has no occurrence there any more, else handed to the regular RDV Odoo has at
that start, which then syncs as its own pair (see :func:`freed_occurrences`).
"""

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import Enum

from .content_hash import (
    CANCELLED_HASH,
    INVITING_VERSIONS,
    attendee_key,
    content_hash,
    is_current,
    upgraded_hash,
    version_of,
)
from .event_content import generated_part
from .event_ids import event_id_for, instance_id, original_start_of
from .mapping import event_to_rdv, owner_of, parse_timestamp
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


REMOTE_KINDS = (
    Kind.CREATE_REMOTE,
    Kind.UPDATE_REMOTE,
    Kind.CANCEL_REMOTE,
    Kind.DELETE_REMOTE,
    Kind.RELEASE_REMOTE,
)
LOCAL_KINDS = (Kind.CREATE_LOCAL, Kind.UPDATE_LOCAL, Kind.CANCEL_LOCAL)


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


@dataclass(frozen=True)
class Conflict:
    """A conflict's outcome: ``loser_rdv`` is the version that was not kept
    (None when the losing side had deleted the RDV); post it in the chatter."""

    winner: str
    loser: str
    loser_rdv: object
    policy: Policy


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
    ``guests``: the attendee list Google's event is to keep, written with the
    push (after a pull: by a push that follows it) to remove the technicians
    an older version invited; None leaves Google's list alone.
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
    guests: tuple[str, ...] | None = None

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


# -- one pair ---------------------------------------------------------------
def _winner(policy, local, remote):
    """ODOO or GOOGLE, for a conflict between ``local`` and ``remote``."""
    if policy == Policy.GOOGLE:
        return GOOGLE
    if policy == Policy.RECENT:
        local_time = getattr(local, "write_date", None)
        remote_time = getattr(remote.rdv, "write_date", None)
        if local_time is not None and remote_time is not None and remote_time > local_time:
            return GOOGLE
    return ODOO


def _push(settings, key, event_id, local, etag, conflict=None, problems=()):
    """Make Google match Odoo's ``local`` (None: deleted in Odoo)."""
    if local is None:
        kind = Kind.DELETE_REMOTE if settings.allow_delete else Kind.CANCEL_REMOTE
        return Action(
            kind,
            key,
            event_id,
            etag=etag,
            content_hash=CANCELLED_HASH,
            conflict=conflict,
            problems=problems,
        )
    kind = Kind.CANCEL_REMOTE if local.cancelled else Kind.UPDATE_REMOTE
    return Action(
        kind,
        key,
        event_id,
        rdv=local,
        etag=etag,
        content_hash=content_hash(local),
        conflict=conflict,
        problems=problems,
    )


def _pull(key, remote, conflict=None):
    """Make Odoo match Google's ``remote`` (cancelled: cancel, never delete)."""
    kind = Kind.CANCEL_LOCAL if remote.cancelled else Kind.UPDATE_LOCAL
    rdv = replace(remote.rdv, key=key) if remote.rdv is not None else None
    return Action(
        kind,
        key,
        remote.event_id,
        rdv=rdv,
        etag=remote.etag,
        content_hash=remote.content_hash,
        conflict=conflict,
        problems=remote.problems,
    )


def uninvited_guests(stored, local, remote):
    """The attendees Google's event keeps once the technicians that the rules
    of ``stored``'s version invited are removed, or None when there is no
    invitation to remove. An event read in this sync keeps the guests that
    are not the RDV's technicians (a technician's own); an event not read is
    as the last push left it, whose attendees were the technicians."""
    if version_of(stored) not in INVITING_VERSIONS:
        return None
    if not isinstance(local, Rdv) or local.cancelled or not local.attendees:
        return None
    technicians = set(attendee_key(local.attendees))
    if isinstance(remote, Remote) and remote.rdv is not None:
        theirs = attendee_key(remote.rdv.attendees)
        if not technicians.intersection(theirs):
            return None
        return tuple(email for email in theirs if email not in technicians)
    if isinstance(remote, Remote):  # deleted in Google: nothing to remove
        return None
    return ()


def _without_invitations(key, state, local, action, guests):
    """``action`` made to remove the invitations of an older version: a push
    carries them, a pull is followed by a push that does (see
    :func:`restore_generated`), and a pair with nothing else to do is pushed."""
    if action is None or action.kind == Kind.RECORD:
        etag = action.etag if action is not None else state.etag
        return Action(
            Kind.UPDATE_REMOTE,
            key,
            state.event_id,
            rdv=local,
            etag=etag,
            content_hash=content_hash(local),
            guests=guests,
        )
    if action.kind in (Kind.UPDATE_REMOTE, Kind.UPDATE_LOCAL):
        return replace(action, guests=guests)
    return action


def restore_generated(settings, pulled, current):
    """The push that puts Odoo's generated block back after ``pulled`` (an
    UPDATE_LOCAL that was applied) brought an event whose block the phone
    edited, or None. The block is Odoo's (see :mod:`.event_content`): the
    technician's own edits came into Odoo, and his phone must show the block
    Odoo generates again, in this sync, not at Odoo's next change of the RDV.
    ``current`` is the RDV as Odoo now has it; the etag is the one pulled, so
    an edit made on the phone meanwhile is a 412, decided again."""
    if pulled.rdv is None or current is None or current.cancelled:
        return None
    theirs = generated_part(pulled.rdv.description)
    if pulled.guests is not None:  # the invitations of an older version go
        push = _push(settings, pulled.key, pulled.event_id, current, pulled.etag)
        return replace(push, guests=pulled.guests)
    if theirs is None or theirs == generated_part(current.description):
        return None
    return _push(settings, pulled.key, pulled.event_id, current, pulled.etag)


def _create_local(remote, conflict=None, replaces_key=None):
    return Action(
        Kind.CREATE_LOCAL,
        None,
        remote.event_id,
        rdv=remote.rdv,
        etag=remote.etag,
        content_hash=remote.content_hash,
        series_event_id=remote.series_event_id,
        conflict=conflict,
        problems=remote.problems,
        replaces_key=replaces_key,
    )


def _resolve(settings, key, local, remote, etag, paired=True):
    """Both sides changed differently (or there is no synced version)."""
    winner = _winner(settings.policy, local, remote)
    if winner == ODOO:
        conflict = Conflict(ODOO, GOOGLE, remote.rdv, settings.policy)
        return _push(settings, key, remote.event_id, local, etag, conflict, remote.problems)
    conflict = Conflict(GOOGLE, ODOO, local, settings.policy)
    if local is None:
        return _create_local(remote, conflict, replaces_key=key if paired else None)
    return _pull(key, remote, conflict)


def _decide_unpaired(settings, key, local, remote, event_id):
    """No synced state: a new RDV, a new event, or a pair to adopt."""
    if remote is UNCHANGED:
        if local is None or local is UNCHANGED or (local.cancelled and not local.is_exception):
            return None
        if outside_window(local, settings):
            return None
        return Action(
            Kind.CREATE_REMOTE, key, event_id, rdv=local, content_hash=content_hash(local)
        )
    if key is None:  # an event created in Google
        if remote.cancelled and remote.rdv is not None and not remote.rdv.is_exception:
            return None
        if outside_window(remote.rdv, settings):
            return None
        return _create_local(remote)
    if local is UNCHANGED:
        return Action(
            Kind.SKIP,
            key,
            remote.event_id,
            problems=("the Odoo side did not provide RDV %s" % key,),
        )
    if local is None and remote.cancelled:
        return None
    if local is not None and content_hash(local) == remote.content_hash:
        return Action(
            Kind.ADOPT,
            key,
            remote.event_id,
            etag=remote.etag,
            content_hash=remote.content_hash,
            problems=remote.problems,
        )
    return _resolve(settings, key, local, remote, remote.etag, paired=False)


def decide_pair(settings, key, state, local, remote, event_id=None):
    """The action for one pair, or None when there is nothing to do.

    ``state``: the :class:`PairState` or None; ``local``: Rdv, None or
    UNCHANGED; ``remote``: a :class:`Remote`, GONE or UNCHANGED (GONE needs a
    state); ``event_id``: the id to create the event with when it is new.
    An RDV the core cannot read (say, a naive datetime) is skipped and reported.
    """
    if isinstance(local, Rdv):
        try:
            content_hash(local)
        except (ValueError, TypeError, AttributeError) as exc:
            return Action(
                Kind.SKIP,
                key,
                state.event_id if state else None,
                problems=("RDV %s cannot be synced: %s" % (key, exc),),
            )
    if remote is GONE:
        remote = Remote.gone(state.event_id)
    if remote is not UNCHANGED and not remote.usable:
        return Action(Kind.SKIP, key, remote.event_id, problems=remote.problems)
    if state is None:
        return _decide_unpaired(settings, key, local, remote, event_id)
    if is_current(state.content_hash):
        return _decide_synced(settings, key, state, local, remote)
    # stored by an older version of the rules
    guests = uninvited_guests(state.content_hash, local, remote)
    state = replace(
        state, content_hash=upgraded_hash(state.content_hash, state.etag, local, remote)
    )
    action = _decide_synced(settings, key, state, local, remote)
    if guests is None:
        return action
    return _without_invitations(key, state, local, action, guests)


def _decide_synced(settings, key, state, local, remote):
    """A synced pair whose stored state follows the current rules."""
    if local is UNCHANGED:
        local_hash = state.content_hash
    else:
        local_hash = content_hash(local) if local is not None else None
    local_changed = local_hash != state.content_hash
    remote_moved = remote is not UNCHANGED and remote.etag != state.etag
    remote_changed = remote_moved and remote.content_hash != state.content_hash
    etag = remote.etag if remote_moved and remote.event is not None else state.etag

    if not local_changed and not remote_changed:
        if remote_moved and remote.event is not None:
            return Action(
                Kind.RECORD,
                key,
                state.event_id,
                etag=remote.etag,
                content_hash=state.content_hash,
                problems=remote.problems,
            )
        return None
    if local_changed and not remote_changed:
        if local is None and state.content_hash == CANCELLED_HASH:
            return Action(Kind.FORGET, key, state.event_id)
        return _push(settings, key, state.event_id, local, etag)
    if remote_changed and not local_changed:
        return _pull(key, remote)
    if local is None and remote.cancelled:
        return Action(Kind.FORGET, key, state.event_id)
    if local_hash == remote.content_hash:
        return Action(
            Kind.RECORD,
            key,
            state.event_id,
            etag=etag,
            content_hash=remote.content_hash,
            problems=remote.problems,
        )
    return _resolve(settings, key, local, remote, etag)


# -- the whole calendar -------------------------------------------------------
def new_event_id(settings, states, rdv):
    """The id under which a new RDV is created in Google."""
    if not rdv.is_exception:
        return event_id_for(settings.database_uuid, rdv.key)
    master = states.get(rdv.series_key)
    master_id = master.event_id if master else event_id_for(settings.database_uuid, rdv.series_key)
    return instance_id(master_id, rdv.original_start)


def _own_key(settings, event, by_event):
    """The RDV key an event of ours names, unless an occurrence inherited it
    from its master. None for foreign events; False for another database's."""
    owner = owner_of(event)
    if owner is None:
        return None
    database, key = owner
    if database != settings.database_uuid:
        return False
    master_id = event.get("recurringEventId")
    if master_id:
        master = by_event.get(master_id)
        if (master and master.key == key) or master_id == event_id_for(settings.database_uuid, key):
            return None
    return key


def keys_to_fetch(remote_events, states, local, settings):
    """RDV keys named by events of ours that the caller must look up in Odoo
    (and pass in ``local``, None when the RDV does not exist) before planning."""
    by_event = {state.event_id: state for state in states.values()}
    wanted = set()
    for event in remote_events:
        if (
            not isinstance(event, dict)
            or not isinstance(event.get("id"), str)
            or not isinstance(event.get("recurringEventId") or "", str)
            or event["id"] in by_event
        ):
            continue
        key = _own_key(settings, event, by_event)
        if key and key not in states and key not in local:
            wanted.add(key)
    return sorted(wanted)


class Stop(str):
    """Why a sync stopped: its text for logs and tests, and the figures a
    user needs to decide whether to sync anyway (``side`` that looks empty:
    ODOO or GOOGLE, ``deleted`` of ``total`` synced pairs)."""

    side: str
    deleted: int
    total: int

    def __new__(cls, side, deleted, total):
        what = (
            "Odoo looks empty (%d of %d synced RDVs deleted)"
            if side == ODOO
            else "Google looks empty (%d of %d synced events deleted)"
        )
        stop = super().__new__(cls, "stopped: " + what % (deleted, total))
        stop.side, stop.deleted, stop.total = side, deleted, total
        return stop


def _guard(states, local_views, remote_views, settings):
    """A reason to stop when one side suddenly looks empty, else None."""
    live = [state.key for state in states.values() if state.content_hash != CANCELLED_HASH]
    if len(live) < max(settings.guard_min_pairs, 1):
        return None
    threshold = settings.guard_ratio * len(live)
    gone_local = sum(1 for key in live if key in local_views and local_views[key] is None)
    gone_remote = sum(
        1
        for key in live
        if remote_views.get(key, UNCHANGED) is GONE
        or (isinstance(remote_views.get(key), Remote) and remote_views[key].cancelled)
    )
    if gone_local >= threshold:
        return Stop(ODOO, gone_local, len(live))
    if gone_remote >= threshold:
        return Stop(GOOGLE, gone_remote, len(live))
    return None


def _series_key(settings, event, series_keys):
    """The RDV key of the series an occurrence belongs to, if we know it: from
    the synced pairs and this listing, else from the private properties the
    occurrence inherited from a master we created."""
    master_id = event.get("recurringEventId")
    if not master_id:
        return None
    if master_id in series_keys:
        return series_keys[master_id]
    owner = owner_of(event)
    if (
        owner
        and owner[0] == settings.database_uuid
        and master_id == event_id_for(settings.database_uuid, owner[1])
    ):
        return owner[1]
    return None


def _read_listing(remote_events, states, settings, regular=None):
    """Split a listing into (pair key -> Remote or UNCHANGED, foreign Remotes,
    skip actions). ``regular``: see :func:`plan_sync`."""
    by_event = {state.event_id: state for state in states.values()}
    keyed, skipped = [], []
    for event in remote_events:
        event_id = event.get("id") if isinstance(event, dict) else None
        if not isinstance(event_id, str) or not event_id:
            skipped.append(Action(Kind.SKIP, None, None, problems=("event without an id",)))
            continue
        if not isinstance(event.get("recurringEventId") or "", str):
            skipped.append(
                Action(Kind.SKIP, None, event_id, problems=("unreadable recurringEventId",))
            )
            continue
        state = by_event.get(event_id)
        key = state.key if state else _own_key(settings, event, by_event)
        if key is False:
            skipped.append(
                Action(Kind.SKIP, None, event_id, problems=("event of another database",))
            )
        elif regular is not None and _nothing_to_cancel(event, state, by_event, regular):
            continue
        else:
            keyed.append((event, state, key))
    series_keys = {event_id: state.key for event_id, state in by_event.items()}
    series_keys.update((event["id"], key) for event, _, key in keyed if key)
    paired, foreign = {}, []
    for event, state, key in keyed:
        if state is not None and event.get("etag") == state.etag and key not in paired:
            paired[key] = UNCHANGED  # the version we synced (our own echo): not read
            continue
        remote = read_remote(event, settings, _series_key(settings, event, series_keys))
        if key and (state is not None or key not in states) and key not in paired:
            paired[key] = remote
        else:
            foreign.append(remote)
    return paired, foreign, skipped


def _cancelled_occurrence(event, by_event):
    """(series key, original start) of a cancelled occurrence of a synced
    series that no pair holds (Google's tombstone names its start), else None."""
    if not isinstance(event, dict) or event.get("status") != "cancelled":
        return None
    event_id, master = event.get("id"), by_event.get(event.get("recurringEventId"))
    if master is None or event_id in by_event:
        return None
    start = original_start_of(event_id)
    return (master.key, start) if start is not None else None


def _nothing_to_cancel(event, state, by_event, regular):
    """True for a cancelled occurrence Odoo has no RDV for: the one a moved
    series' exception left (see :func:`_moves_and_releases`), or one Odoo's
    series never had; creating a cancelled RDV for it would mean nothing."""
    found = None if state is not None else _cancelled_occurrence(event, by_event)
    if found is None:
        return False
    return not any((rdv.series_key, rdv.original_start) == found for rdv in regular.values())


def _left_alone(settings, event):
    """True for an event that was in the calendar before it was synced."""
    if settings.foreign_until is None or not isinstance(event, dict):
        return False
    created = parse_timestamp(event.get("created"))
    return created is not None and created <= settings.foreign_until


def _plan_foreign(settings, foreign, paired):
    """Actions for events created in Google (an occurrence needs its series)."""
    new_series = {
        remote.event_id
        for remote in foreign
        if remote.usable and not remote.cancelled and not remote.series_event_id
    }
    dead_series = {
        remote.event_id
        for remote in paired.values()
        if remote is not UNCHANGED and remote.cancelled
    }
    actions = []
    for remote in foreign:
        if _left_alone(settings, remote.event):
            continue
        if remote.series_event_id and remote.usable:
            known = remote.rdv.series_key is not None
            if remote.series_event_id in dead_series or (
                not known and remote.series_event_id not in new_series
            ):
                if not remote.cancelled:
                    problem = "occurrence of an unknown or cancelled series %s" % (
                        remote.series_event_id,
                    )
                    actions.append(Action(Kind.SKIP, None, remote.event_id, problems=(problem,)))
                continue
        action = decide_pair(settings, None, None, UNCHANGED, remote)
        if action is not None:
            actions.append(action)
    return actions


# -- a series moved in Odoo ------------------------------------------------------------
def occurrence_moves(states, local, settings):
    """Exception pairs whose occurrence moved in Odoo (their series was moved):
    key -> (the event id of the pair, the id of the occurrence it belongs to now).

    Google keeps an exception at the original start it was made at, and names
    it after that start; Odoo moves the original starts with the series, so a
    pair whose id no longer names its RDV's original start has moved."""
    moves = {}
    for key, rdv in local.items():
        state = states.get(key)
        if state is None or not isinstance(rdv, Rdv) or not rdv.is_exception:
            continue
        if rdv.series_key not in states or original_start_of(state.event_id) is None:
            continue  # a series not in Google yet, an id not named after a start
        try:
            moved_to = new_event_id(settings, states, rdv)
        except (ValueError, TypeError, AttributeError):
            continue  # an unreadable RDV: decide_pair reports it
        if moved_to != state.event_id:
            moves[key] = (state.event_id, moved_to)
    return moves


def _held_after_moves(states, moves):
    """The event ids the synced pairs hold once the moves are done."""
    return {moves[key][1] if key in moves else state.event_id for key, state in states.items()}


def occurrences_to_ask(remote_events, states, local, settings):
    """Where Odoo must say which regular RDVs (not exceptions) it has, by
    series key -> original starts: the occurrences moved exceptions leave
    (:func:`freed_occurrences`), and those Google lists as cancelled that no
    pair holds (cancelled on the phone, or released by a move). The caller
    asks Odoo (``LocalSide.regular_occurrences``) and passes the answer to
    :func:`plan_sync` as ``regular``."""
    asked = freed_occurrences(states, local, settings)
    by_event = {state.event_id: state for state in states.values()}
    for event in remote_events:
        found = _cancelled_occurrence(event, by_event)
        if found is not None and found[1] not in asked.get(found[0], ()):
            asked.setdefault(found[0], []).append(found[1])
    return asked


def freed_occurrences(states, local, settings):
    """The occurrences moved exceptions leave and no other pair takes, by
    series key: their original starts (aware UTC datetimes, dates for all-day
    series). Google still holds an exception there; where the moved series
    has a regular RDV at such a start, that RDV must take the occurrence over.
    Odoo is asked for them (see :func:`occurrences_to_ask`)."""
    moves = occurrence_moves(states, local, settings)
    held = _held_after_moves(states, moves)
    freed = {}
    for key, (left, _moved_to) in sorted(moves.items()):
        if left not in held:
            freed.setdefault(local[key].series_key, []).append(original_start_of(left))
    return freed


def _moved_pair(settings, key, local, action, moved_to):
    """The action of a pair whose occurrence moved: Odoo's version goes to the
    occurrence it belongs to now, without If-Match (Google's exception there,
    if any, is a left one). A pull or a skip stays: the move follows at the
    next sync, Odoo's version then being the changed one."""
    if action is not None and (action.kind == Kind.SKIP or action.side == ODOO):
        return action
    conflict = action.conflict if action is not None else None
    problems = action.problems if action is not None else ()
    pushed = _push(settings, key, moved_to, local, None, conflict, problems)
    return replace(pushed, series_move=local.series_key)


def _moves_and_releases(states, local, moves, actions):
    """``actions`` with the moved pairs sent to their new occurrences, the
    regular RDVs taking over a freed occurrence marked as part of the move,
    and a release for each occurrence left that still shows an exception."""
    moved = {action.key for action in actions if action.series_move}
    held = _held_after_moves(states, {key: moves[key] for key in moved})
    left = {moves[key][0]: key for key in moved}
    not_left = {moves[key][0] for key in moves if key not in moved}  # a pull goes first
    out = []
    for action in actions:
        taking_over = (
            action.kind == Kind.CREATE_REMOTE
            and action.rdv is not None
            and action.rdv.is_exception
            and action.key not in states
        )
        if taking_over and action.event_id in not_left:
            continue  # its occurrence is left at the next sync, taken over then
        if taking_over and action.event_id in left:
            action = replace(action, series_move=action.rdv.series_key)
        if action.side == GOOGLE and not action.ends_pair:
            held.add(action.event_id)
        out.append(action)
    for event_id, key in sorted(left.items()):
        state = states[key]
        if event_id in held or state.content_hash == CANCELLED_HASH:
            continue  # taken over, or a cancelled occurrence: it shows nothing
        out.append(
            Action(
                Kind.RELEASE_REMOTE,
                key,
                event_id,
                rdv=local[key],
                etag=state.etag,
                series_move=local[key].series_key,
            )
        )
    return out


def plan_sync(
    states,
    local,
    remote_events,
    settings,
    local_complete=False,
    remote_complete=False,
    force=False,
    regular=None,
):
    """Plan one sync.

    ``states``: key -> :class:`PairState` of every synced pair of the calendar.
    ``local``: key -> Rdv (or None if deleted in Odoo) for every RDV that may
    have changed, plus the keys from :func:`keys_to_fetch`; with
    ``local_complete`` it holds every RDV and a missing synced key means deleted.
    ``remote_events``: the events listed by Google; with ``remote_complete``
    (a full listing) a synced event missing from it is gone.
    ``force`` disables the empty-side guard.
    ``regular``: Odoo's regular RDVs at the occurrences :func:`occurrences_to_ask`
    named, by key: those at an occurrence a moved exception leaves take it
    over; a cancelled occurrence from Google with none there is nothing to do.
    None: not asked (every cancelled occurrence is then passed on).
    """
    paired, foreign, actions = _read_listing(remote_events, states, settings, regular)
    if regular:
        freed = freed_occurrences(states, local, settings)
        local = dict(local)
        for key, rdv in regular.items():
            if rdv.original_start in freed.get(rdv.series_key, ()) and key not in states:
                local.setdefault(key, rdv)
    keys = set(paired) | set(local)
    if local_complete or remote_complete:
        keys |= set(states)
    local_views, remote_views = {}, {}
    for key in keys:
        if key in local:
            local_views[key] = local[key]
        elif local_complete and key in states:
            local_views[key] = None
        else:
            local_views[key] = UNCHANGED
        if key in paired:
            remote_views[key] = paired[key]
        elif remote_complete and key in states:
            remote_views[key] = GONE
        else:
            remote_views[key] = UNCHANGED
    stopped = None if force else _guard(states, local_views, remote_views, settings)
    if stopped:
        return Plan(stopped=stopped)
    actions.extend(_plan_foreign(settings, foreign, paired))
    moves = occurrence_moves(states, local, settings)
    for key in sorted(keys):
        state, local_view = states.get(key), local_views[key]
        event_id = None
        if state is None and local_view not in (None, UNCHANGED):
            event_id = new_event_id(settings, states, local_view)
        action = decide_pair(settings, key, state, local_view, remote_views[key], event_id)
        if key in moves:
            action = _moved_pair(settings, key, local_view, action, moves[key][1])
        if action is not None:
            actions.append(action)
    if moves:
        actions = _moves_and_releases(states, local, moves, actions)
    return Plan(actions=tuple(actions))
