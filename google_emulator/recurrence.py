"""Expansion of recurring events (RRULE, EXRULE, RDATE, EXDATE) with dateutil.

A recurring event (the "master") is stored once; its occurrences are computed
on demand. An occurrence is named like Google names it:
``<masterId>_<YYYYMMDDTHHMMSSZ>`` (original start in UTC) for timed events and
``<masterId>_<YYYYMMDD>`` for all-day ones. Occurrences that were changed or
cancelled are stored as separate "exception" events under that id, carrying
``recurringEventId`` and ``originalStartTime``.

Series may be infinite, so every expansion is bounded: by the caller's window
(timeMin/timeMax) or by a horizon and an occurrence cap.
"""

import copy
import re
from datetime import datetime, timedelta

from dateutil.rrule import rruleset, rrulestr

from . import errors
from .events import parse_bounds
from .timeutil import UTC, date_to_utc, format_datetime, get_zone

DEFAULT_HORIZON = timedelta(days=730)
DEFAULT_LIMIT = 730
MAX_ITERATIONS = 50000

_UNTIL_RE = re.compile(r"UNTIL=([0-9TZ]+(?:[+-]\d{2}:?\d{2})?)", re.IGNORECASE)
_ICAL_DT_RE = re.compile(r"^(\d{8})(?:T(\d{6})(Z|[+-]\d{2}:?\d{2})?)?$")
_BY_PART_RE = re.compile(r"(?:^|;)(BYMONTH|BYWEEKNO|BYYEARDAY|BYMONTHDAY|BYDAY)=", re.IGNORECASE)


def _parse_ical_datetime(text):
    """Split an iCalendar DATE or DATE-TIME into (naive datetime, is_date, is_utc).

    A numeric offset (``20110701T100000-07:00``, which Google's older guide
    wrote in UNTIL) is converted to UTC."""
    match = _ICAL_DT_RE.match(text.strip().upper())
    if not match:
        raise ValueError("bad date %r" % text)
    day, clock, zone = match.groups()
    if clock is None:
        return datetime.strptime(day, "%Y%m%d"), True, False
    moment = datetime.strptime(day + clock, "%Y%m%d%H%M%S")
    if zone and zone != "Z":
        digits = zone.replace(":", "")
        offset = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        moment = moment - offset if digits[0] == "+" else moment + offset
    return moment, False, bool(zone)


