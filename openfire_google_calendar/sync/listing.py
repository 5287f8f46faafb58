# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading a calendar's listing against the synced pairs: which pair each
event belongs to (ours, an occurrence of a series of ours, another
database's, a foreign one), what to fetch, the empty-side guard, and which
foreign events become RDVs.
"""

from .actions import GONE, GOOGLE, ODOO, UNCHANGED, Action, Kind, Remote, read_remote
from .content_hash import (
    CANCELLED_HASH,
)
from .event_ids import event_id_for, instance_id, original_start_of
from .mapping import made_for_another, owner_of, parse_timestamp, stamp_of
from .pair import decide_pair, reborn
from .proposals import first_change
from .rdv import Rdv


def new_event_id(settings, states, rdv, local=None):
    """The id under which a new RDV is created in Google (an exception: its
    occurrence of the master's event, named after the master's stamp when
    ``local`` holds the master)."""
    if not rdv.is_exception:
        return event_id_for(settings.database_uuid, rdv.key, rdv.stamp)
    master = states.get(rdv.series_key)
    if master:
        master_id = master.event_id
    else:
        series = (local or {}).get(rdv.series_key)
        stamp = series.stamp if isinstance(series, Rdv) else None
        master_id = event_id_for(settings.database_uuid, rdv.series_key, stamp)
    return instance_id(master_id, rdv.original_start)


def _named_after(settings, master_id, event, key):
    """True when ``master_id`` is the id we would give the master ``key``
    whose private properties ``event`` inherited (stamped or not)."""
    db = settings.database_uuid
    return master_id in (event_id_for(db, key, stamp_of(event)), event_id_for(db, key))


def made_for_others(paired, states, local, lost=()):
    """The events of ``paired`` (key -> Remote) without a synced state made
    for an RDV Odoo does not have under their key: a key it never gave
    (``lost``), or given again to another RDV (see
    :func:`.mapping.made_for_another`): ``(paired without them, [(key,
    Remote)])``."""
    others = {
        key: remote
        for key, remote in paired.items()
        if key not in states
        and isinstance(remote, Remote)
        and (
            (key in lost and local.get(key) is None)
            or (isinstance(local.get(key), Rdv) and made_for_another(local[key], remote.event))
        )
    }
    if not others:
        return paired, []
    return {k: v for k, v in paired.items() if k not in others}, list(others.items())


def own_events_of_pairs(settings, states, local, foreign):
    """``foreign`` without the events of ours written under the id the sync
    gives a synced RDV of ``local`` now, while its pair still names another
    event: an occurrence sent to an event of its own (its series gone), or
    back to its occurrence (a series moved, or brought back), whose state
    was not stored yet (a crash, a lost answer, the other occurrences of a
    move not written). That RDV's push goes there again; made a new RDV, two
    RDVs would share that event. An event made for another RDV that had
    that key (its stamp differs: a restored database) stays foreign."""
    db = settings.database_uuid
    kept = []
    for remote in foreign:
        owner = owner_of(remote.event)
        key = owner[1] if owner and owner[0] == db else None
        rdv = local.get(key) if key in states else None
        if (
            isinstance(rdv, Rdv)
            and states[key].event_id != remote.event_id
            and not made_for_another(rdv, remote.event)
            and remote.event_id in _ids_given(settings, states, local, rdv)
        ):
            continue
        kept.append(remote)
    return kept


def _ids_given(settings, states, local, rdv):
    """The ids the sync gives ``rdv``'s event: its own (stamped or not),
    and where it belongs now (its occurrence, for an exception)."""
    db = settings.database_uuid
    given = {event_id_for(db, rdv.key, rdv.stamp), event_id_for(db, rdv.key)}
    try:
        return given | {new_event_id(settings, states, rdv, local)}
    except (ValueError, TypeError, AttributeError):
        return given  # an unreadable RDV: decide_pair reports it


def claims(settings, remote_events, states, actions):
    """CLAIM_REMOTE for the listed events of synced pairs that do not name
    their RDV (made on the phone, and the claim after their creation never
    done: a crash, a change on the phone meanwhile), unless this plan
    writes the event anyway, or stores another state than a pull's or a
    record's (whose hash the claim stores again). The executor reads the RDV
    (its stamp) first."""
    after = {
        a.key: a.content_hash
        for a in actions
        if a.kind in (Kind.UPDATE_LOCAL, Kind.RECORD, Kind.ADOPT) and not a.proposed
    }
    written = {a.key for a in actions if a.key not in after}
    by_event = {state.event_id: state for state in states.values()}
    found = []
    for event in remote_events:
        if not isinstance(event, dict) or event.get("status") == "cancelled":
            continue
        if event.get("recurringEventId") or event.get("recurrence"):
            continue
        if not isinstance(event.get("id"), str):
            continue
        state = by_event.get(event["id"])
        if state is None or state.key in written or state.content_hash == CANCELLED_HASH:
            continue
        if owner_of(event) != (settings.database_uuid, state.key):
            found.append(
                Action(
                    Kind.CLAIM_REMOTE,
                    state.key,
                    state.event_id,
                    etag=event.get("etag"),
                    content_hash=after.get(state.key, state.content_hash),
                )
            )
    return found


def plan_reborn(settings, others):
    """Actions for events of ours made for an RDV Odoo no longer has under
    their key (see :func:`.pair.reborn`)."""
    actions = []
    for key, remote in others:
        if _left_alone(settings, remote.event):
            continue
        action = reborn(settings, key, remote)
        if action is not None:
            actions.append(action)
    return actions


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
        if (master and master.key == key) or _named_after(settings, master_id, event, key):
            return None
    return key


def event_stamps(remote_events, keys):
    """key -> the RDV stamp the events naming ``keys`` carry (see
    ``LocalSide.never_had``)."""
    wanted, stamps = set(keys), {}
    for event in remote_events:
        owner, stamp = owner_of(event), stamp_of(event)
        if owner and stamp and owner[1] in wanted:
            stamps.setdefault(owner[1], stamp)
    return stamps


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


def guard(states, local_views, remote_views, settings):
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
        and _named_after(settings, master_id, event, owner[1])
    ):
        return owner[1]
    return None


def read_listing(remote_events, states, settings, regular=None):
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


def unpaired_occurrence(event, by_event):
    """(series key, original start) of an occurrence of a synced series that
    no pair holds (Google's instance id names its start), else None: one
    the phone changed or cancelled for the first time, or one a moved
    series' exception left."""
    if not isinstance(event, dict):
        return None
    event_id, master = event.get("id"), by_event.get(event.get("recurringEventId"))
    if master is None or not isinstance(event_id, str) or event_id in by_event:
        return None
    start = original_start_of(event_id)
    return (master.key, start) if start is not None else None


def same_occurrence(settings, states, local, paired, foreign):
    """(paired, foreign) with each instance Google lists that no pair holds
    given to Odoo's exception at the same occurrence, unsynced too: both
    sides changed that occurrence before a sync (the RDV made done in Odoo,
    moved on the phone). They are one pair, without a synced version, which
    the table and the planner's rules decide, rather than two changes that
    each overwrite the other."""
    wanted = {}
    for key, rdv in local.items():
        if (
            key in states
            or key in paired
            or not isinstance(rdv, Rdv)
            or not rdv.is_exception
            or rdv.series_key not in states
        ):
            continue
        try:
            wanted[new_event_id(settings, states, rdv)] = key
        except (ValueError, TypeError, AttributeError):
            continue  # an unreadable RDV: decide_pair reports it
    if not wanted:
        return paired, foreign
    paired, rest = dict(paired), []
    for remote in foreign:
        key = wanted.pop(remote.event_id, None)
        if key is None:
            rest.append(remote)
        else:
            paired[key] = remote
    return paired, rest


def cancelled_occurrence(event, by_event):
    """:func:`unpaired_occurrence` for a cancelled occurrence (a tombstone)."""
    if not isinstance(event, dict) or event.get("status") != "cancelled":
        return None
    return unpaired_occurrence(event, by_event)


def _nothing_to_cancel(event, state, by_event, regular):
    """True for a cancelled occurrence Odoo has no RDV for: the one a moved
    series' exception left (see :func:`moves_and_releases`), or one Odoo's
    series never had; creating a cancelled RDV for it would mean nothing."""
    found = None if state is not None else cancelled_occurrence(event, by_event)
    if found is None:
        return False
    return not any((rdv.series_key, rdv.original_start) == found for rdv in regular.values())


def _left_alone(settings, event):
    """True for an event that was in the calendar before it was synced."""
    if settings.foreign_until is None or not isinstance(event, dict):
        return False
    created = parse_timestamp(event.get("created"))
    return created is not None and created <= settings.foreign_until


def _at_occurrence(remote, regular):
    """Odoo's regular RDV at the occurrence ``remote`` is an instance of, or None."""
    if remote.rdv is None or remote.rdv.series_key is None:
        return None
    start = original_start_of(remote.event_id)
    if start is None:
        return None
    for rdv in (regular or {}).values():
        if rdv.series_key == remote.rdv.series_key and rdv.original_start == start:
            return rdv
    return None


def plan_foreign(settings, foreign, paired, regular=None):
    """Actions for events created in Google (an occurrence needs its series).
    ``regular``: Odoo's regular RDVs at the occurrences asked for (see
    :func:`plan_sync`): an instance changed on the phone at one of them is
    that RDV's change (:func:`.proposals.first_change`)."""
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
        if action is not None and remote.series_event_id and remote.usable:
            action = first_change(settings, _at_occurrence(remote, regular), remote, action)
        if action is not None:
            actions.append(action)
    return actions
