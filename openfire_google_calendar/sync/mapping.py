# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""RDV <-> Google event body, both directions, and nothing else.

:func:`rdv_to_event` builds the body we send; it trusts its input (the Odoo
layer built it) and raises ``ValueError`` on a programming error such as a
naive datetime.

:func:`event_to_rdv` reads whatever Google sends. It never raises: fields it
cannot use are replaced by a sensible value and listed in ``problems`` so the
item can be reported, and only an event without a usable start (and not
cancelled) gives no RDV at all. One bad event thus never stops the sync of
the others.
"""

import re
from contextlib import suppress
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .content_hash import attendee_key, content_hash, recurrence_key
from .rdv import CANCELLED, CONFIRMED, TENTATIVE, Rdv, state_of
from .text import clean_text

# extendedProperties.private keys naming the database and the RDV of an event
# we created (keys at most 44 characters, values at most 1024).
PROP_DATABASE = "openfireDb"
PROP_RDV = "openfireRdv"
# When the RDV was created (:attr:`.rdv.Rdv.stamp`): an RDV that got the id of
# another one again (a database restored from an older backup) is not the
# RDV this event was made for. Events written before it existed have none.
PROP_STAMP = "openfireBorn"
# The content hash of the version we last wrote: when the link to an event is
# lost (a kill between Google's answer and the commit, a restored backup, the
# connector installed again), it is the version both sides last shared, so
# the next sync can tell which side changed instead of guessing.
PROP_PUSHED = "openfireHash"
# An integrator's values travel as extendedProperties.shared keys with this
# prefix: shared, so every copy of the event carries them.
PROP_EXTRA = "openfire."

RECURRENCE_NAMES = ("RRULE", "EXRULE", "RDATE", "EXDATE")
_STATUSES = (CONFIRMED, TENTATIVE, CANCELLED)


_OFFSET_ZONE = re.compile(r"^(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def zone(name):
    """The ZoneInfo called ``name``, or None when there is no such zone.
    ``GMT+02:00`` / ``UTC-05:00`` (as Outlook and others write) are fixed
    offsets (see :func:`zone_name`)."""
    name = zone_name(name)
    if name is None:
        return None
    if name.startswith("UTC") and name != "UTC":
        return _fixed_offset(name)
    return ZoneInfo(name)


def zone_name(name):
    """The IANA name of the zone ``name`` stands for, None when unknown: an IANA
    name itself; ``GMT+02:00`` / ``UTC+02:00`` as ``Etc/GMT-2`` (POSIX signs);
    an offset that is not whole hours as ``UTC+05:30``."""
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in name:
        return None
    with suppress(ZoneInfoNotFoundError, ValueError, OSError):
        ZoneInfo(name)
        return name
    match = _OFFSET_ZONE.match(name.strip())
    if not match:
        return None
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes >= 60:
        return None
    if not (hours or minutes):
        return "UTC"
    if not minutes:
        return "Etc/GMT%s%d" % ("-" if sign == "+" else "+", hours)
    return "UTC%s%02d:%02d" % (sign, hours, minutes)


def offset_zone_name(offset):
    """The zone name of a fixed UTC ``offset`` (a timedelta), as :func:`zone_name`
    writes it: ``UTC``, ``Etc/GMT-2`` for +02:00, ``UTC+05:30``; None when no
    zone has that offset (beyond ±14:00, or seconds)."""
    minutes, seconds = divmod(int(offset.total_seconds()), 60)
    if seconds:
        return None
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return zone_name("UTC%s%02d:%02d" % (sign, hours, minutes))


def _fixed_offset(name):
    match = _OFFSET_ZONE.match(name)
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    return timezone(timedelta(minutes=-minutes if match.group(1) == "-" else minutes), name)


def format_datetime(value):
    """RFC 3339 to the second, with the numeric offset Google uses."""
    text = value.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# -- Odoo -> Google --------------------------------------------------------
def _event_time(value, all_day, tz_name, for_patch):
    if all_day:
        day = value.date() if isinstance(value, datetime) else value
        out = {"date": day.isoformat()}
        if for_patch:
            out.update(dateTime=None, timeZone=None)
        return out
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError("a timed RDV needs aware datetimes, got %r" % (value,))
    tz = zone(tz_name) or timezone.utc
    out = {
        "dateTime": format_datetime(value.astimezone(tz)),
        "timeZone": tz_name if zone(tz_name) else "UTC",
    }
    if for_patch:
        out["date"] = None
    return out


def rdv_to_event(rdv, database_uuid, event_id=None, for_patch=False):
    """The Google event body for ``rdv``.

    ``event_id`` is set for an insert (client-chosen id). ``for_patch`` adds
    explicit nulls so that a patch can switch between all-day and timed.
    No attendees: Google would copy the event to each of them, so the
    technicians are named in the description (:mod:`.event_content`), and
    the guests a technician adds are left as they are.
    All-day: Odoo's inclusive last day becomes Google's exclusive end date.
    """
    if rdv.start is None:
        raise ValueError("RDV %s has no start" % rdv.key)
    end = rdv.end if rdv.end is not None else rdv.start
    if rdv.all_day:
        last_day = end.date() if isinstance(end, datetime) else end
        end = last_day + timedelta(days=1)
    body = {
        "summary": clean_text(rdv.summary, "summary")[0],
        "description": clean_text(rdv.description, "description")[0],
        "location": clean_text(rdv.location, "location")[0],
        "start": _event_time(rdv.start, rdv.all_day, rdv.tz, for_patch),
        "end": _event_time(end, rdv.all_day, rdv.tz, for_patch),
        "status": rdv.status,
        "extendedProperties": {
            "private": {
                PROP_DATABASE: database_uuid,
                PROP_RDV: rdv.key,
                PROP_PUSHED: content_hash(rdv),
            }
        },
    }
    if rdv.stamp:
        body["extendedProperties"]["private"][PROP_STAMP] = rdv.stamp
    # An empty value is no property (a patch removes it: JSON merge patch).
    shared = {
        PROP_EXTRA + str(name): str(value)[:1024] if value else None
        for name, value in rdv.extra
        if value or for_patch
    }
    if shared:
        body["extendedProperties"]["shared"] = shared
    if rdv.color_id:
        body["colorId"] = str(rdv.color_id)
    if rdv.reminders is not None:
        body["reminders"] = reminders_body(rdv.reminders)
    if not rdv.is_exception:
        body["recurrence"] = recurrence_key(rdv.recurrence)
    if event_id is not None:
        body["id"] = event_id
    return body


# What the connector writes back of an attendee it keeps: who he is and his answer.
_GUEST_FIELDS = ("email", "displayName", "optional", "responseStatus", "comment")


def claim_body(rdv, database_uuid, shared_hash):
    """The patch that names an event made elsewhere (on the phone) after the
    RDV it became (key and stamp), ``shared_hash`` being the hash of that RDV
    as Odoo now has it (:data:`PROP_PUSHED`: Odoo unchanged since reads as
    such when the pair is lost): private properties only, so its content
    stays as the phone wrote it."""
    private = {PROP_DATABASE: database_uuid, PROP_RDV: rdv.key, PROP_PUSHED: shared_hash}
    private[PROP_STAMP] = rdv.stamp or None
    return {"extendedProperties": {"private": private}}


def attendees_body(guests):
    """Google's ``attendees`` list keeping these ``guests`` (Google's attendee
    objects) as they answered. The connector writes one only to remove the
    invitations of an older version, see :func:`.pair.uninvited_guests`."""
    return [{name: guest[name] for name in _GUEST_FIELDS if name in guest} for guest in guests]


def reminders_body(minutes):
    """Google's ``reminders`` object: popups at these minutes before, or the
    calendar's defaults when there is none."""
    minutes = sorted({int(m) for m in minutes if m is not None and 0 <= int(m) <= 40320})
    if not minutes:
        return {"useDefault": True}
    return {
        "useDefault": False,
        "overrides": [{"method": "popup", "minutes": m} for m in minutes[:5]],
    }


