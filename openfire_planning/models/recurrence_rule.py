# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Recurrence rules as plain data: RRULE text in, occurrences out.

Kept apart from the ORM so the rule arithmetic (time zones, DST, caps) can be
read and reasoned about in one place; the models only store its fields.

Two kinds of series:
- made in Odoo: the form's fields are the truth, rendered as one RRULE line
  (``rule_to_rrule_text``), plus the optional EXDATE/RDATE ``extra_lines``;
- held by Google (or edited since): ``rule_lines``, the RRULE / EXRULE / EXDATE /
  RDATE lines verbatim, expanded as RFC 5545 says (``expand_lines``). The form
  shows what fits its fields (``rule_fields_of``); an edit made there changes
  only the parts of the RRULE line it is about (``merge_rule_line``).
"""

import re
from contextlib import suppress
from datetime import datetime, time, timedelta

import pytz
from dateutil import rrule

from odoo.tools.translate import _lt

FREQUENCIES = {
    "daily": rrule.DAILY,
    "weekly": rrule.WEEKLY,
    "monthly": rrule.MONTHLY,
    "yearly": rrule.YEARLY,
}
FREQ_NAMES = {"daily": "DAILY", "weekly": "WEEKLY", "monthly": "MONTHLY", "yearly": "YEARLY"}
WEEKDAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
RRULE_WEEKDAYS = (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)
# A rule without an end still yields real records: we stop at this many.
MAX_OCCURRENCES = 365
# Candidates dateutil may look at before giving up on a sparse rule.
MAX_ITERATIONS = 50000
# The RRULE parts the form's fields stand for (WKST is kept as it is).
FORM_KEYS = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "WKST"}
LINE_NAMES = ("RRULE", "EXRULE", "RDATE", "EXDATE")

_OFFSET_ZONE_RE = re.compile(r"^(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
_ICAL_DT_RE = re.compile(r"^(\d{8})(?:T(\d{6})(Z|[+-]\d{2}:?\d{2})?)?$")
_UNTIL_RE = re.compile(r"UNTIL=([0-9TZ]+(?:[+-]\d{2}:?\d{2})?)", re.IGNORECASE)
_BY_PART_RE = re.compile(r"(?:^|;)(BYMONTH|BYWEEKNO|BYYEARDAY|BYMONTHDAY|BYDAY)=", re.IGNORECASE)


class RuleError(ValueError):
    """A rule that cannot produce occurrences; the message is for the user."""


def get_zone(name):
    """The pytz zone called ``name``: an IANA name, or ``GMT+02:00`` /
    ``UTC-05:30`` (as Outlook and others write) as a fixed offset; None when
    unknown."""
    if not name:
        return None
    with suppress(pytz.UnknownTimeZoneError, ValueError, AttributeError):
        return pytz.timezone(name)
    match = _OFFSET_ZONE_RE.match(str(name).strip())
    if not match:
        return None
    sign, hours, minutes = match.groups()
    offset = int(hours) * 60 + int(minutes or 0)
    if offset > 18 * 60:
        return None
    return pytz.FixedOffset(-offset if sign == "-" else offset)


def _offset_label(minutes):
    sign = "-" if minutes < 0 else "+"
    return "UTC%s%02d:%02d" % (sign, abs(minutes) // 60, abs(minutes) % 60)


def _time_zone_choices():
    """(value, label) of every zone an RDV can be in: the IANA zones Odoo
    offers (``Etc/GMT-2`` labelled with the offset it stands for, its sign
    being POSIX's), then the fixed offsets that are not whole hours
    (``UTC+05:30``), which other programs' ``GMT+05:30`` zones are read as."""
    choices = []
    for name in sorted(pytz.all_timezones, key=lambda tz: tz if not tz.startswith("Etc/") else "_"):
        match = re.match(r"^Etc/GMT([+-])(\d{1,2})$", name)
        if match:
            hours = int(match.group(2)) * (1 if match.group(1) == "-" else -1)
            choices.append((name, "%s (%s)" % (name, _offset_label(hours * 60))))
        else:
            choices.append((name, name))
    for minutes in range(-12 * 60, 14 * 60 + 1, 15):
        if minutes % 60:
            choices.append((_offset_label(minutes), _offset_label(minutes)))
    return choices


TIME_ZONES = _time_zone_choices()


def _zone(name):
    zone = get_zone(name or "UTC")
    if zone is None:
        raise RuleError("unknown time zone %r" % name)
    return zone


def _local(dtstart_utc, tz):
    return pytz.utc.localize(dtstart_utc).astimezone(tz).replace(tzinfo=None)


def _to_utc(local, tz):
    return tz.localize(local, is_dst=False).astimezone(pytz.utc).replace(tzinfo=None)


def rule_to_rrule_text(rule):
    """Render the rule fields (a dict) as an RFC 5545 RRULE line."""
    parts = ["FREQ=%s" % FREQ_NAMES[rule["rrule_type"]], "INTERVAL=%d" % rule["interval"]]
    parts += ["%s=%s" % item for item in _by_parts(rule).items() if item[1] is not None]
    if rule.get("end_type") == "count":
        parts.append("COUNT=%d" % rule["count"])
    elif rule.get("end_type") == "end_date":
        parts.append("UNTIL=%s" % rule["until"].strftime("%Y%m%d"))
    return "RRULE:" + ";".join(parts)


def _by_parts(rule):
    """BYDAY / BYMONTHDAY of the rule fields (None: the part is absent)."""
    parts = {"BYDAY": None, "BYMONTHDAY": None}
    if rule["rrule_type"] == "weekly":
        parts["BYDAY"] = ",".join(day.upper() for day in WEEKDAYS if rule.get(day))
    elif rule["rrule_type"] == "monthly":
        if rule.get("month_by") == "day":
            parts["BYDAY"] = "%s%s" % (rule["byday"], rule["weekday"])
        else:
            parts["BYMONTHDAY"] = rule.get("monthdays") or "%d" % rule["day"]
    return parts


def _rule_params(body):
    """The parts of an RRULE value, in order, keys upper-cased."""
    params = []
    for part in body.split(";"):
        key, _sep, value = part.partition("=")
        if key.strip():
            params.append((key.strip().upper(), value.strip()))
    return params


def _rule_body(text):
    text = (text or "").strip()
    return text.partition(":")[2] if text.upper().startswith("RRULE") else text


def _parse_monthdays(text):
    days = []
    for item in (text or "").split(","):
        item = item.strip()
        try:
            day = int(item)
        except ValueError as exc:
            raise RuleError(_lt("Days of the month: numbers separated by commas.")) from exc
        if not 1 <= abs(day) <= 31:
            raise RuleError(_lt("The day of the month must be between 1 and 31."))
        days.append(day)
    return days


def _until_local(text, tz):
    """An UNTIL value as the naive local moment it ends the series at
    (inclusive): a date is its whole day in the series' zone."""
    moment, is_date, zone = _parse_ical(text)
    if is_date:
        return datetime.combine(moment.date(), time(23, 59, 59))
    if zone is None:
        return moment
    return _local(moment, tz)


def _parse_ical(text):
    """(naive moment, is a date, zone) of an iCalendar DATE or DATE-TIME;
    ``zone`` is "utc" for a UTC (or offset, converted) value, None when
    floating. Raises RuleError."""
    match = _ICAL_DT_RE.match((text or "").strip().upper())
    if not match:
        raise RuleError("unreadable date %r" % text)
    day, clock, offset = match.groups()
    try:
        if clock is None:
            return datetime.strptime(day, "%Y%m%d"), True, None
        moment = datetime.strptime(day + clock, "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise RuleError("unreadable date %r" % text) from exc
    if not offset:
        return moment, False, None
    if offset != "Z":
        digits = offset.replace(":", "")
        delta = timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5]))
        moment = moment - delta if digits[0] == "+" else moment + delta
    return moment, False, "utc"


