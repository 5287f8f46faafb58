# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The planner stays in control: what a change made in Google may do to an RDV.

Applied after :func:`.pair.decide_pair`'s table, on the action it chose:

- always: an RDV that is finished in Odoo (done, or cancelled) is never
  moved, re-opened or cancelled from Google. Google's change is *put back*:
  Odoo's version is pushed with the event's current etag (an edit made on the
  phone meanwhile is a 412, decided again) and Google's version is posted on
  the RDV, as a conflict's loser is, with the reason :data:`FINISHED`;
- in proposal mode an RDV Odoo holds as cancelled (postponed too) is put
  back the same way: only the planner re-opens it;
- in proposal mode (``SyncSettings.proposals``): a change of the appointment
  (time, title, location, status, deletion) does not change the RDV. It
  becomes a PROPOSE action: the local side keeps Google's version for the
  planner, with the RDV as it was, and stores the pair as synced (the event's
  etag, the RDV's content) so that the event keeps showing the proposal
  without being proposed again. The planner's answer is an ordinary change of
  the RDV, which the next sync pushes: accepted, the RDV took the proposed
  values; refused, the RDV's generated block says so (the event is put back).
  A phone edit made before that push is a conflict, hence a new proposal: it
  is never overwritten unseen. The technician's own notes are no change of the
  appointment: they still come in at once (a plain pull);
- in proposal mode an event created on the phone becomes a draft RDV, with a
  proposal to confirm it;
- a series (its master) changed in Google is put back in proposal mode
  (reason :data:`SERIES`): a whole series is the office's to move. Its
  occurrences follow the rules of the pair they are, the first change the
  phone makes to one of them included (see :func:`first_change`).
"""

from dataclasses import replace

from .actions import GOOGLE, ODOO, Action, Conflict, Kind, Remote
from .content_hash import content_hash
from .rdv import Rdv

FINISHED = "finished"
SERIES = "series"

# The states of an RDV Google may no longer change.
FINISHED_STATES = ("done", "cancel")

# What a proposal is about; the rest (the technician's notes, the colour,
# an integrator's values) is information and comes in at once.
APPOINTMENT_FIELDS = ("summary", "location", "start", "end", "all_day", "status", "recurrence")


def finished(rdv):
    """True for an RDV Google may no longer change."""
    return isinstance(rdv, Rdv) and rdv.state in FINISHED_STATES


def appointment_changed(local, proposed):
    """True when Google's ``proposed`` (None: deleted) changes the
    appointment of ``local``, not only the notes around it."""
    if proposed is None or proposed.cancelled:
        return not local.cancelled
    return any(getattr(local, name) != getattr(proposed, name) for name in APPOINTMENT_FIELDS)


def _etag(state, remote):
    """The etag to write the event with: the event's current one (None when
    a full listing did not contain it: the write then inserts it again)."""
    if remote.event is not None:
        return remote.etag
    return None if state is None else state.etag


def put_back(settings, state, local, remote, reason):
    """Push Odoo's ``local`` over Google's change, which is posted on the RDV."""
    event_id = remote.event_id or (state.event_id if state else None)
    conflict = Conflict(ODOO, GOOGLE, remote.rdv, settings.policy, reason=reason)
    kind = Kind.CANCEL_REMOTE if local.cancelled else Kind.UPDATE_REMOTE
    return Action(
        kind,
        local.key,
        event_id,
        rdv=local,
        etag=_etag(state, remote),
        content_hash=content_hash(local),
        conflict=conflict,
        problems=remote.problems,
    )


def propose(state, local, remote):
    """Keep Google's change for the planner: the RDV stays, the pair is
    stored as synced with the event's etag and the RDV's content (the local
    side stores the content of the RDV once the notes are in)."""
    proposed = None
    if remote.rdv is not None and not remote.cancelled:
        proposed = replace(remote.rdv, key=local.key)
    return Action(
        Kind.PROPOSE,
        local.key,
        remote.event_id or state.event_id,
        rdv=proposed,
        etag=None if remote.event is None else remote.etag,
        content_hash=content_hash(local),
        problems=remote.problems,
        held=local,
        proposed=True,
    )


def _google_wins(action):
    """True when ``action`` writes Google's version in Odoo."""
    return action.kind in (Kind.UPDATE_LOCAL, Kind.CANCEL_LOCAL)


