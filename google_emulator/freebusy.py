"""freeBusy.query: when calendars are busy, without saying with what.

As the reference (https://developers.google.com/workspace/calendar/api/v3/reference/freebusy/query)
and the discovery document describe it: a POST body ``{timeMin, timeMax,
timeZone?, groupExpansionMax?, calendarExpansionMax?, items: [{id}]}``, an
answer ``{kind: "calendar#freeBusy", timeMin, timeMax, calendars: {id: {busy:
[{start, end}], errors?: [{domain, reason}]}}}`` with ``start`` inclusive and
``end`` exclusive. A calendar that cannot be answered does not fail the request:
its entry carries ``errors`` and an empty ``busy``.

Choices where Google's pages are silent, each from what clients report:

* Busy periods are clipped to [timeMin, timeMax) and merged when they overlap
  or touch: free/busy says when the calendar is busy, not how many events make
  it so. Sorted by start.
* ``timeMin``/``timeMax`` come back in UTC with milliseconds
  (``2013-11-30T05:00:00.000Z``), busy times without milliseconds, in UTC
  (``Z``) or, with a valid ``timeZone``, with that zone's offset -- the shapes
  real answers show. A ``timeZone`` that is not a zone is ignored.
* The range may not exceed 90 days: 400 ``timeRangeTooLong`` "The requested
  time range is too long." (cal.com met it and found "The Google /freeBusy
  endpoint has a maximum time span of 90 days", calcom/cal.diy#11696, #11962,
  #18237). ``timeMax`` not after ``timeMin`` is 400 ``timeRangeEmpty``.
* At most 50 calendars (``calendarExpansionMax``, "Maximum value is 50", or
  less when the request says so): the ones beyond are answered with the error
  reason the reference lists for it, ``tooManyCalendarsRequested``, not with a
  failed request -- which is how a scheduler meets it in the field ("devolviendo
  cero bloques por calendario en vez de un error claro").
* A calendar the caller has no role on, or that does not exist, is ``notFound``
  (domain ``global``); ``freeBusyReader`` is enough to be answered.

What is busy: see :func:`eventtypes.blocks_time`. Recurring events are expanded
over the window only; nothing is scanned minute by minute. Groups are not
modelled (no ``groups`` in the answer).
"""

from datetime import date, datetime, timedelta

from . import errors
from .copies import email_key, own_entry
from .events import event_bounds_utc
from .eventtypes import blocks_time
from .recurrence import MAX_ITERATIONS, Series
from .timeutil import UTC, date_to_utc, format_datetime, get_zone, parse_query_time

MAX_RANGE = timedelta(days=90)
MAX_CALENDARS = 50
MAX_GROUP_MEMBERS = 100