def rrule_text_to_rule(text, dtstart, tz_name=None):  # noqa: C901 (RFC 5545's parts)
    """Parse an RRULE line into rule fields; raise RuleError on what the form
    cannot represent, rather than silently approximating it. ``dtstart`` is
    the series' first start (naive UTC, read in ``tz_name``; naive local when
    no zone is given)."""
    body = _rule_body(text)
    if not body:
        raise RuleError("empty")
    tz = _zone(tz_name) if tz_name else pytz.utc
    local_start = _local(dtstart, tz)
    try:
        rrule.rrulestr(re.sub(r"(UNTIL=[0-9T]+)Z", r"\1", body, flags=re.I), dtstart=local_start)
    except (ValueError, TypeError, KeyError, OverflowError) as exc:
        raise RuleError(str(exc)) from exc
    params = dict(_rule_params(body))
    if set(params) - FORM_KEYS:
        raise RuleError("unsupported part %s" % ", ".join(sorted(set(params) - FORM_KEYS)))
    reverse = {v: k for k, v in FREQ_NAMES.items()}
    freq = params.get("FREQ", "").upper()
    if freq not in reverse:
        raise RuleError("unsupported frequency %s" % params.get("FREQ"))
    rule = {
        "rrule_type": reverse[freq],
        "interval": int(params.get("INTERVAL") or 1),
        "end_type": "forever",
        "count": 0,
        "until": False,
        "month_by": "date",
        "day": local_start.day,
        "monthdays": False,
        "byday": False,
        "weekday": False,
    }
    for day in WEEKDAYS:
        rule[day] = False
    if "COUNT" in params:
        rule.update(end_type="count", count=int(params["COUNT"]))
    elif "UNTIL" in params:
        # The last day an occurrence can start on, in the series' zone.
        until = _until_local(params["UNTIL"], tz) - timedelta(
            hours=local_start.hour, minutes=local_start.minute, seconds=local_start.second
        )
        rule.update(end_type="end_date", until=until.date())
    byday = [d.strip().upper() for d in params.get("BYDAY", "").split(",") if d.strip()]
    if rule["rrule_type"] in ("daily", "yearly") and (byday or "BYMONTHDAY" in params):
        raise RuleError("unsupported BY part for %s" % freq)
    if rule["rrule_type"] == "weekly":
        if "BYMONTHDAY" in params:
            raise RuleError("unsupported BYMONTHDAY for WEEKLY")
        for day in byday or [WEEKDAYS[local_start.weekday()].upper()]:
            if day.lower() not in WEEKDAYS:
                raise RuleError("unsupported weekday %s" % day)
            rule[day.lower()] = True
    elif rule["rrule_type"] == "monthly" and byday:
        if "BYMONTHDAY" in params:
            raise RuleError("unsupported BYDAY with BYMONTHDAY")
        if len(byday) != 1 or byday[0][-2:].lower() not in WEEKDAYS:
            raise RuleError("unsupported BYDAY %s" % params["BYDAY"])
        nth = byday[0][:-2].lstrip("+") or "1"
        if nth not in ("1", "2", "3", "4", "-1"):
            raise RuleError("unsupported BYDAY %s" % params["BYDAY"])
        rule.update(month_by="day", byday=nth, weekday=byday[0][-2:])
    elif rule["rrule_type"] == "monthly" and "BYMONTHDAY" in params:
        days = _parse_monthdays(params["BYMONTHDAY"])
        if len(days) == 1 and days[0] > 0:
            rule["day"] = days[0]
        else:
            rule["monthdays"] = ",".join(str(day) for day in days)
    validate_rule(rule)
    return rule


