# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A technician's busy time as Google tells it, and nothing more.

``freeBusy.query`` gives the busy periods of a calendar (opaque events not
declined, Google's own rules) without saying what they are; the typed events
of the primary calendar add what freeBusy cannot tell: an ``outOfOffice``
event is an *absence*, a ``workingLocation`` one the day's *place* (not
busy). Only times, kinds and a place's label are kept: never a title.

Google accepts a limited range per freeBusy query (:data:`MAX_RANGE`): a
longer window is asked in consecutive ranges (:func:`ranges`).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .mapping import parse_timestamp

BUSY = "busy"
ABSENCE = "absence"
LOCATION = "location"
# freeBusy answers a range of about two months at most (longer: 400
# timeRangeTooLong); four weeks a query keeps every answer small.
MAX_RANGE = timedelta(days=28)
# The most calendars one freeBusy query may name (calendarExpansionMax).
MAX_CALENDARS = 50


@dataclass(frozen=True)
class BusyBlock:
    """[start, end) aware UTC, its kind, and a working location's label."""

    start: datetime
    end: datetime
    kind: str = BUSY
    label: str | None = None


def ranges(start, end, longest=MAX_RANGE):
    """[start, end) cut into consecutive ranges of at most ``longest``."""
    if end <= start:
        raise ValueError("the availability window must end after it starts")
    cuts = []
    while start < end:
        stop = min(start + longest, end)
        cuts.append((start, stop))
        start = stop
    return cuts


def chunks(calendar_ids, size=MAX_CALENDARS):
    """The calendar ids, each once and in their order, in lists of at most
    ``size``: one freeBusy query each (Google answers the calendars beyond
    ``calendarExpansionMax`` with ``tooManyCalendarsRequested``)."""
    unique = list(dict.fromkeys(calendar_ids))
    return [unique[first : first + size] for first in range(0, len(unique), size)]


def _zone(name):
    try:
        return ZoneInfo(name) if name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def _whole_days(block, zone):
    """True when ``block`` is one or more whole days in ``zone`` (an all-day
    event: freeBusy does not say so)."""
    start, end = block.start.astimezone(zone), block.end.astimezone(zone)
    return start.time() == time(0) and end.time() == time(0) and end > start


def from_free_busy(answer, all_day_busy=True, tz=None):
    """(blocks, error reasons) from one calendar's freeBusy answer
    (``{"busy": [...], "errors": [...]}``). ``all_day_busy`` False drops the
    whole days (all-day events) in the technician's zone ``tz``."""
    answer = answer if isinstance(answer, dict) else {}
    errors = tuple(
        str(error.get("reason") or "unknown")
        for error in answer.get("errors") or ()
        if isinstance(error, dict)
    )
    zone = _zone(tz)
    blocks = []
    for period in answer.get("busy") or ():
        if not isinstance(period, dict):
            continue
        start, end = parse_timestamp(period.get("start")), parse_timestamp(period.get("end"))
        if start is None or end is None or end <= start:
            continue
        block = BusyBlock(start.astimezone(timezone.utc), end.astimezone(timezone.utc))
        if not all_day_busy and _whole_days(block, zone):
            continue
        blocks.append(block)
    return blocks, errors


def _moment(value, zone):
    """An event's start or end (dateTime, or an all-day date at midnight in
    ``zone``) as aware UTC; None when unusable."""
    if not isinstance(value, dict):
        return None
    if value.get("dateTime"):
        moment = parse_timestamp(value["dateTime"])
        return moment.astimezone(timezone.utc) if moment else None
    try:
        day = date.fromisoformat(value.get("date") or "")
    except ValueError:
        return None
    return datetime.combine(day, time(0), zone).astimezone(timezone.utc)


def _place(event):
    """A working location's label: home, the office's or the custom label."""
    props = event.get("workingLocationProperties") or {}
    kind = props.get("type")
    if kind == "homeOffice":
        return "home"
    if kind == "officeLocation":
        return (props.get("officeLocation") or {}).get("label") or "office"
    if kind == "customLocation":
        return (props.get("customLocation") or {}).get("label") or "custom"
    return None


def from_typed_events(events, tz=None):
    """Absences (``outOfOffice``) and working locations from the typed
    events of the primary calendar; cancelled ones are nothing."""
    zone = _zone(tz)
    blocks = []
    for event in events or ():
        if not isinstance(event, dict) or event.get("status") == "cancelled":
            continue
        start, end = _moment(event.get("start"), zone), _moment(event.get("end"), zone)
        if start is None or end is None or end <= start:
            continue
        kind = event.get("eventType")
        if kind == "outOfOffice":
            blocks.append(BusyBlock(start, end, ABSENCE))
        elif kind == "workingLocation":
            blocks.append(BusyBlock(start, end, LOCATION, _place(event)))
    return blocks


def without_absences(busy, absences):
    """The busy blocks an absence does not already cover whole: freeBusy
    counts an out-of-office event as busy, the planning shows it once, as
    the stronger absence."""
    return [
        block
        for block in busy
        if not any(a.start <= block.start and block.end <= a.end for a in absences)
    ]