class Series:
    """The occurrences of one master event.

    ``zone`` is the event's time zone (required by Google for recurring timed
    events); all-day series work on naive midnights and use the calendar's zone
    only to compare with UTC windows.
    """

    def __init__(self, master, calendar_zone_name):
        self.master = master
        start, end = parse_bounds(master)
        self.all_day = start.all_day
        self.calendar_zone = get_zone(calendar_zone_name) or UTC
        if self.all_day:
            self.zone = None
            self.dtstart = datetime(start.day.year, start.day.month, start.day.day)
            self.duration = end.day - start.day
        else:
            self.zone = get_zone(start.zone_name) or UTC
            self.dtstart = start.instant.astimezone(self.zone)
            self.duration = end.instant - start.instant
        self.rset = self._build(master.get("recurrence") or [])

    # -- parsing --------------------------------------------------------
    def _build(self, lines):
        rset = rruleset()
        try:
            for line in lines:
                name = re.split("[;:]", line.strip(), maxsplit=1)[0].upper()
                # Dates hold no ":", zone names may (TZID=GMT+02:00): the value of an
                # RDATE/EXDATE is after the last ":", a rule's after the first.
                if name in ("RDATE", "EXDATE"):
                    head, _, value = line.rpartition(":")
                else:
                    head, _, value = line.partition(":")
                params = head.strip().split(";")[1:]
                if name in ("RRULE", "EXRULE"):
                    value = self._yearly_in_start_month(value)
                    rule = rrulestr(self._fix_until(value), dtstart=self.dtstart)
                    (rset.rrule if name == "RRULE" else rset.exrule)(rule)
                elif name in ("RDATE", "EXDATE"):
                    for item in value.split(","):
                        moment = self._convert(item, params)
                        (rset.rdate if name == "RDATE" else rset.exdate)(moment)
                else:
                    raise ValueError(line)
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            raise errors.bad_request("Invalid recurrence rule.") from exc
        rset.rdate(self.dtstart)  # RFC 5545: DTSTART is always the first instance
        return rset

    def _yearly_in_start_month(self, value):
        """``FREQ=YEARLY;BYMONTHDAY=n`` without BYMONTH is yearly in DTSTART's month
        (RFC 5545 takes what a rule does not say from DTSTART; Google shows such a
        series once a year), where dateutil would repeat it every month."""
        upper = value.upper()
        if "FREQ=YEARLY" not in upper:
            return value
        parts = {match.group(1).upper() for match in _BY_PART_RE.finditer(upper)}
        if parts == {"BYMONTHDAY"}:
            return value.rstrip(";") + ";BYMONTH=%d" % self.dtstart.month
        return value

    def _fix_until(self, value):
        """Make UNTIL agree with DTSTART: UTC for timed series, a date for all-day."""
        match = _UNTIL_RE.search(value)
        if not match:
            return value
        moment, is_date, is_utc = _parse_ical_datetime(match.group(1))
        if self.all_day:
            text = moment.strftime("%Y%m%d")
        else:
            if is_date:
                moment = moment.replace(hour=23, minute=59, second=59)
            local = moment.replace(tzinfo=UTC if is_utc else self.zone)
            text = local.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return value[: match.start(1)] + text + value[match.end(1) :]

    def _convert(self, text, params):
        """An RDATE/EXDATE value as the same kind of datetime as DTSTART."""
        moment, is_date, is_utc = _parse_ical_datetime(text)
        tzid = [p.split("=", 1)[1] for p in params if p.upper().startswith("TZID=")]
        if self.all_day:
            # All-day series compare by date in the series' (calendar's) zone: a
            # TZID or floating value by its own wall date (Google sends
            # ``EXDATE;TZID=Europe/Paris:20240105T000000``), a UTC one converted first.
            if is_utc and not is_date:
                moment = moment.replace(tzinfo=UTC).astimezone(self.calendar_zone)
            return datetime(moment.year, moment.month, moment.day)
        if is_date:
            return self.dtstart.replace(year=moment.year, month=moment.month, day=moment.day)
        if is_utc:
            zone = UTC
        elif tzid:
            zone = get_zone(tzid[0])
            if zone is None:
                raise ValueError("bad TZID")
        else:
            zone = self.zone
        return moment.replace(tzinfo=zone).astimezone(self.zone)

    # -- occurrences ----------------------------------------------------
    def start_utc(self, original):
        """UTC start of an occurrence (all-day: midnight in the calendar zone)."""
        if self.all_day:
            return date_to_utc(original.date(), self.calendar_zone)
        return original.astimezone(UTC)

    def occurrences(
        self,
        window_start=None,
        window_end=None,
        limit=DEFAULT_LIMIT,
        min_inclusive=False,
        horizon=True,
    ):
        """Original starts of the occurrences overlapping [window_start, window_end)
        (``min_inclusive``: an occurrence ending at ``window_start`` counts).

        Without an end and with ``horizon``, the window stops two years after
        its start or the series start, so that infinite rules stay finite;
        without ``horizon`` (events.instances, which pages) only ``limit`` does.
        """
        first = self.start_utc(self.dtstart)
        if window_end is None and horizon:
            window_end = max(first, window_start or first) + DEFAULT_HORIZON
        found = []
        for count, original in enumerate(self.rset):
            if count >= MAX_ITERATIONS or len(found) >= limit:
                break
            start = self.start_utc(original)
            if window_end is not None and start >= window_end:
                break
            end = start + self.duration
            # Google: timeMin bounds the end (exclusive), timeMax the start (exclusive).
            if window_start is not None and (
                end < window_start if min_inclusive else end <= window_start
            ):
                continue
            found.append(original)
        return found

    def suffix(self, original):
        """The part of an instance id after the underscore."""
        if self.all_day:
            return original.strftime("%Y%m%d")
        return original.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def instance_id(self, original):
        """Google's instance id: master id, underscore, original start."""
        return "%s_%s" % (self.master["id"], self.suffix(original))

    def find(self, suffix):
        """The original start named by an instance id suffix, if it is an occurrence."""
        try:
            moment, is_date, is_utc = _parse_ical_datetime(suffix)
        except ValueError:
            return None
        if self.all_day != is_date or (not is_date and not is_utc):
            return None
        if self.all_day:
            candidate = moment
        else:
            candidate = moment.replace(tzinfo=UTC).astimezone(self.zone)
        start = self.start_utc(candidate)
        window = (start - timedelta(microseconds=1), start + timedelta(seconds=1))
        for original in self.occurrences(*window, limit=MAX_ITERATIONS):
            if self.suffix(original) == suffix:
                return original
        return None

    def original_start_time(self, original):
        """``originalStartTime`` of an occurrence, as Google writes it."""
        if self.all_day:
            return {"date": original.date().isoformat()}
        return {
            "dateTime": format_datetime(original.astimezone(self.zone)),
            "timeZone": self.master["start"]["timeZone"],
        }

    def materialize(self, original):
        """The occurrence as an event dict (what ``instances`` returns for it)."""
        master = self.master
        instance = {
            key: copy.deepcopy(value) for key, value in master.items() if key != "recurrence"
        }
        instance["id"] = self.instance_id(original)
        instance["recurringEventId"] = master["id"]
        instance["originalStartTime"] = self.original_start_time(original)
        instance["_orig"] = self.suffix(original)
        if self.all_day:
            day = original.date()
            instance["start"] = {"date": day.isoformat()}
            instance["end"] = {"date": (day + self.duration).isoformat()}
        else:
            zone_name = master["start"]["timeZone"]
            end = (original.astimezone(UTC) + self.duration).astimezone(self.zone)
            instance["start"] = {"dateTime": format_datetime(original), "timeZone": zone_name}
            instance["end"] = {
                "dateTime": format_datetime(end),
                "timeZone": master["end"].get("timeZone", zone_name),
            }
        return instance


def split_instance_id(event_id):
    """('master', 'suffix') for an instance id, else None."""
    if "_" not in event_id:
        return None
    master_id, _, suffix = event_id.rpartition("_")
    return (master_id, suffix) if master_id and suffix else None
