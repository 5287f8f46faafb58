# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One pair's decision: from (its synced state, Odoo's view, Google's view)
to the action that makes both sides agree (the table in :mod:`.plan`).

Pure functions: every rule is a few lines, tested without a network.
"""

from dataclasses import replace

from .actions import (
    GONE,
    GOOGLE,
    ODOO,
    UNCHANGED,
    Action,
    Conflict,
    Kind,
    Policy,
    Remote,
    outside_window,
)
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
from .mapping import stamp_of
from .proposals import keep_control
from .rdv import Rdv
from .state import PairState


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


def push(settings, key, event_id, local, etag, conflict=None, problems=()):
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
    are not the RDV's technicians (a technician's own), as Google gave them
    (their answers kept: an attendee sent without one is asked again); an
    event not read is as the last push left it, whose attendees were the
    technicians."""
    if version_of(stored) not in INVITING_VERSIONS:
        return None
    if not isinstance(local, Rdv) or local.cancelled or not local.attendees:
        return None
    technicians = set(attendee_key(local.attendees))
    if isinstance(remote, Remote) and remote.rdv is not None:
        theirs = attendee_key(remote.rdv.attendees)
        if not technicians.intersection(theirs):
            return None
        return tuple(
            guest
            for guest in (remote.event or {}).get("attendees") or ()
            if isinstance(guest, dict)
            and (guest.get("email") or "").strip().lower() not in technicians
        )
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
        action = push(settings, pulled.key, pulled.event_id, current, pulled.etag)
        return replace(action, guests=pulled.guests)
    if theirs is None or theirs == generated_part(current.description):
        return None
    return push(settings, pulled.key, pulled.event_id, current, pulled.etag)


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


def _reborn(settings, key, remote):
    """An event of ours without a synced state made for an RDV that this
    database never had under ``key`` as it is now: a database restored from an
    older backup lost that RDV (its id is beyond what the database gave, or
    was given again to another RDV: the stamps differ). Google holds the only
    version of it, and what the phones changed since: it comes back as a new
    RDV, as an event made in Google would, ``reborn`` naming the RDV it was
    made for (the Odoo side says so in the chatter). Not an RDV deleted in
    Odoo (see :func:`_decide_unpaired`). A cancelled one, or an occurrence,
    stays as Google has it."""
    if remote.cancelled or remote.rdv is None or remote.series_event_id:
        return None
    if outside_window(remote.rdv, settings):
        return None
    stamp = stamp_of(remote.event) if isinstance(remote.event, dict) else None
    return replace(_create_local(remote), reborn=key, reborn_stamp=stamp)


def reborn(settings, key, remote):
    """:func:`_reborn` under the planner's rules (:mod:`.proposals`)."""
    return keep_control(settings, None, None, remote, _reborn(settings, key, remote))


def _resolve(settings, key, local, remote, etag, paired=True):
    """Both sides changed differently (or there is no synced version)."""
    winner = _winner(settings.policy, local, remote)
    if winner == ODOO:
        conflict = Conflict(ODOO, GOOGLE, remote.rdv, settings.policy)
        return push(settings, key, remote.event_id, local, etag, conflict, remote.problems)
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
    if isinstance(local, Rdv) and remote.pushed_hash and is_current(remote.pushed_hash):
        # Our event whose link was lost: what we last wrote into it is the
        # version both sides shared, so only the side that changed since wins
        # (a phone edit after our insert is kept, not taken for a conflict).
        shared = PairState(key, remote.event_id, None, remote.pushed_hash)
        return _decide_synced(settings, key, shared, local, remote)
    return _resolve(settings, key, local, remote, remote.etag, paired=False)


def decide_pair(settings, key, state, local, remote, event_id=None, current=None):
    """The action for one pair, or None when there is nothing to do.

    ``state``: the :class:`PairState` or None; ``local``: Rdv, None or
    UNCHANGED; ``remote``: a :class:`Remote`, GONE or UNCHANGED (GONE needs a
    state); ``event_id``: the id to create the event with when it is new.
    An RDV the core cannot read (say, a naive datetime) is skipped and reported.
    The table's action then follows the planner's rules (:mod:`.proposals`),
    which read ``current`` (the RDV as Odoo has it) when ``local`` is UNCHANGED.
    """
    if remote is GONE and state is not None:
        remote = Remote.gone(state.event_id)
    action = _decide(settings, key, state, local, remote, event_id)
    view = local if local is not UNCHANGED else current
    return keep_control(settings, state, view, remote, action)


def _decide(settings, key, state, local, remote, event_id):
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
        return push(settings, key, state.event_id, local, etag)
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
