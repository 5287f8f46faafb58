"""Event types (``eventType``) and the rules Google gives each of them.

Sources: the Events reference (``eventType``: "This cannot be modified after
the event is created", ``fromGmail``: "This type of event cannot be created"),
the event types guide
(https://developers.google.com/workspace/calendar/api/guides/event-types:
birthdays) and the status events guide
(https://developers.google.com/workspace/calendar/api/guides/calendar-status:
focus time, out of office, working location).

What those pages ask, enforced here on the complete body (after a patch is
merged), so that insert, patch, update, the phone and the web page agree:

* ``focusTime`` and ``outOfOffice``: primary calendars only ("These features
  are only available on primary calendars"), ``transparency`` opaque, timed
  ("cannot be all-day events"), with their ``*Properties`` object;
* ``workingLocation``: primary only, ``visibility`` public, ``transparency``
  transparent, timed or an all-day event of exactly one day, with
  ``workingLocationProperties.type`` one of homeOffice/officeLocation/
  customLocation ("Any other fields are ignored");
* ``birthday``: an all-day event of exactly one day, private, transparent,
  recurring ``RRULE:FREQ=YEARLY`` (February 29: ``...;BYMONTH=2;BYMONTHDAY=-1``),
  with nothing but ``colorId``, ``summary``, ``reminders`` and
  ``birthdayProperties`` (``type`` birthday, no contact) besides;
* ``fromGmail``: never created through the API;
* a ``*Properties`` object on another type: "outOfOfficeProperties requires an
  event type of outOfOffice" (Google's answer, quoted in dust-tt/dust#25311);
* status events have no guests (macro-inc/macro#6183 refuses them up front "so
  Google never rejects a write"), hence no attendees' copies;
* the type never changes; an update that leaves ``eventType`` out asks for
  ``default`` ("If unset, 'default' type will be used"), so it is refused on
  another type, as the guide's "the event must maintain the required fields".

Google's reasons for these refusals are not published: a malformed body is 400
``invalid`` (``required`` for a missing object), an operation the type does not
allow (another calendar than the primary, creating ``fromGmail``, changing the
type) is 400 ``eventTypeRestriction``, the reason Google uses for moving such
events. Clients should rely on the status and the reason's family, not the text.
"""

from . import errors
from .timeutil import parse_date

DEFAULT = "default"
EVENT_TYPES = ("default", "birthday", "focusTime", "fromGmail", "outOfOffice", "workingLocation")
STATUS_TYPES = ("focusTime", "outOfOffice", "workingLocation")
PROPERTIES = {
    "birthday": "birthdayProperties",
    "focusTime": "focusTimeProperties",
    "outOfOffice": "outOfOfficeProperties",
    "workingLocation": "workingLocationProperties",
}
LABELS = {
    "birthday": "Birthday",
    "focusTime": "Focus time",
    "fromGmail": "Events from Gmail",
    "outOfOffice": "Out of office",
    "workingLocation": "Working location",
}
AUTO_DECLINE_MODES = (
    "declineNone",
    "declineAllConflictingInvitations",
    "declineOnlyNewConflictingInvitations",
)
CHAT_STATUSES = ("available", "doNotDisturb")
# Sub-object each working location type may carry, and its known keys.
WORKING_LOCATIONS = {
    "homeOffice": None,
    "officeLocation": ("buildingId", "deskId", "floorId", "floorSectionId", "label"),
    "customLocation": ("label",),
}
BIRTHDAY_RULES = ("RRULE:FREQ=YEARLY",)
BIRTHDAY_LEAP_RULE = "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"
# What a birthday may carry besides its type, times and rule (the guide: "Can't
# have any other event properties"); status and sequence are bookkeeping.
BIRTHDAY_FIELDS = {
    "eventType",
    "start",
    "end",
    "recurrence",
    "visibility",
    "transparency",
    "summary",
    "colorId",
    "reminders",
    "birthdayProperties",
    "status",
    "sequence",
}


def _invalid(message):
    return errors.bad_request(message)


def _restricted(message):
    return errors.bad_request(message, reason="eventTypeRestriction")


def check_event_type(fields, calendar, current_type=None, instance=False):
    """Validate and complete ``fields`` (a validated event body) for its type.

    ``current_type`` is the stored event's type for a patch or an update
    (None on insert); ``instance``: the body is one occurrence of a series
    (it carries no ``recurrence``). Raises :class:`errors.ApiError`."""
    kind = fields.get("eventType")
    if kind is None:
        kind = DEFAULT
    if kind not in EVENT_TYPES:
        raise _invalid("Invalid event type: %s" % (kind,))
    fields["eventType"] = kind
    if current_type is not None and kind != current_type:
        raise _restricted("The event type cannot be changed.")
    if current_type is None and kind == "fromGmail":
        raise _restricted("Events of type fromGmail cannot be created.")
    for owner, prop in PROPERTIES.items():
        if fields.get(prop) is None:
            fields.pop(prop, None)
        elif owner != kind:
            raise _invalid("%s requires an event type of %s" % (prop, owner))
    if kind in STATUS_TYPES:
        _check_status_event(fields, calendar, kind)
    elif kind == "birthday":
        _check_birthday(fields, instance)
    return fields


