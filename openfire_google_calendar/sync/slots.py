# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
""" "Trouver un créneau": the next slots where every technician of an RDV is free.

The Odoo layer gives, per technician, plain intervals (an :class:`Availability`):

- ``working``: when he works, as Odoo computed it from his resource calendar
  and the leaves it knows (``hr_holidays`` time off...), for the searched range;
- ``busy``: his other RDVs (the one being planned left out), his Google busy
  time and absences (:class:`Busy`, with a :class:`BusyKind` kept for the
  warnings; Google's ``workingLocation`` entries are not busy and are not
  passed);
- ``known``: where his Google availability is known and fresh (synced), or
  None when he has no Google calendar to consult (nothing to require).

:func:`find_slots` proposes the earliest slots; :func:`conflicts` says what an
RDV at a given time would clash with. Both follow the same rule, so a slot
:func:`find_slots` proposes has no conflict.

A technician is free at an instant when it is inside one of his working
intervals, outside all his busy intervals and, when his ``known`` is not None
(and ``require_known``), inside one of his known intervals: time whose Google
availability is unknown or stale is never taken as free.

Conventions:

- Every datetime is *aware* (any zones, mixed freely); intervals are half-open
  ``[start, end)``: an RDV 9:00-10:00 and a slot 10:00-11:00 do not overlap.
  All the arithmetic is done in UTC, so a change of time changes nothing:
  a duration is elapsed time (a 2 h slot over the night of the change lasts
  2 real hours; its wall-clock end shows one hour more or less).
- Working intervals that touch or overlap are one stretch (a slot may span
  them); a slot never spans a gap between two of them. Several busy intervals
  are simply united.
- An empty interval (``end == start``: a zero-length RDV) covers nothing and is
  ignored; an interval whose end is before its start is a ``ValueError``, like
  a naive datetime (the Odoo layer skips such records).
- Results are codes (:class:`Code`, :class:`BusyKind`), never sentences: the
  Odoo layer words them in the user's language.

Cost: each technician's intervals are sorted and merged once (n log n), the
technicians' free time intersected, then one sweep over the common free
stretches; no instant is scanned (10 technicians x 4 weeks x hundreds of
intervals take 10-20 ms, see ``tests/sync/test_slots.py``).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from enum import Enum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .intervals import intersect, merge, subtract

UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY = timedelta(days=1)
_TICK = timedelta(microseconds=1)

DEFAULT_COUNT = 5
DEFAULT_STEP = timedelta(minutes=15)


class BusyKind(str, Enum):
    """What keeps a technician busy (for the warnings)."""

    RDV = "rdv"  # another RDV of his in Odoo
    BUSY = "busy"  # busy time in his Google calendar ("Occupé (Google)")
    ABSENCE = "absence"  # an absence in Google (out of office: "Absent")


class Code(str, Enum):
    """Why a technician, or the team, limits the search (see :class:`Reason`),
    and the :class:`Clash` codes that are not a busy interval."""

    # -- find_slots, per technician, over the searched range
    NO_WORKING_HOURS = "no_working_hours"  # he never works in the range
    WORKING_TOO_SHORT = "working_too_short"  # he never works `duration` in a row
    AVAILABILITY_UNKNOWN = "availability_unknown"  # Google: known nowhere he works
    AVAILABILITY_PARTLY_UNKNOWN = "availability_partly_unknown"  # only part of it
    NO_FREE_SLOT = "no_free_slot"  # alone, he has no free slot (busy)
    # -- find_slots, the team (technician None)
    NO_COMMON_TIME = "no_common_time"  # each has a slot alone, never all together
    # -- conflicts (also AVAILABILITY_UNKNOWN)
    OUTSIDE_WORKING_HOURS = "outside_working_hours"


def _aware(what, value):
    """``value`` in UTC, or ValueError when it is not an aware datetime."""
    if not isinstance(value, datetime):
        raise ValueError("%s must be an aware datetime, got %r" % (what, value))
    if value.utcoffset() is None:
        raise ValueError("%s must be an aware datetime, got the naive %s" % (what, value))
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Interval:
    """``[start, end)``, aware datetimes; ``end == start`` is empty (allowed).

    Compared in UTC: ``end`` may be in another zone, or at the same wall
    time with another ``fold`` (the hour repeated when the clocks go back)."""

    start: datetime
    end: datetime

    def __post_init__(self):
        start = _aware("start", self.start)
        end = _aware("end", self.end)
        if end < start:
            raise ValueError("interval ends (%s) before it starts (%s)" % (self.end, self.start))

    def utc(self):
        """``(start, end)`` in UTC."""
        return self.start.astimezone(UTC), self.end.astimezone(UTC)


@dataclass(frozen=True)
class Busy(Interval):
    """A busy interval of a technician: ``kind`` (a :class:`BusyKind` or its
    value), ``ref`` an optional id for the warning (the RDV's key, Google's
    event id)."""

    kind: BusyKind = BusyKind.BUSY
    ref: str | None = None

    def __post_init__(self):
        Interval.__post_init__(self)  # the start and end, checked as any interval's
        try:
            kind = BusyKind(self.kind)
        except ValueError:
            raise ValueError(
                "busy kind must be one of %s, got %r"
                % (", ".join(k.value for k in BusyKind), self.kind)
            ) from None
        object.__setattr__(self, "kind", kind)


@dataclass(frozen=True)
class Slot(Interval):
    """A proposed slot, in the search's zone (see :func:`find_slots`)."""