# -- Google -> Odoo --------------------------------------------------------
def owner_of(event):
    """(database uuid, RDV key) from an event we created, else None."""
    props = event.get("extendedProperties") if isinstance(event, dict) else None
    private = props.get("private") if isinstance(props, dict) else None
    if not isinstance(private, dict):
        return None
    database, key = private.get(PROP_DATABASE), private.get(PROP_RDV)
    if isinstance(database, str) and isinstance(key, str) and database and key:
        return database, key
    return None


def stamp_of(event):
    """The RDV stamp we wrote into ``event`` (:data:`PROP_STAMP`), else None."""
    props = event.get("extendedProperties") if isinstance(event, dict) else None
    private = props.get("private") if isinstance(props, dict) else None
    value = private.get(PROP_STAMP) if isinstance(private, dict) else None
    return value if isinstance(value, str) and value else None


def made_for_another(rdv, event):
    """True when ``event`` names the key of ``rdv`` but was made for another
    RDV that had that key before (both stamped, the stamps differ): an id given
    again after a database was restored from an older backup. An event or an
    RDV without a stamp (written before stamps existed) is taken as its own."""
    stamp = stamp_of(event)
    own = getattr(rdv, "stamp", None)
    return bool(stamp and own and stamp != own)


def pushed_hash(event):
    """The content hash we wrote into ``event`` (:data:`PROP_PUSHED`), else None."""
    props = event.get("extendedProperties") if isinstance(event, dict) else None
    private = props.get("private") if isinstance(props, dict) else None
    value = private.get(PROP_PUSHED) if isinstance(private, dict) else None
    return value if isinstance(value, str) and value else None