def validate_rule(rule):
    """Raise RuleError, with a lazily translated message, for a rule that
    would yield nothing or nonsense."""
    if rule.get("rrule_type") not in FREQUENCIES:
        raise RuleError(_lt("Choose how often the RDV repeats."))
    if (rule.get("interval") or 0) < 1:
        raise RuleError(_lt("The repeat interval must be at least 1."))
    if rule.get("end_type") == "count" and (rule.get("count") or 0) < 1:
        raise RuleError(_lt("The number of repetitions must be at least 1."))
    if rule.get("end_type") == "end_date" and not rule.get("until"):
        raise RuleError(_lt("Set the date the repetitions end."))
    if rule["rrule_type"] == "weekly" and not any(rule.get(day) for day in WEEKDAYS):
        raise RuleError(_lt("Pick at least one weekday."))
    if rule["rrule_type"] == "monthly":
        if rule.get("month_by") == "day" and not (rule.get("byday") and rule.get("weekday")):
            raise RuleError(_lt("Pick which weekday of the month."))
        if rule.get("month_by", "date") == "date":
            if rule.get("monthdays"):
                _parse_monthdays(rule["monthdays"])
            elif not 1 <= (rule.get("day") or 0) <= 31:
                raise RuleError(_lt("The day of the month must be between 1 and 31."))


# ------------------------------------------------------- lines held verbatim


