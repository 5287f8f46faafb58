# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A series moved in Odoo, in Google: Odoo moves the original start of each
of its exceptions with it, while Google keeps an exception at the original
start it was made at (its id says which). Such a pair goes to the occurrence
it belongs to now (its new id), and the occurrence it leaves is released:
cancelled when the moved series has no occurrence there any more, else
handed to the regular RDV Odoo has at that start, which then syncs as its
own pair (see :func:`freed_occurrences`). The executor stores a move's
states together (:mod:`.executor`).
"""

from dataclasses import replace

from .actions import GOOGLE, ODOO, Action, Kind, Remote
from .content_hash import (
    CANCELLED_HASH,
)
from .event_ids import event_id_for, master_of, original_start_of
from .listing import new_event_id, unpaired_occurrence
from .pair import push
from .rdv import Rdv


# -- a series Google no longer holds ---------------------------------------------------
def series_gone(states, local, series_key):
    """True when Google holds the series as cancelled (deleted on the phone,
    or cancelled from Odoo) and this sync does not bring it back: Google
    shows no occurrence of a cancelled series, and refuses to write one
    (404), so none can carry an RDV the office confirmed again."""
    state = states.get(series_key)
    if state is None or state.content_hash != CANCELLED_HASH:
        return False
    master = local.get(series_key)
    return not (isinstance(master, Rdv) and not master.cancelled)


def detached_from_gone_series(states, local):
    """``local`` with each exception of a series Google no longer holds seen
    as an RDV of its own (no series, no original start): it goes to Google
    as an event of its own, under its own id, until Odoo brings the series
    back (then :func:`occurrence_moves` takes it to its occurrence again)."""
    detached = {}
    for key, rdv in local.items():
        if isinstance(rdv, Rdv) and rdv.is_exception and series_gone(states, local, rdv.series_key):
            detached[key] = replace(rdv, series_key=None, original_start=None)
    return dict(local, **detached) if detached else local


def away_from_series_gone_now(settings, actions, states=None, local=None):
    """``actions`` with every write to an occurrence of a series this very sync
    cancels, in Odoo (deleted in Google: its occurrences went with it) or in
    Google (cancelled in Odoo: Google cancels its occurrences with it), or
    that Google no longer holds (:func:`series_gone`; an RDV put back there
    is one Odoo did not report, which :func:`detached_from_gone_series` did
    not see), sent to an event of its own instead, as
    :func:`detached_from_gone_series` does from the next sync on. Google
    holds no live occurrence of a cancelled series: what Odoo keeps there (a
    finished RDV put back, an office change the policy keeps) would be
    refused, or left as an occurrence of no live series that no RDV holds."""
    gone = {
        action.key
        for action in actions
        if action.kind in (Kind.CANCEL_LOCAL, Kind.CANCEL_REMOTE, Kind.DELETE_REMOTE)
    }
    gone.update(key for key in states or () if series_gone(states, local or {}, key))
    if not gone:
        return actions
    return [
        _detached_push(settings, action)
        if action.side == GOOGLE
        and isinstance(action.rdv, Rdv)
        and not action.rdv.cancelled
        and action.rdv.series_key in gone
        and original_start_of(action.event_id) is not None
        else action
        for action in actions
    ]


def _detached_push(settings, action):
    rdv = replace(action.rdv, series_key=None, original_start=None)
    own = _own_event_id(settings, action.key, rdv.stamp)
    return push(settings, action.key, own, rdv, None, action.conflict, action.problems)


def _own_event_id(settings, key, stamp=None):
    return event_id_for(settings.database_uuid, key, stamp)


# -- a series moved in Odoo ------------------------------------------------------------
def occurrence_moves(states, local, settings):
    """Exception pairs whose occurrence moved in Odoo (their series was moved):
    key -> (the event id of the pair, the id of the occurrence it belongs to now).

    Google keeps an exception at the original start it was made at, and names
    it after that start; Odoo moves the original starts with the series, so a
    pair whose id no longer names its RDV's original start has moved."""
    moves = {}
    gone = {state.event_id for state in states.values() if state.content_hash == CANCELLED_HASH}
    for key, rdv in local.items():
        state = states.get(key)
        if state is None or not isinstance(rdv, Rdv):
            continue
        if not rdv.is_exception:
            # an occurrence of a series Google no longer holds, detached from
            # it (detached_from_gone_series): to an event of its own
            if master_of(state.event_id) in gone:
                moves[key] = (state.event_id, _own_event_id(settings, key, rdv.stamp))
            continue
        if rdv.series_key not in states:
            continue  # a series not in Google yet
        if original_start_of(state.event_id) is None and state.event_id not in (
            _own_event_id(settings, key, rdv.stamp),
            _own_event_id(settings, key),
        ):
            continue  # an id not named after a start, nor an event of its own
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
    (:func:`freed_occurrences`), and those Google lists that no pair holds
    (changed or cancelled on the phone for the first time, or released by a
    move): the planner's rules (:mod:`.proposals`) apply to the RDV there,
    and a cancelled one with no RDV is nothing to cancel. The caller
    asks Odoo (``LocalSide.regular_occurrences``) and passes the answer to
    :func:`plan_sync` as ``regular``."""
    asked = freed_occurrences(states, local, settings)
    by_event = {state.event_id: state for state in states.values()}
    for event in remote_events:
        found = unpaired_occurrence(event, by_event)
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
        if left not in held and local[key].is_exception and original_start_of(left):
            freed.setdefault(local[key].series_key, []).append(original_start_of(left))
    return freed


def moved_pair(settings, key, local, action, moved_to):
    """The action of a pair whose occurrence moved: Odoo's version goes to the
    occurrence it belongs to now, without If-Match (Google's exception there,
    if any, is a left one). A pull or a skip stays: the move follows at the
    next sync, Odoo's version then being the changed one."""
    if action is not None and (action.kind == Kind.SKIP or action.side == ODOO):
        return action
    conflict = action.conflict if action is not None else None
    problems = action.problems if action is not None else ()
    pushed = push(settings, key, moved_to, local, None, conflict, problems)
    return replace(pushed, series_move=local.series_key)


def moves_and_releases(states, local, moves, actions, remote_views=None):
    """``actions`` with the moved pairs sent to their new occurrences, the
    regular RDVs taking over a freed occurrence marked as part of the move,
    and a release for each occurrence left that still shows an exception.
    ``remote_views``: the pairs' Google side as listed; a left event listed
    with a change the pair's decision overrode (Odoo's version moves on) is
    released with the etag listed, not the stored one, which would be
    refused (412) at every sync."""
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
        listed = (remote_views or {}).get(key)
        etag = state.etag
        if isinstance(listed, Remote) and listed.event is not None and listed.event_id == event_id:
            etag = listed.etag
        out.append(
            Action(
                Kind.RELEASE_REMOTE,
                key,
                event_id,
                rdv=local[key],
                etag=etag,
                series_move=local[key].series_key,
            )
        )
    return out