def parse_timestamp(text):
    """An aware datetime from RFC 3339 text (``updated``), or None."""
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _parse_event_time(value, tz, field, problems):
    """(moment, all_day) from a ``start``/``end``/``originalStartTime`` object.

    ``moment`` is a date or an aware datetime in ``tz``; None when unusable.
    """
    if not isinstance(value, dict):
        if value is not None:
            problems.append("%s: not an object, ignored" % field)
        return None, False
    if value.get("dateTime") is not None:
        if value.get("date") is not None:
            problems.append("%s: both date and dateTime, dateTime used" % field)
        text = value["dateTime"]
        try:
            moment = datetime.fromisoformat(text.strip())
        except (AttributeError, ValueError):
            problems.append("%s: unreadable dateTime %r" % (field, str(text)[:64]))
            return None, False
        if moment.tzinfo is None:
            own = zone(value.get("timeZone"))
            if own is None:
                problems.append(
                    "%s: dateTime without offset nor valid zone, read in %s"
                    % (field, getattr(tz, "key", tz))
                )
            moment = moment.replace(tzinfo=own or tz)
        return moment.astimezone(tz).replace(microsecond=0), False
    if value.get("date") is not None:
        try:
            return date.fromisoformat(str(value["date"]).strip()), True
        except ValueError:
            problems.append("%s: unreadable date %r" % (field, str(value["date"])[:64]))
            return None, True
    problems.append("%s: neither date nor dateTime" % field)
    return None, False


def _own_offset_zone(event):
    """The fixed-offset zone of the event's own times: the offset of its first
    dateTime that has one; None without any."""
    for field in ("start", "end", "originalStartTime"):
        value = event.get(field)
        text = value.get("dateTime") if isinstance(value, dict) else None
        try:
            offset = datetime.fromisoformat(text.strip()).utcoffset()
        except (AttributeError, TypeError, ValueError):
            continue
        if offset is not None and offset_zone_name(offset) is not None:
            return offset_zone_name(offset)
    return None