def split_lines(text):
    """The non-empty lines of a text, stripped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def line_name(line):
    return re.split("[;:]", line.strip(), maxsplit=1)[0].upper()


def rule_fields_of(lines, dtstart_utc, tz_name):
    """(fields, editable): the form's fields for verbatim recurrence lines.

    ``editable`` is False when the form cannot represent the rule (another
    part, several rules, an EXRULE): ``fields`` then only hold what the
    series' end and frequency are, for splits and the list views."""
    rules = [line for line in lines if line_name(line) in ("RRULE", "EXRULE")]
    if len(rules) == 1 and line_name(rules[0]) == "RRULE":
        with suppress(RuleError):
            return rrule_text_to_rule(rules[0], dtstart_utc, tz_name), True
    fields = {"rrule_type": "daily", "interval": 1, "end_type": "forever"}
    rrules = [line for line in rules if line_name(line) == "RRULE"]
    if rrules:
        params = dict(_rule_params(_rule_body(rrules[0])))
        freq = params.get("FREQ", "").upper()
        fields["rrule_type"] = {v: k for k, v in FREQ_NAMES.items()}.get(freq, "daily")
        with suppress(ValueError, RuleError):
            fields["interval"] = max(int(params.get("INTERVAL") or 1), 1)
            if "COUNT" in params:
                fields.update(end_type="count", count=max(int(params["COUNT"]), 1))
            elif "UNTIL" in params:
                tz = _zone(tz_name)
                local_start = _local(dtstart_utc, tz)
                until = _until_local(params["UNTIL"], tz) - timedelta(
                    hours=local_start.hour, minutes=local_start.minute
                )
                fields.update(end_type="end_date", until=max(until.date(), local_start.date()))
    return fields, False


def render_until(until, _dtstart_utc, tz_name, all_day):
    """UNTIL for the last day ``until`` of a series: a date for an all-day
    series, the end of that day in the series' zone, in UTC, for a timed one."""
    if all_day:
        return until.strftime("%Y%m%d")
    tz = _zone(tz_name)
    end = _to_utc(datetime.combine(until, time(23, 59, 59)), tz)
    return end.strftime("%Y%m%dT%H%M%SZ")


def merge_rule_line(line, old, new, dtstart_utc, tz_name, all_day):
    """The RRULE ``line`` with only the parts the form's edit (``old`` ->
    ``new`` field values) is about changed; every other part stays as it is."""
    params = _rule_params(_rule_body(line))
    changed = {name for name in new if new.get(name) != old.get(name)}

    def put(key, value):
        for index, (name, _value) in enumerate(params):
            if name == key:
                if value is None:
                    del params[index]
                else:
                    params[index] = (key, value)
                return
        if value is not None:
            params.append((key, value))

    if "rrule_type" in changed:
        put("FREQ", FREQ_NAMES[new["rrule_type"]])
    if "interval" in changed:
        put("INTERVAL", "%d" % new["interval"])
    if changed & {"end_type", "count", "until"}:
        put("COUNT", "%d" % new["count"] if new["end_type"] == "count" else None)
        put(
            "UNTIL",
            render_until(new["until"], dtstart_utc, tz_name, all_day)
            if new["end_type"] == "end_date"
            else None,
        )
    by_fields = set(WEEKDAYS) | {"month_by", "day", "monthdays", "byday", "weekday"}
    if changed & (by_fields | {"rrule_type"}):
        for key, value in _by_parts(new).items():
            put(key, value)
    return "RRULE:" + ";".join("%s=%s" % item for item in params)


def _yearly_in_start_month(body, local_start):
    """``FREQ=YEARLY;BYMONTHDAY=n`` without BYMONTH is yearly in DTSTART's month
    (RFC 5545 takes what a rule does not say from DTSTART; Google shows such a
    series once a year), where dateutil would repeat it every month."""
    upper = body.upper()
    if "FREQ=YEARLY" not in upper:
        return body
    parts = {match.group(1).upper() for match in _BY_PART_RE.finditer(upper)}
    if parts == {"BYMONTHDAY"}:
        return body.rstrip(";") + ";BYMONTH=%d" % local_start.month
    return body


def _local_until(body, tz, all_day):
    """UNTIL as a naive local moment, as the naive DTSTART needs it: inclusive,
    a UTC value read in the series' zone, a date its whole day (an all-day
    series compares by date, whatever time the value has)."""
    match = _UNTIL_RE.search(body)
    if not match:
        return body
    moment, is_date, zone = _parse_ical(match.group(1))
    if all_day or is_date:
        local = datetime.combine(moment.date(), time(23, 59, 59))
    elif zone is None:
        local = moment
    else:
        local = _local(moment, tz)
    return body[: match.start(1)] + local.strftime("%Y%m%dT%H%M%S") + body[match.end(1) :]