@dataclass(frozen=True)
class Availability:
    """One technician's time for the searched range.

    ``technician``: his key (the employee id as a string). ``working``: when
    he works. ``busy``: his other RDVs, Google busy time and absences.
    ``known``: where his Google availability is known and fresh (e.g. from the
    start of the range to the end of his last synced window); outside it he is
    not free. None: he is not synced with Google, nothing is required (his
    ``busy`` is then only his RDVs). Lists are accepted and kept as tuples."""

    technician: str
    working: tuple[Interval, ...] = ()
    busy: tuple[Busy, ...] = ()
    known: tuple[Interval, ...] | None = None

    def __post_init__(self):
        if not isinstance(self.technician, str) or not self.technician:
            raise ValueError("technician must be a non-empty string, got %r" % (self.technician,))
        fields = [("working", Interval), ("busy", Busy)]
        if self.known is not None:
            fields.append(("known", Interval))
        for name, cls in fields:
            items = tuple(getattr(self, name))
            for item in items:
                if not isinstance(item, cls):
                    raise ValueError(
                        "technician %s: %s holds %s, not %r"
                        % (self.technician, name, cls.__name__, item)
                    )
            object.__setattr__(self, name, items)


@dataclass(frozen=True)
class Reason:
    """Why slots are few or none: ``code`` for ``technician`` (None: the team)."""

    technician: str | None
    code: Code


@dataclass(frozen=True)
class SlotSearch:
    """What :func:`find_slots` found.

    ``slots``: at most ``count``, fewer when the horizon came first.
    ``reasons``: what limits each technician over the range, whatever the
    number of slots (a technician whose Google availability is only partly
    known is reported even when slots were found); the team's
    ``NO_COMMON_TIME`` only when no slot was found."""

    slots: tuple[Slot, ...]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Clash:
    """What an RDV at a given time clashes with, for one technician.

    ``code``: the busy interval's :class:`BusyKind` (``interval`` is then that
    :class:`Busy`, whole, with its ``ref``), or ``Code.OUTSIDE_WORKING_HOURS`` /
    ``Code.AVAILABILITY_UNKNOWN`` (``interval`` is then the part of the RDV
    concerned, in the zone of the RDV's start)."""

    technician: str
    code: BusyKind | Code
    interval: Interval


