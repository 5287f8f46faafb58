"""Validation and normalisation of event bodies, as Google applies them.

The same functions serve the HTTP API and the "phone", so an event created from
the emulated phone is exactly as valid (or invalid) as one sent by the client.
Stored events are dicts in the shape Google returns, plus bookkeeping keys
starting with ``_`` that :func:`public` strips before anything leaves.
"""

import base64
import copy
import re

from . import errors
from .timeutil import UTC, date_to_utc, format_datetime, get_zone, parse_date, parse_datetime

EVENT_ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")

# Fields a client may write; everything else in a body is read-only or unknown
# and is ignored, as the Calendar API does.
WRITABLE = (
    "summary",
    "description",
    "location",
    "colorId",
    "start",
    "end",
    "endTimeUnspecified",
    "recurrence",
    "status",
    "transparency",
    "visibility",
    "attendees",
    "extendedProperties",
    "reminders",
    "guestsCanInviteOthers",
    "guestsCanModify",
    "guestsCanSeeOtherGuests",
    "anyoneCanAddSelf",
    "source",
    "sequence",
    "attachments",
    "eventType",
    "outOfOfficeProperties",
    "focusTimeProperties",
    "workingLocationProperties",
    "birthdayProperties",
)
STRING_FIELDS = ("summary", "description", "location", "colorId")
STATUSES = ("confirmed", "tentative", "cancelled")
TRANSPARENCIES = ("opaque", "transparent")
VISIBILITIES = ("default", "public", "private", "confidential")
RESPONSE_STATUSES = ("needsAction", "declined", "tentative", "accepted")
# Google's extended property limits ("Extended properties" guide): longer keys are
# silently dropped, longer values silently truncated.
MAX_PROPERTY_KEY = 44
MAX_PROPERTY_VALUE = 1024
# Fields whose change bumps ``sequence`` (the iCalendar "significant" changes).
SEQUENCE_FIELDS = ("start", "end", "recurrence", "status", "location")


def public(event):
    """The event as the API returns it: a deep copy without ``_`` keys."""
    return {key: copy.deepcopy(value) for key, value in event.items() if not key.startswith("_")}


def tombstone(event):
    """What Google lists for a cancelled event: id, etag and status only.

    Cancelled exception instances also keep ``recurringEventId`` and
    ``originalStartTime`` so that the client knows which occurrence went away.
    """
    out = {
        "kind": "calendar#event",
        "etag": event["etag"],
        "id": event["id"],
        "status": "cancelled",
    }
    for key in ("recurringEventId", "originalStartTime"):
        if key in event:
            out[key] = copy.deepcopy(event[key])
    return out


def check_event_id(event_id):
    """Client-supplied ids: base32hex (a-v, 0-9), 5 to 1024 characters."""
    if not isinstance(event_id, str) or not EVENT_ID_RE.match(event_id):
        raise errors.bad_request("Invalid resource id value.")


def html_link(base_url, event_id, calendar_id):
    """Google's ``htmlLink``; points at the emulator's web page when it runs."""
    eid = base64.urlsafe_b64encode(("%s %s" % (event_id, calendar_id)).encode())
    eid = eid.decode().rstrip("=")
    if base_url:
        return "%s/ui/event?eid=%s" % (base_url, eid)
    return "https://www.google.com/calendar/event?eid=%s" % eid