def _date_value(text, params, tz, local_start, all_day):
    """An RDATE/EXDATE value as the naive local start of the occurrence it
    adds or removes."""
    moment, is_date, zone = _parse_ical(text)
    tzid = [p.split("=", 1)[1] for p in params if p.upper().startswith("TZID=")]
    own = get_zone(tzid[0]) if tzid else tz
    if own is None:
        raise RuleError("unknown time zone %r" % tzid[0])
    if zone == "utc" and not is_date:
        moment = _local(moment, tz)
    elif not (is_date or all_day):
        moment = _local(_to_utc(moment, own), tz)
    if is_date or all_day:
        # All-day series compare by date: a zoned or floating value by its own
        # wall date (Google sends EXDATE;TZID=Europe/Paris:20240105T000000 for
        # the 5th), a UTC one in the series' zone.
        return datetime.combine(moment.date(), local_start.time())
    return moment


def expand_lines(lines, dtstart_utc, tz_name, all_day=False, include_dtstart=True):
    """The UTC starts (naive, as Odoo stores them) of a series given by
    RRULE / EXRULE / RDATE / EXDATE lines, as RFC 5545 reads them: DTSTART is
    the first instance, UNTIL is inclusive, WKST honoured. Expanded in local
    wall-clock time so an 08:00 RDV stays at 08:00 across DST changes; at most
    MAX_OCCURRENCES. Raises RuleError with what is wrong."""
    tz = _zone(tz_name)
    local_start = _local(dtstart_utc, tz)
    rset = rrule.rruleset()
    for line in lines:
        name = line_name(line)
        if name in ("RDATE", "EXDATE"):
            # Zone names may hold ":" (TZID=GMT+02:00): the value is after the last.
            head, _sep, value = line.rpartition(":")
        else:
            head, _sep, value = line.partition(":")
        params = head.strip().split(";")[1:]
        if name not in LINE_NAMES or not value.strip():
            raise RuleError("unsupported line %r" % line)
        try:
            if name in ("RRULE", "EXRULE"):
                body = _local_until(_yearly_in_start_month(value.strip(), local_start), tz, all_day)
                rule = rrule.rrulestr(body, dtstart=local_start)
                (rset.rrule if name == "RRULE" else rset.exrule)(rule)
            else:
                for item in value.split(","):
                    moment = _date_value(item, params, tz, local_start, all_day)
                    (rset.rdate if name == "RDATE" else rset.exdate)(moment)
        except (ValueError, TypeError, KeyError, OverflowError, IndexError) as exc:
            if isinstance(exc, RuleError):
                raise
            raise RuleError("%s (%s)" % (line, exc)) from exc
    if include_dtstart:
        rset.rdate(local_start)  # RFC 5545: DTSTART is always the first instance
    starts = []
    try:
        for index, local in enumerate(rset):
            if index >= MAX_ITERATIONS or len(starts) >= MAX_OCCURRENCES:
                break
            starts.append(_to_utc(local, tz))
    except (ValueError, TypeError, OverflowError) as exc:
        raise RuleError(str(exc)) from exc
    return starts


def shift_moment(moment_utc, old_start_utc, new_start_utc, tz_name):
    """``moment_utc`` (naive UTC) moved as its series moved from
    ``old_start_utc`` to ``new_start_utc``: by the same wall-clock shift in the
    series' zone, so that a 09:00 occurrence on the other side of a DST change
    is still at 09:00, the occurrence it was, moved."""
    tz = _zone(tz_name)
    wall = _local(new_start_utc, tz) - _local(old_start_utc, tz)
    return _to_utc(_local(moment_utc, tz) + wall, tz)


