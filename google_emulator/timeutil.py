"""Dates, times and time zones as the Calendar API writes them.

The API mixes three notations: RFC 3339 timestamps with an offset
(``2024-01-01T10:00:00+01:00``), all-day dates (``2024-01-01``) and IANA zone
names. Keeping their parsing here means every module agrees on what is valid.
"""

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = timezone.utc

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
    r"([Zz]|[+-]\d{2}:\d{2})?$"
)
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


_FIXED_OFFSET = re.compile(r"^(?:GMT|UTC)([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def fixed_offset_zone(name):
    """The fixed offset of an Outlook/Exchange-style zone name (``GMT+02:00``,
    ``UTC-05:00``, ``GMT+2``), which Google passes through from invitations, or None.
    (IANA's ``Etc/GMT+2``, whose sign is reversed, is a real zone, not this.)"""
    match = _FIXED_OFFSET.match(name.strip()) if isinstance(name, str) else None
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta, name.strip())


def get_zone(name, offsets=True):
    """The tzinfo of an IANA name, or (``offsets``) of a ``GMT±hh:mm`` name; None
    when it is not a valid zone."""
    if not isinstance(name, str) or not name or name.startswith("/") or ".." in name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return fixed_offset_zone(name) if offsets else None


def parse_datetime(text):
    """Parse an RFC 3339 timestamp; the offset is optional.

    Returns an aware datetime, or a naive one when no offset was given (the
    caller then needs a timeZone), or None when the text is not RFC 3339.
    """
    if not isinstance(text, str):
        return None
    match = _RFC3339.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, frac, offset = match.groups()
    micro = int((frac[1:] + "000000")[:6]) if frac else 0
    try:
        value = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), micro
        )
    except ValueError:
        return None
    if offset is None:
        return value
    if offset in ("Z", "z"):
        return value.replace(tzinfo=UTC)
    sign = 1 if offset[0] == "+" else -1
    delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
    return value.replace(tzinfo=timezone(sign * delta))


def parse_date(text):
    """Parse ``YYYY-MM-DD``; None when invalid."""
    if not isinstance(text, str):
        return None
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_query_time(text):
    """Parse timeMin/timeMax/updatedMin: RFC 3339 with a mandatory offset."""
    value = parse_datetime(text)
    if value is None or value.tzinfo is None:
        return None
    return value.astimezone(UTC)


def format_datetime(value):
    """Format an aware datetime the way Google does: seconds and a numeric offset."""
    text = value.isoformat(timespec="seconds")
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def format_timestamp_ms(millis):
    """Format epoch milliseconds like Google's ``updated``: ``...T10:00:00.123Z``."""
    value = datetime.fromtimestamp(millis / 1000.0, UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (millis % 1000)


def to_millis(value):
    """Epoch milliseconds of an aware datetime."""
    return int(round(value.timestamp() * 1000))


def date_to_utc(value, zone=None):
    """Midnight of an all-day date, in ``zone`` (UTC by default), as UTC.

    All-day events have no zone of their own: Google places them in the
    calendar's zone when a time window has to be compared.
    """
    start = datetime(value.year, value.month, value.day, tzinfo=zone or UTC)
    return start.astimezone(UTC)