# -- intervals as sorted, disjoint lists of (start, end) in UTC ----------------
def _utc_pairs(intervals):
    return merge(item.utc() for item in intervals)


# -- the grid: slots start on a multiple of `step` of the local wall clock ------
def _offset(instant, zone):
    return instant.astimezone(zone).utcoffset()


def _ceil_to_grid(instant, zone, step):
    """The first instant at or after ``instant`` (UTC) whose wall-clock time in
    ``zone`` is a multiple of ``step`` from midnight (step divides a day).

    Walks absolute time, not wall time: when the clocks go back, the repeated
    hour's grid points come in their turn (after 02:50 CEST comes 02:00 CET);
    when they go forward, the skipped wall times do not exist."""
    while True:
        offset = _offset(instant, zone)
        candidate = instant + (_EPOCH - (instant + offset)) % step
        if _offset(candidate, zone) == offset:
            return candidate
        # The offset changes in (instant, candidate]: go on from the change.
        low, high = instant, candidate
        while high - low > _TICK:
            middle = low + (high - low) // 2
            if _offset(middle, zone) == offset:
                low = middle
            else:
                high = middle
        instant = high


def _sweep(free, duration, zone, step, count):
    """The first ``count`` grid starts, each at or after the previous end,
    whose ``[start, start + duration)`` fits in one stretch of ``free``."""
    found = []
    for start, end in free:
        if end - start < duration:
            continue
        cursor = start
        while len(found) < count:
            begin = _ceil_to_grid(cursor, zone, step)
            if begin + duration > end:
                break
            found.append((begin, begin + duration))
            cursor = begin + duration
        if len(found) >= count:
            break
    return found


# -- the entry points ----------------------------------------------------------
def _check_team(availabilities):
    team = tuple(availabilities)
    if not team:
        raise ValueError("at least one technician is needed")
    seen = set()
    for availability in team:
        if not isinstance(availability, Availability):
            raise ValueError("expected Availability objects, got %r" % (availability,))
        if availability.technician in seen:
            raise ValueError("technician %s is given twice" % availability.technician)
        seen.add(availability.technician)
    return team


