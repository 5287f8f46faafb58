# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The plan: from (last synced state, Odoo side, Google side) to a list of actions.

Pure functions, no I/O, in the manner of vdirsyncer's sync: every rule is a
few lines and is tested without a network. :func:`plan_sync` (here) matches
RDVs with events, applies the empty-side guard and decides each pair:

- :mod:`.actions`: the vocabulary (kinds, actions, settings, Google's side);
- :mod:`.pair`: :func:`~.pair.decide_pair`, the whole decision for one pair;
- :mod:`.listing`: a listing read against the synced pairs, the guard;
- :mod:`.series_moves`: a series moved in Odoo, in Google.

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
and otherwise resolved like a conflict; one whose RDV Odoo no longer has (the
record is missing, or its key is another RDV's now, as the stamps say) comes
back as a new RDV.

A series moved in Odoo moves the original start of each of its exceptions with
it, while Google keeps an exception at the original start it was made at (its
id says which). Such a pair goes to the occurrence it belongs to now (its new
id), and the occurrence it leaves is released: cancelled when the moved series
has no occurrence there any more, else handed to the regular RDV Odoo has at
that start, which then syncs as its own pair (see :func:`freed_occurrences`).
"""

from .actions import GONE, UNCHANGED, Plan
from .listing import (
    claims,
    guard,
    made_for_others,
    new_event_id,
    own_events_of_pairs,
    plan_foreign,
    plan_reborn,
    read_listing,
    same_occurrence,
)
from .pair import decide_pair
from .series_moves import (
    away_from_series_gone_now,
    detached_from_gone_series,
    freed_occurrences,
    moved_pair,
    moves_and_releases,
    occurrence_moves,
)


def plan_sync(
    states,
    local,
    remote_events,
    settings,
    local_complete=False,
    remote_complete=False,
    force=False,
    regular=None,
    current=None,
    lost=(),
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
    over; one at an occurrence the phone changed first is the RDV the
    planner's rules apply to; a cancelled occurrence from Google with none
    there is nothing to do.
    None: not asked (every cancelled occurrence is then passed on).
    ``current``: RDVs Odoo did not report, as it has them, by key: read for
    the planner's rules only (see :mod:`.proposals`), never a change.
    ``lost``: keys of ``local`` (None there) that Odoo never gave (see
    ``LocalSide.never_had``): their events come back as new RDVs.
    """
    local = detached_from_gone_series(states, local)
    paired, foreign, actions = read_listing(remote_events, states, settings, regular)
    paired, foreign = same_occurrence(settings, states, local, paired, foreign)
    paired, others = made_for_others(paired, states, local, lost)
    foreign = own_events_of_pairs(settings, states, local, foreign)
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
    stopped = None if force else guard(states, local_views, remote_views, settings)
    if stopped:
        return Plan(stopped=stopped)
    actions.extend(plan_foreign(settings, foreign, paired, regular))
    actions.extend(plan_reborn(settings, others))
    moves = occurrence_moves(states, local, settings)
    for key in sorted(keys):
        state, local_view = states.get(key), local_views[key]
        event_id = None
        if state is None and local_view not in (None, UNCHANGED):
            event_id = new_event_id(settings, states, local_view, local)
        action = decide_pair(
            settings, key, state, local_view, remote_views[key], event_id, (current or {}).get(key)
        )
        if key in moves:
            action = moved_pair(settings, key, local_view, action, moves[key][1])
        if action is not None:
            actions.append(action)
    if moves:
        actions = moves_and_releases(states, local, moves, actions, remote_views)
    actions = away_from_series_gone_now(settings, actions, states, local)
    actions.extend(claims(settings, remote_events, states, actions))
    return Plan(actions=tuple(actions))