def decode_eid(eid):
    """Reverse :func:`html_link`'s eid into (event id, calendar id), or None."""
    try:
        raw = base64.urlsafe_b64decode(eid + "=" * (-len(eid) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    parts = raw.split(" ", 1)
    return tuple(parts) if len(parts) == 2 else None


def merge_patch(target, patch):
    """Patch semantics: objects merge recursively, arrays and scalars replace,
    ``null`` clears. For ``start``/``end`` giving ``date`` drops ``dateTime``
    and vice versa, so switching between all-day and timed needs no nulls.
    """
    result = copy.deepcopy(target)
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, dict) and isinstance(result.get(key), dict):
            base = result[key]
            if key in ("start", "end", "originalStartTime"):
                if "date" in value:
                    base.pop("dateTime", None)
                    if "timeZone" not in value:
                        base.pop("timeZone", None)
                if "dateTime" in value:
                    base.pop("date", None)
            result[key] = merge_patch(base, value)
        else:
            result[key] = copy.deepcopy(value)
    return result


def writable_fields(body):
    """Keep only what a client may write."""
    return {key: copy.deepcopy(body[key]) for key in WRITABLE if key in body}


class EventTime:
    """One parsed ``start`` or ``end``: an all-day date or an aware instant."""

    def __init__(self, day=None, instant=None, zone_name=None):
        self.day = day
        self.instant = instant
        self.zone_name = zone_name

    @property
    def all_day(self):
        """True for ``{"date": ...}`` values."""
        return self.day is not None

    def utc(self, calendar_zone=None):
        """The instant in UTC; all-day dates start at midnight in the calendar zone."""
        if self.all_day:
            return date_to_utc(self.day, calendar_zone)
        return self.instant.astimezone(UTC)

    def render(self, calendar_zone_name):
        """Google's output: ``dateTime`` in the event's (or calendar's) zone."""
        if self.all_day:
            return {"date": self.day.isoformat()}
        zone = get_zone(self.zone_name or calendar_zone_name) or UTC
        out = {"dateTime": format_datetime(self.instant.astimezone(zone))}
        if self.zone_name:
            out["timeZone"] = self.zone_name
        return out


def parse_event_time(value, which, recurring=False):
    """Validate a ``start``/``end`` object and return an :class:`EventTime`.

    Explicit nulls (``"date": null`` beside a ``dateTime``) count as absent,
    as at Google."""
    if isinstance(value, dict):
        value = {key: item for key, item in value.items() if item is not None}
    if not isinstance(value, dict) or not ("date" in value or "dateTime" in value):
        raise errors.required("Missing %s time." % which)
    if "date" in value and "dateTime" in value:
        raise errors.bad_request("Invalid %s time." % which)
    zone_name = value.get("timeZone")
    if zone_name is not None and get_zone(zone_name) is None:
        raise errors.bad_request("Invalid time zone definition for %s time." % which)
    if "date" in value:
        day = parse_date(value["date"])
        if day is None:
            raise errors.bad_request("Invalid %s time." % which)
        return EventTime(day=day, zone_name=zone_name)
    instant = parse_datetime(value["dateTime"])
    if instant is None:
        raise errors.bad_request("Invalid %s time." % which)
    if recurring and not zone_name:
        raise errors.required("Missing time zone definition for %s time." % which)
    if instant.tzinfo is None:
        if not zone_name:
            raise errors.required("Missing time zone definition for %s time." % which)
        instant = instant.replace(tzinfo=get_zone(zone_name))
    return EventTime(instant=instant, zone_name=zone_name)


def parse_bounds(event):
    """(start, end) EventTimes of a stored (already valid) event."""
    return (parse_event_time(event["start"], "start"), parse_event_time(event["end"], "end"))


def event_bounds_utc(event, calendar_zone_name):
    """(start, end) of a stored event as UTC datetimes, for window filters."""
    zone = get_zone(calendar_zone_name)
    start, end = parse_bounds(event)
    return start.utc(zone), end.utc(zone)


def validate(event, calendar_zone_name):
    """Check a complete event body (after merge) and normalise it in place.

    Raises :class:`errors.ApiError` with Google's reason on the first problem.
    """
    for key in STRING_FIELDS:
        if key in event and event[key] is None:
            del event[key]  # Google reads an explicit null as "not set"
        elif key in event and not isinstance(event[key], str):
            raise errors.bad_request("Invalid value for: %s" % key)
    recurring = bool(event.get("recurrence"))
    start, end = event.get("start"), event.get("end")
    if (
        recurring
        and isinstance(start, dict)
        and isinstance(end, dict)
        and start.get("timeZone")
        and "dateTime" in end
    ):
        # Google accepts a recurring event whose end omits the zone of its start.
        end.setdefault("timeZone", start["timeZone"])
    if "start" not in event:
        raise errors.required("Missing start time.")
    if "end" not in event:
        raise errors.required("Missing end time.")
    start = parse_event_time(event["start"], "start", recurring)
    end = parse_event_time(event["end"], "end", recurring)
    if start.all_day != end.all_day:
        raise errors.bad_request(
            "Start and end times must either both be date or both be dateTime."
        )
    if start.all_day:
        if end.day <= start.day:
            raise errors.time_range_empty()
    elif end.instant < start.instant:
        raise errors.time_range_empty()
    event["start"] = start.render(calendar_zone_name)
    event["end"] = end.render(calendar_zone_name)
    _check_enum(event, "status", STATUSES)
    _check_enum(event, "transparency", TRANSPARENCIES)
    _check_enum(event, "visibility", VISIBILITIES)
    if "recurrence" in event:
        lines = event["recurrence"]
        if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
            raise errors.bad_request("Invalid recurrence rule.")
        if not lines:
            del event["recurrence"]
    _check_attendees(event)
    _check_extended_properties(event)
    _check_reminders(event)
    return event


def _check_enum(event, key, allowed):
    if key in event and event[key] not in allowed:
        raise errors.bad_request("Invalid value for: %s" % key)


def _check_attendees(event):
    attendees = event.get("attendees")
    if attendees is None:
        return
    if not isinstance(attendees, list):
        raise errors.bad_request("Invalid value for: attendees")
    for attendee in attendees:
        if not isinstance(attendee, dict) or not attendee.get("email"):
            raise errors.required("Missing attendee email.")
        if not isinstance(attendee["email"], str) or "@" not in attendee["email"]:
            raise errors.bad_request("Invalid attendee email.")
        status = attendee.setdefault("responseStatus", "needsAction")
        if status not in RESPONSE_STATUSES:
            raise errors.bad_request("Invalid value for: responseStatus")


def _check_extended_properties(event):
    props = event.get("extendedProperties")
    if props is None:
        return
    if not isinstance(props, dict) or set(props) - {"private", "shared"}:
        raise errors.bad_request("Invalid value for: extendedProperties")
    for scope in ("private", "shared"):
        values = props.get(scope)
        if values is None:
            props.pop(scope, None)
            continue
        if not isinstance(values, dict):
            raise errors.bad_request("Invalid value for: extendedProperties.%s" % scope)
        for key, value in list(values.items()):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                values[key] = value = str(value)  # Google stores numbers as strings
            if value is None:
                del values[key]
            elif not isinstance(value, str):
                raise errors.bad_request("Invalid extended property: %s.%s" % (scope, key))
            elif len(key) > MAX_PROPERTY_KEY:
                del values[key]  # Google: longer keys are silently dropped
            elif len(value) > MAX_PROPERTY_VALUE:
                values[key] = value[:MAX_PROPERTY_VALUE]  # ... longer values truncated


def _check_reminders(event):
    reminders = event.get("reminders")
    if reminders is None:
        return
    if not isinstance(reminders, dict):
        raise errors.bad_request("Invalid value for: reminders")
    if reminders.get("useDefault") and reminders.get("overrides"):
        raise errors.bad_request(
            "Cannot specify both default reminders and overrides at the same time.",
            reason="cannotUseDefaultRemindersAndSpecifyOverride",
        )


def sequence_bump(old, new):
    """True when a change is significant enough to raise ``sequence``."""
    return any(old.get(key) != new.get(key) for key in SEQUENCE_FIELDS)


def matches_text(event, text):
    """The ``q`` filter: case-insensitive search in the visible text fields, the
    organizer's and the attendees' e-mails and names."""
    needle = text.lower()
    haystack = [event.get(key) or "" for key in ("summary", "description", "location")]
    organizer = event.get("organizer") or {}
    haystack += [organizer.get("email", ""), organizer.get("displayName", "")]
    for attendee in event.get("attendees") or ():
        haystack.append(attendee.get("email", ""))
        haystack.append(attendee.get("displayName", ""))
    return any(needle in value.lower() for value in haystack)


def matches_properties(event, scope, wanted):
    """``privateExtendedProperty``/``sharedExtendedProperty``: all must match."""
    props = (event.get("extendedProperties") or {}).get(scope) or {}
    return all(props.get(key) == value for key, value in wanted)