def _is_all_day(fields):
    return "date" in fields["start"]


def _spans_one_day(fields):
    return (parse_date(fields["end"]["date"]) - parse_date(fields["start"]["date"])).days == 1


def _require_value(fields, key, wanted, label):
    value = fields.setdefault(key, wanted)
    if value != wanted:
        raise _invalid("%s events must have %s %s." % (label, key, wanted))


def _check_status_event(fields, calendar, kind):
    label = LABELS[kind]
    if not calendar.primary:
        raise _restricted("%s events can only be created on the primary calendar." % label)
    if fields.get("attendees"):
        raise _invalid("%s events cannot have attendees." % label)
    fields.pop("attendees", None)
    prop = PROPERTIES[kind]
    if prop not in fields:
        raise errors.required("Missing %s." % prop)
    if not isinstance(fields[prop], dict):
        raise _invalid("Invalid value for: %s" % prop)
    if kind == "workingLocation":
        _require_value(fields, "visibility", "public", label)
        _require_value(fields, "transparency", "transparent", label)
        if _is_all_day(fields) and not _spans_one_day(fields):
            raise _invalid("All-day working location events must span exactly one day.")
        fields[prop] = _working_location(fields[prop])
        return
    if _is_all_day(fields):
        raise _invalid("%s events cannot be all-day events." % label)
    _require_value(fields, "transparency", "opaque", label)
    fields[prop] = _decline_properties(fields[prop], prop, kind == "focusTime")


def _decline_properties(value, prop, focus):
    out = {}
    mode = value.get("autoDeclineMode")
    if mode is not None:
        if mode not in AUTO_DECLINE_MODES:
            raise _invalid("Invalid value for: %s.autoDeclineMode" % prop)
        out["autoDeclineMode"] = mode
    message = value.get("declineMessage")
    if message is not None:
        if not isinstance(message, str):
            raise _invalid("Invalid value for: %s.declineMessage" % prop)
        out["declineMessage"] = message
    if focus:
        status = value.get("chatStatus")
        if status is not None:
            if status not in CHAT_STATUSES:
                raise _invalid("Invalid value for: %s.chatStatus" % prop)
            out["chatStatus"] = status
    return out


def _working_location(value):
    kind = value.get("type")
    if kind is None:
        raise errors.required("Missing workingLocationProperties.type.")
    if kind not in WORKING_LOCATIONS:
        raise _invalid("Invalid value for: workingLocationProperties.type")
    out = {"type": kind}
    detail = value.get(kind)
    keys = WORKING_LOCATIONS[kind]
    if kind == "homeOffice":
        if detail is not None:
            out[kind] = detail
    elif detail is not None:
        if not isinstance(detail, dict) or not all(
            isinstance(detail[key], str) for key in keys if detail.get(key) is not None
        ):
            raise _invalid("Invalid value for: workingLocationProperties.%s" % kind)
        out[kind] = {key: detail[key] for key in keys if detail.get(key) is not None}
    return out


def _check_birthday(fields, instance):
    extra = sorted(
        key for key in fields if key not in BIRTHDAY_FIELDS and fields[key] not in ({}, [])
    )
    if extra:
        raise _invalid("Birthday events cannot have %s." % ", ".join(extra))
    if not _is_all_day(fields) or not _spans_one_day(fields):
        raise _invalid("Birthday events must be all-day events of exactly one day.")
    _require_value(fields, "visibility", "private", "Birthday")
    _require_value(fields, "transparency", "transparent", "Birthday")
    if not instance:
        leap = fields["start"]["date"][5:] == "02-29"
        wanted = (BIRTHDAY_LEAP_RULE,) if leap else BIRTHDAY_RULES
        if tuple(fields.get("recurrence") or ()) != wanted:
            raise _invalid("Birthday events must recur yearly: %s." % wanted[0])
    props = fields.get("birthdayProperties") or {}
    if not isinstance(props, dict):
        raise _invalid("Invalid value for: birthdayProperties")
    if (
        props.get("type", "birthday") != "birthday"
        or props.get("customTypeName")
        or props.get("contact")
    ):
        raise _invalid(
            "Only birthdayProperties.type birthday, without contact or custom type name, "
            "can be created."
        )
    fields["birthdayProperties"] = {"type": "birthday"}


def blocks_time(event, calendar_id, own_entry):
    """Whether an event (or occurrence) makes its calendar busy, as free/busy
    reports it: not cancelled, not transparent ("does not block time on the
    calendar"), not a working location (transparent by the guide), and not
    declined by the calendar's own attendee entry."""
    if event.get("status") == "cancelled":
        return False
    if event.get("transparency") == "transparent":
        return False
    if event.get("eventType") == "workingLocation":
        return False
    mine = own_entry(event.get("attendees"), calendar_id)
    return mine is None or mine.get("responseStatus") != "declined"