def _event_zone(event, default_tz, problems):
    """The event's time zone name (start's, else end's), else ``default_tz``.

    A zone nobody knows is reported and replaced by the offset its dateTime
    carries (a fixed offset): the user's zone would only be a guess, hours off
    for an event made on the other side of the world. Without an offset, UTC
    for a timed event (reported), ``default_tz`` for an all-day one (no time
    depends on it)."""
    unknown = []
    for field in ("start", "end", "originalStartTime"):
        value = event.get(field)
        name = value.get("timeZone") if isinstance(value, dict) else None
        if name is None:
            continue
        if zone_name(name) is not None:
            return zone_name(name)
        unknown.append((field, str(name)[:64]))
    if not unknown:
        return default_tz
    used, why = _own_offset_zone(event), "the offset of its dateTime"
    if used is None:
        timed = any(
            isinstance(event.get(field), dict) and event[field].get("dateTime") is not None
            for field in ("start", "end")
        )
        used, why = ("UTC", "no offset given") if timed else (default_tz, "an all-day event")
    for field, name in unknown:
        problems.append("%s: unknown time zone %r, %s used (%s)" % (field, name, used, why))
    return used


def _attendees(raw, problems):
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append("attendees: not a list, ignored")
        return ()
    emails = []
    for attendee in raw:
        email = attendee.get("email") if isinstance(attendee, dict) else None
        if isinstance(email, str) and "@" in email:
            emails.append(email)
        elif attendee is not None:
            problems.append("attendees: one without a usable email, ignored")
    return tuple(attendee_key(emails))


# Google sometimes sends an RDATE list labelled as a rule:
# "RRULE:DATE;TZID=Europe/Warsaw:20230818T020000,20230915T020000,..." (no FREQ).
_RRULE_DATE = re.compile(r"^\s*RRULE\s*:\s*DATE\s*(?=[;:])", re.IGNORECASE)
_DATE_VALUE = re.compile(r"^(\d{8})(?:T(\d{6})(Z?))?$")


def _listed_dates(raw):
    """The RDATE line a malformed ``RRULE:DATE...`` line is, as Google's own clients
    read it (the dates it lists); any other line unchanged."""
    return _RRULE_DATE.sub("RDATE", raw, count=1) if isinstance(raw, str) else raw


def _first_listed(lines, tz, all_day):
    """The earliest occurrence RDATE ``lines`` list: a date for an all-day series
    (the wall date written, as for an EXDATE of an all-day series), else an aware
    datetime in ``tz``; None when no value is readable."""
    found = []
    for line in lines:
        head, _, values = line.partition(":")
        params = dict(part.split("=", 1) for part in head.split(";")[1:] if "=" in part)
        own = zone(params.get("TZID")) or tz
        for value in values.split(","):
            moment = _listed_moment(value.strip(), own, tz, all_day)
            if moment is not None:
                found.append(moment)
    return min(found) if found else None


def _listed_moment(value, own, tz, all_day):
    """One RDATE value (``YYYYMMDD``, ``YYYYMMDDTHHMMSS`` in ``own``, or ``...Z``)."""
    match = _DATE_VALUE.match(value)
    if not match:
        return None
    day = datetime.strptime(match[1], "%Y%m%d")
    if match[2] is None:
        return day.date() if all_day else day.replace(tzinfo=tz)
    moment = datetime.strptime(match[1] + match[2], "%Y%m%d%H%M%S")
    moment = moment.replace(tzinfo=timezone.utc if match[3] else own)
    if all_day:
        return (moment.astimezone(tz) if match[3] else moment).date()
    return moment.astimezone(tz)


def _recurrence(raw, problems):
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append("recurrence: not a list, ignored")
        return ()
    lines = []
    for line in map(_listed_dates, raw):
        name = (
            line.split(":", 1)[0].split(";", 1)[0].strip().upper()
            if isinstance(line, str)
            else None
        )
        if name in RECURRENCE_NAMES:
            lines.append(line)
        else:
            problems.append("recurrence: line %r ignored" % str(line)[:64])
    return tuple(recurrence_key(lines))


