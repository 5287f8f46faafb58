# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Coming from OpenFire 10: adopt the events its connector made.

OpenFire 10's ``of_planning_google`` wrote each RDV into its technician's
*primary* calendar under an id chosen by Google, and kept that id on the RDV
(``google_internal_event_id``). When a user syncs that calendar, each RDV
whose id names an event of the calendar that is still the RDV's (checked:
not cancelled, and the same title or the same start) is paired with it
instead of being inserted again: the pair is stored with the event's etag
and content hash, so the first sync rewrites the event with this
connector's content (Odoo's version, as OpenFire 10 pushed it) and never
inserts a second copy. OpenFire 10 invited the technicians to those events
(Google copies an event to each attendee): the first sync removes them.

Every other event already in the calendar is left alone by the sync (see
``SyncSettings.foreign_until``); those that OpenFire 10 made for an RDV and
that no longer match it are reported.
"""

from dataclasses import dataclass
from datetime import date, datetime

from .actions import read_remote
from .content_hash import INVITING_VERSIONS, content_hash
from .mapping import event_to_rdv, parse_timestamp
from .state import PairState


@dataclass(frozen=True)
class Candidate:
    """An RDV OpenFire 10 synced: its key, the event id it kept, and the RDV
    as Odoo has it (``name``, ``start``)."""

    key: str
    event_id: str
    name: str
    start: object


@dataclass(frozen=True)
class Adoption:
    """What adopting a calendar found: the pairs to store, the events of
    OpenFire 10 left alone (event id, title, why) and the moment up to
    which the calendar's events are left alone (Google's clock)."""

    states: tuple[PairState, ...]
    left_alone: tuple[tuple[str, str, str], ...]
    foreign_until: datetime | None
    others: int = 0


def _same_start(rdv_start, event_rdv):
    if rdv_start is None or event_rdv is None or event_rdv.start is None:
        return False
    theirs = event_rdv.start
    if isinstance(rdv_start, datetime) and isinstance(theirs, datetime):
        return rdv_start == theirs
    first = rdv_start.date() if isinstance(rdv_start, datetime) else rdv_start
    other = theirs.date() if isinstance(theirs, datetime) else theirs
    return isinstance(first, date) and first == other


def check(candidate, event, default_tz="Europe/Paris"):
    """Why ``event`` is not ``candidate``'s RDV any more, or None when it is."""
    if event is None:
        return "not in the calendar"
    if event.get("status") == "cancelled":
        return "cancelled in Google Calendar"
    rdv, _problems = event_to_rdv(event, default_tz)
    if rdv is None:
        return "unreadable event"
    same_title = (rdv.summary or "").strip().casefold() == (candidate.name or "").strip().casefold()
    if not same_title and not _same_start(candidate.start, rdv):
        return "neither the title nor the start is the RDV's"
    return None


def adopt(candidates, events, settings, known_ids=()):
    """Match the RDVs OpenFire 10 synced with the calendar's ``events`` (a
    full listing); ``settings``: the user's :class:`.actions.SyncSettings`.
    ``known_ids``: every event id OpenFire 10 kept in this database (other
    users' RDVs included), to tell its events from the owner's own in the
    report. A pair is stored with the event's hash as the plan reads it, so
    the first sync sees Google unchanged and Odoo changed: it rewrites the
    event, with If-Match."""
    default_tz = settings.default_tz
    by_id = {event.get("id"): event for event in events if isinstance(event, dict)}
    states, left_alone, used = [], [], set()
    for candidate in candidates:
        event = by_id.get(candidate.event_id)
        reason = (
            "already adopted by another RDV"
            if candidate.event_id in used
            else check(candidate, event, default_tz)
        )
        if reason is None:
            # Stored under the last rules that invited: the first sync removes
            # the technicians OpenFire 10 invited (see pair.uninvited_guests).
            remote = read_remote(event, settings)
            states.append(
                PairState(
                    candidate.key,
                    candidate.event_id,
                    event.get("etag"),
                    content_hash(remote.rdv, INVITING_VERSIONS[-1]),
                )
            )
            used.add(candidate.event_id)
        elif event is not None:
            left_alone.append((candidate.event_id, event.get("summary") or "", reason))
    adopted_ids = {state.event_id for state in states}
    reported = {event_id for event_id, _title, _reason in left_alone}
    known = set(known_ids)
    others = 0
    for event_id, event in by_id.items():
        if event_id in adopted_ids or event_id in reported or event.get("status") == "cancelled":
            continue
        if event_id in known:
            left_alone.append((event_id, event.get("summary") or "", "its RDV is not yours"))
        else:
            others += 1
    moments = [
        parse_timestamp(event.get(field))
        for event in by_id.values()
        for field in ("created", "updated")
    ]
    moments = [moment for moment in moments if moment is not None]
    return Adoption(
        states=tuple(states),
        left_alone=tuple(left_alone),
        foreign_until=max(moments) if moments else None,
        others=others,
    )