def _zone(tz, earliest):
    if tz is None:
        return earliest.tzinfo
    if isinstance(tz, tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError("unknown time zone %r" % (tz,)) from None


def _free_time(availability, span, require_known):
    """(working, known working, free) of one technician within ``span``."""
    working = intersect(_utc_pairs(availability.working), span)
    known = working
    if require_known and availability.known is not None:
        known = intersect(working, _utc_pairs(availability.known))
    return working, known, subtract(known, _utc_pairs(availability.busy))


def find_slots(
    availabilities,
    duration,
    earliest,
    horizon,
    count=DEFAULT_COUNT,
    step=DEFAULT_STEP,
    require_known=True,
    tz=None,
):
    """The earliest slots of ``duration`` where every technician is free.

    ``availabilities``: one :class:`Availability` per technician of the RDV
    (at least one, each once). A slot starts at or after ``earliest``, on a
    multiple of ``step`` (default 15 minutes; it must divide a day) of the
    wall clock in ``tz`` (an IANA name or a tzinfo; default: ``earliest``'s
    zone: pass ``tz`` when ``earliest`` is in UTC or carries a fixed-offset
    or pytz zone), and ends by ``horizon``. The slots are returned in that
    zone, sorted, and do not overlap each other: the first is the earliest
    free start, each next one the earliest free start at or after the
    previous one's end (after 9:00-10:00, the next starts at 10:00 or
    later), until ``count`` slots or the horizon.

    ``require_known=False`` ignores every ``known`` (Google's busy time
    passed is still avoided); to ignore it for one technician only, give
    him ``known=None``.

    Returns a :class:`SlotSearch` (slots and reasons). ``ValueError`` on bad
    input: naive datetimes, ``duration`` or ``step`` not positive, ``step``
    not dividing a day, ``horizon`` not after ``earliest``, ``count`` < 1,
    no technician or one given twice, an unknown zone."""
    team = _check_team(availabilities)
    if not isinstance(duration, timedelta) or duration <= timedelta(0):
        raise ValueError("duration must be a positive timedelta, got %r" % (duration,))
    if not isinstance(step, timedelta) or step <= timedelta(0) or _DAY % step:
        raise ValueError("step must be a positive timedelta dividing a day, got %r" % (step,))
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError("count must be a positive integer, got %r" % (count,))
    low = _aware("earliest", earliest)
    high = _aware("horizon", horizon)
    if high <= low:
        raise ValueError("horizon (%s) must be after earliest (%s)" % (horizon, earliest))
    zone = _zone(tz, earliest)
    span = [(low, high)]

    reasons = []
    common = span
    blocked = False
    for availability in team:
        working, known, free = _free_time(availability, span, require_known)
        common = intersect(common, free)
        codes = []
        if not working:
            codes.append(Code.NO_WORKING_HOURS)
        elif not _sweep(working, duration, zone, step, 1):
            codes.append(Code.WORKING_TOO_SHORT)
        else:
            if not known:
                codes.append(Code.AVAILABILITY_UNKNOWN)
            elif known != working:
                codes.append(Code.AVAILABILITY_PARTLY_UNKNOWN)
            if known and not _sweep(free, duration, zone, step, 1):
                codes.append(Code.NO_FREE_SLOT)
        blocked = blocked or any(code != Code.AVAILABILITY_PARTLY_UNKNOWN for code in codes)
        reasons.extend(Reason(availability.technician, code) for code in codes)

    found = _sweep(common, duration, zone, step, count)
    if not found and not blocked:
        reasons.append(Reason(None, Code.NO_COMMON_TIME))
    slots = tuple(Slot(start.astimezone(zone), end.astimezone(zone)) for start, end in found)
    return SlotSearch(slots, tuple(reasons))


def conflicts(availabilities, start, end, require_known=True):
    """What an RDV at ``[start, end)`` clashes with, per technician.

    For each technician, in the order given, sorted by time: the busy
    intervals it overlaps (touching is no overlap; ``code`` is their kind),
    the parts of it outside his working hours (``OUTSIDE_WORKING_HOURS``), and
    the parts inside his working hours where his Google availability is not
    known (``AVAILABILITY_UNKNOWN``, when ``require_known`` and his ``known``
    is not None). An empty list: every technician is free for the whole RDV,
    which is so for every slot :func:`find_slots` proposes.

    ``ValueError`` on naive datetimes, ``end`` not after ``start``, no
    technician or one given twice."""
    team = _check_team(availabilities)
    low = _aware("start", start)
    high = _aware("end", end)
    if high <= low:
        raise ValueError("end (%s) must be after start (%s)" % (end, start))
    zone = start.tzinfo
    span = [(low, high)]

    def parts(pairs):
        return [Interval(a.astimezone(zone), b.astimezone(zone)) for a, b in pairs]

    clashes = []
    for availability in team:
        found = []
        working = intersect(_utc_pairs(availability.working), span)
        for part in parts(subtract(span, working)):
            found.append((part, Code.OUTSIDE_WORKING_HOURS))
        if require_known and availability.known is not None:
            unknown = subtract(working, _utc_pairs(availability.known))
            for part in parts(unknown):
                found.append((part, Code.AVAILABILITY_UNKNOWN))
        for busy in availability.busy:
            busy_start, busy_end = busy.utc()
            if busy_start < high and busy_end > low and busy_start < busy_end:
                found.append((busy, busy.kind))
        found.sort(key=lambda item: (item[0].start.astimezone(UTC), item[0].end.astimezone(UTC)))
        clashes.extend(Clash(availability.technician, code, part) for part, code in found)
    return clashes