def _listed_start(raw, recurrence, start, end, tz, all_day):
    """(start, end) of a series Google sent as a malformed ``RRULE:DATE`` list: its
    clients show the dates listed and nothing at the event's own start, so the
    series starts at the first date listed (same length); any other event as is."""
    if start is None or not isinstance(raw, list):
        return start, end
    if not any(isinstance(line, str) and _RRULE_DATE.match(line) for line in raw):
        return start, end
    names = {line.split(":", 1)[0].split(";", 1)[0].upper() for line in recurrence}
    if names - {"RDATE", "EXDATE"}:
        return start, end  # a real rule beside it: DTSTART is its first occurrence
    first = _first_listed(
        [line for line in recurrence if line.upper().startswith("RDATE")], tz, all_day
    )
    if first is None or first == start:
        return start, end
    return first, first + (end - start)


def _bounds(event, tz, problems):
    """(start, end, all_day) of an event; end is inclusive for all-day."""
    start, all_day = _parse_event_time(event.get("start"), tz, "start", problems)
    if start is None:
        return None, None, all_day
    if event.get("end") is None:
        problems.append("end: missing, the start used")
    end, end_all_day = _parse_event_time(event.get("end"), tz, "end", problems)
    if end is not None and end_all_day != all_day:
        problems.append("end: not the same kind (date/dateTime) as start, ignored")
        end = None
    if all_day and end is not None:
        end -= timedelta(days=1)  # Google's exclusive end -> Odoo's last day
    if end is None:
        end = start
    elif end < start:
        problems.append("end: before the start, the start used")
        end = start
    return start, end, all_day


def event_to_rdv(event, default_tz="Europe/Paris"):
    """Return (rdv, problems) for a Google event; rdv is None when unusable.

    The RDV has no ``key`` nor ``series_key``: the plan knows them. Its
    ``write_date`` is the event's ``updated``.
    """
    problems = []
    if not isinstance(event, dict):
        return None, ["event: not an object"]
    status = event.get("status") or CONFIRMED
    if status not in _STATUSES:
        problems.append("status: unknown value %r, confirmed used" % str(status)[:32])
        status = CONFIRMED
    tz_name = _event_zone(event, default_tz, problems)
    tz = zone(tz_name) or timezone.utc
    original, original_all_day = _parse_event_time(
        event.get("originalStartTime"), tz, "originalStartTime", problems
    )
    start, end, all_day = _bounds(event, tz, problems)
    if start is None:
        if status != CANCELLED:
            return None, problems + ["start: missing or unusable, event not mapped"]
        all_day = original_all_day
    recurrence = _recurrence(event.get("recurrence"), problems)
    start, end = _listed_start(event.get("recurrence"), recurrence, start, end, tz, all_day)
    texts = {}
    for field in ("summary", "description", "location"):
        texts[field], text_problems = clean_text(event.get(field), field)
        problems.extend(text_problems)
    color = event.get("colorId")
    if color is not None and not isinstance(color, str | int):
        problems.append("colorId: not a text, ignored")
        color = None
    rdv = Rdv(
        key=None,
        start=start,
        end=end,
        all_day=all_day,
        tz=tz_name,
        color_id=str(color) if color not in (None, "") else None,
        state=state_of(status),
        attendees=_attendees(event.get("attendees"), problems),
        recurrence=recurrence,
        original_start=original,
        write_date=parse_timestamp(event.get("updated")),
        extra=_extra(event),
        **texts,
    )
    return rdv, problems


def _extra(event):
    """An integrator's values in the event (extendedProperties.shared keys
    with our prefix), as sorted (name, text) pairs."""
    props = event.get("extendedProperties")
    shared = props.get("shared") if isinstance(props, dict) else None
    if not isinstance(shared, dict):
        return ()
    return tuple(
        sorted(
            (key[len(PROP_EXTRA) :], value)
            for key, value in shared.items()
            if isinstance(key, str) and key.startswith(PROP_EXTRA) and isinstance(value, str)
        )
    )