def _utc_millis(moment):
    """``2013-11-30T05:00:00.000Z``: how Google echoes timeMin and timeMax."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def _body_time(body, name):
    value = body.get(name)
    if value is None:
        raise errors.required("Missing %s parameter." % name)
    parsed = parse_query_time(value) if isinstance(value, str) else None
    if parsed is None:
        raise errors.bad_request("Invalid value for: %s" % name)
    return parsed


def _expansion_max(body, name, ceiling):
    value = body.get(name)
    if value is None:
        return ceiling
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= ceiling:
        raise errors.bad_request("Invalid value for: %s" % name)
    return value


def merge_intervals(spans):
    """Sorted, merged [start, end) intervals: overlapping or touching ones become one."""
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]


def _stored_instant(value, cal):
    """A stored ``start``/``end`` as a UTC instant. Stored values were rendered
    by validation (ISO dates, ISO date-times with an offset), which
    ``fromisoformat`` reads far faster than the general RFC 3339 parser; anything
    else raises and takes the general path."""
    if "dateTime" in value:
        moment = datetime.fromisoformat(value["dateTime"])
        if moment.tzinfo is None:
            raise ValueError(value)
        return moment.astimezone(UTC)
    return date_to_utc(date.fromisoformat(value["date"]), get_zone(cal.time_zone))


class FreeBusy:
    """The freeBusy logic of :class:`service.CalendarService` (which provides
    ``store``, ``lock`` and ``access_role``)."""

    def free_busy(self, email, body):
        """freeBusy.query for the user ``email``; see the module docstring."""
        if not isinstance(body, dict):
            raise errors.parse_error()
        time_min = _body_time(body, "timeMin")
        time_max = _body_time(body, "timeMax")
        if time_max <= time_min:
            raise errors.time_range_empty()
        if time_max - time_min > MAX_RANGE:
            raise errors.bad_request(
                "The requested time range is too long.",
                reason="timeRangeTooLong",
                domain="calendar",
            )
        limit = _expansion_max(body, "calendarExpansionMax", MAX_CALENDARS)
        _expansion_max(body, "groupExpansionMax", MAX_GROUP_MEMBERS)
        items = body.get("items") or []
        if not isinstance(items, list):
            raise errors.bad_request("Invalid value for: items")
        ids = []
        for item in items:
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str) or not item_id:
                raise errors.required("Missing items.id.")
            if item_id not in ids:
                ids.append(item_id)
        zone_name = body.get("timeZone")
        zone = (get_zone(zone_name) if isinstance(zone_name, str) else None) or UTC
        calendars = {}
        with self.lock:
            for position, item_id in enumerate(ids):
                if position >= limit:
                    calendars[item_id] = self._fb_error("calendar", "tooManyCalendarsRequested")
                    continue
                cal = self._fb_calendar(email, item_id)
                if cal is None:
                    calendars[item_id] = self._fb_error("global", "notFound")
                    continue
                calendars[item_id] = {
                    "busy": [
                        {
                            "start": format_datetime(start.astimezone(zone)),
                            "end": format_datetime(end.astimezone(zone)),
                        }
                        for start, end in self.busy_intervals(cal, time_min, time_max)
                    ]
                }
        return {
            "kind": "calendar#freeBusy",
            "timeMin": _utc_millis(time_min),
            "timeMax": _utc_millis(time_max),
            "calendars": calendars,
        }

    @staticmethod
    def _fb_error(domain, reason):
        return {"errors": [{"domain": domain, "reason": reason}], "busy": []}

    def _fb_calendar(self, email, item_id):
        """The calendar an item names ("primary", an id, an account's e-mail in
        any case) if ``email`` has at least free/busy access to it, else None."""
        cal_id = email if item_id == "primary" else item_id
        cal = self.store.calendars.get(cal_id)
        if cal is None:
            account = self.store.account_index.get(email_key(cal_id))
            cal = self.store.calendars.get(account) if account else None
        if cal is None or self.access_role(email, cal) == "none":
            return None
        return cal

    def busy_intervals(self, cal, time_min, time_max):
        """Merged busy [start, end) UTC intervals of ``cal`` within the window."""
        spans = []
        taken = {}
        for event in cal.events.values():
            if "recurringEventId" in event:
                taken.setdefault(event["recurringEventId"], set()).add(event["id"])
        for event in cal.events.values():
            if not blocks_time(event, cal.id, own_entry):
                continue
            if event.get("recurrence"):
                spans.extend(self._series_spans(cal, event, taken, time_min, time_max))
                continue
            start, end = self._cached_bounds(cal, event)
            if start < time_max and end > time_min:
                spans.append((start, end))
        clipped = [(max(start, time_min), min(end, time_max)) for start, end in spans]
        return merge_intervals([(start, end) for start, end in clipped if end > start])

    @staticmethod
    def _cached_bounds(cal, event):
        """UTC (start, end) of a stored event, parsed once per version (etag)."""
        known = cal.bounds_cache.get(event["id"])
        if known is not None and known[0] == event["etag"] and known[1] == cal.time_zone:
            return known[2], known[3]
        try:
            start, end = _stored_instant(event["start"], cal), _stored_instant(event["end"], cal)
        except (KeyError, TypeError, ValueError):
            start, end = event_bounds_utc(event, cal.time_zone)
        cal.bounds_cache[event["id"]] = (event["etag"], cal.time_zone, start, end)
        return start, end

    @staticmethod
    def _series_spans(cal, master, taken, time_min, time_max):
        """The occurrences of a series within the window, less those that are
        stored as exceptions (counted on their own)."""
        series = Series(master, cal.time_zone)
        skip = taken.get(master["id"], ())
        for original in series.occurrences(time_min, time_max, limit=MAX_ITERATIONS):
            if skip and series.instance_id(original) in skip:
                continue
            start = series.start_utc(original)
            if series.all_day:
                end = date_to_utc((original + series.duration).date(), series.calendar_zone)
            else:
                end = start + series.duration
            yield start, end