def day_fields_moved(rule, old_start_utc, new_start_utc, tz_name, edited=()):
    """The rule fields a move of the series' start to another day changes, as
    Google Calendar moves a series: weekly on Monday moved to Tuesday repeats
    on Tuesdays (every weekday by the same shift), monthly on the 5th moved to
    the 6th on the 6th, monthly on the 2nd Monday on the weekday and rank of
    the new start (the last stays the last). Fields in ``edited`` (the same
    edit sets them) and lists of days of month are left as they are."""
    tz = _zone(tz_name)
    old, new = _local(old_start_utc, tz), _local(new_start_utc, tz)
    shift = (new.date() - old.date()).days
    if not shift:
        return {}
    edited = set(edited)
    if rule.get("rrule_type") == "weekly" and not edited & set(WEEKDAYS):
        if not shift % 7:
            return {}
        days = [day for day in WEEKDAYS if rule.get(day)]
        values = dict.fromkeys(WEEKDAYS, False)
        values.update({WEEKDAYS[(WEEKDAYS.index(day) + shift) % 7]: True for day in days})
        return values if days else {}
    if rule.get("rrule_type") != "monthly" or rule.get("monthdays"):
        return {}
    if rule.get("month_by") == "date" and "day" not in edited and rule.get("day") == old.day:
        return {"day": new.day}
    if rule.get("month_by") == "day" and not edited & {"byday", "weekday"}:
        values = {"weekday": WEEKDAYS[new.weekday()].upper()}
        last = (new + timedelta(days=7)).month != new.month
        if rule.get("byday") != "-1" or not last:
            rank = (new.day - 1) // 7 + 1
            values["byday"] = "-1" if rank > 4 else str(rank)
        return values
    return {}


def shift_date_line(line, old_start_utc, new_start_utc, tz_name, all_day):
    """An EXDATE/RDATE line moved with its series (from ``old_start_utc`` to
    ``new_start_utc``): each value by the same wall-clock shift, in its own form
    (a date by days, a UTC value in UTC, a local one locally)."""
    tz = _zone(tz_name)
    wall = _local(new_start_utc, tz) - _local(old_start_utc, tz)
    head, _sep, values = line.rpartition(":")
    moved = []
    for value in values.split(","):
        moment, is_date, zone = _parse_ical(value)
        if is_date or all_day:
            days = timedelta(days=round(wall.total_seconds() / 86400.0))
            moment = moment + days
            text = moment.strftime("%Y%m%d" if is_date else "%Y%m%dT%H%M%S")
            text += "Z" if zone == "utc" and not is_date else ""
        elif zone == "utc":
            moment = _to_utc(_local(moment, tz) + wall, tz)
            text = moment.strftime("%Y%m%dT%H%M%SZ")
        else:
            text = (moment + wall).strftime("%Y%m%dT%H%M%S")
        moved.append(text)
    return "%s:%s" % (head, ",".join(moved))


def parse_date_lines(text, dtstart_utc, tz_name, all_day=False):
    """EXDATE / RDATE lines (RFC 5545, as Google sends them) to two sets of
    naive UTC starts. A date without a time takes the series' local start
    time; a time without zone is local to the series' zone."""
    tz = _zone(tz_name)
    local_start = _local(dtstart_utc, tz)
    found = {"EXDATE": set(), "RDATE": set()}
    for line in split_lines(text):
        head, sep, values = line.rpartition(":")
        name, *params = head.split(";")
        name = name.upper()
        if not sep or name not in found:
            raise RuleError("unsupported line %r" % line)
        for value in values.split(","):
            local = _date_value(value.strip(), params, tz, local_start, all_day)
            found[name].add(_to_utc(local, tz))
    return found["EXDATE"], found["RDATE"]


def occurrence_starts(rule, dtstart_utc, tz_name, extra_lines=None, rule_lines=None, all_day=False):
    """Return the UTC starts (naive, as Odoo stores them) of a series'
    occurrences: of its verbatim ``rule_lines`` when it has some, else of the
    rule fields less its EXDATEs and plus its RDATEs (``extra_lines``).

    Expanded in local wall-clock time so an 08:00 RDV stays at 08:00 across
    DST changes, which is what a technician expects."""
    if rule_lines:
        starts = expand_lines(split_lines(rule_lines), dtstart_utc, tz_name, all_day)
    else:
        validate_rule(rule)
        if rule.get("end_type") == "count":
            rule = dict(rule, count=min(rule["count"], MAX_OCCURRENCES))
        lines = [rule_to_rrule_text(rule)] + split_lines(extra_lines)
        starts = expand_lines(lines, dtstart_utc, tz_name, all_day, include_dtstart=False)
    if not starts:
        raise RuleError(_lt("This rule gives no occurrence."))
    return starts