def _is_series(local, remote):
    return local.is_series or (remote.rdv is not None and remote.rdv.is_series)


def keep_control(settings, state, local, remote, action):
    """``action`` (decided by the table) under the rules above."""
    if action is None or not isinstance(remote, Remote):
        return action
    if action.kind == Kind.CREATE_LOCAL:
        return _new_event(settings, action)
    if not isinstance(local, Rdv):
        return action  # deleted in Odoo, or not read: nothing to keep
    conflict = action.conflict
    odoo_won = conflict is not None and conflict.winner == ODOO and not conflict.reason
    if not (_google_wins(action) or odoo_won):
        return action
    if finished(local):
        return put_back(settings, state, local, remote, FINISHED) if not odoo_won else action
    if not settings.proposals:
        return action
    if local.cancelled:
        # Postponed: its hash is the cancelled one, which no refusal changes,
        # so a proposal could never be put back. The planner re-opens it.
        return put_back(settings, state, local, remote, FINISHED) if not odoo_won else action
    if _is_series(local, remote):
        return put_back(settings, state, local, remote, SERIES) if not odoo_won else action
    if not appointment_changed(local, remote.rdv):
        return action  # the technician's notes: information, taken at once
    return propose(state, local, remote)


def first_change(settings, occurrence, remote, action):
    """``action`` (a CREATE_LOCAL) for an occurrence changed in Google that
    no pair holds yet, under the rules above. Google made an exception
    instance that Odoo's regular ``occurrence`` (an RDV of the series at
    that original start) has no link to; the two shared the series' version,
    which only the phone changed: the table would pull. Where the rules keep
    that pull from the RDV, the occurrence becomes a pair under the RDV's
    key (a proposal, or the RDV put back on the instance with its etag);
    otherwise the exception comes in as any occurrence made in Google."""
    if not isinstance(occurrence, Rdv) or not isinstance(remote, Remote) or remote.rdv is None:
        return action
    try:
        if content_hash(occurrence) == remote.content_hash:
            return action  # nothing the RDV does not hold already
    except (ValueError, TypeError, AttributeError):
        return action  # an unreadable RDV: the exception comes in as before
    pulled = Action(
        Kind.CANCEL_LOCAL if remote.cancelled else Kind.UPDATE_LOCAL,
        occurrence.key,
        remote.event_id,
        rdv=None if remote.rdv is None else replace(remote.rdv, key=occurrence.key),
        etag=remote.etag,
        content_hash=remote.content_hash,
        problems=remote.problems,
    )
    kept = keep_control(settings, None, occurrence, remote, pulled)
    return action if kept is pulled else kept


def _new_event(settings, action):
    """An event made on the phone: in proposal mode, a draft RDV whose
    confirmation is proposed (the series and their occurrences excepted)."""
    rdv = action.rdv
    if (
        not settings.proposals
        or action.replaces_key
        or rdv is None
        or rdv.is_series
        or rdv.is_exception
        or rdv.cancelled
    ):
        return action
    draft = replace(rdv, state="draft")
    return replace(action, rdv=draft, content_hash=content_hash(draft), proposed=True)


def keys_to_read(remote_events, states, local):
    """Keys of synced pairs whose event Google lists as changed and that
    Odoo did not report: the rules above need the RDV as Odoo has it."""
    by_event = {state.event_id: state for state in states.values()}
    wanted = set()
    for event in remote_events:
        if not isinstance(event, dict):
            continue
        state = by_event.get(event.get("id"))
        if state is not None and state.key not in local and event.get("etag") != state.etag:
            wanted.add(state.key)
    return sorted(wanted)
