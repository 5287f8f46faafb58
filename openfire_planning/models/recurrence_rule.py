"""Recurrence rules as plain data: RRULE text in, occurrences out.

Kept apart from the ORM so the rule arithmetic (time zones, DST, caps) can be
read and reasoned about in one place; the models only store its fields.
"""

import re
from datetime import datetime, time

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


class RuleError(ValueError):
    """A rule that cannot produce occurrences; the message is for the user."""


def rule_to_rrule_text(rule):
    """Render the rule fields (a dict) as an RFC 5545 RRULE line."""
    parts = ["FREQ=%s" % FREQ_NAMES[rule["rrule_type"]], "INTERVAL=%d" % rule["interval"]]
    if rule["rrule_type"] == "weekly":
        days = [day.upper() for day in WEEKDAYS if rule.get(day)]
        parts.append("BYDAY=%s" % ",".join(days))
    elif rule["rrule_type"] == "monthly":
        if rule.get("month_by") == "day":
            parts.append("BYDAY=%s%s" % (rule["byday"], rule["weekday"]))
        else:
            parts.append("BYMONTHDAY=%d" % rule["day"])
    if rule.get("end_type") == "count":
        parts.append("COUNT=%d" % rule["count"])
    elif rule.get("end_type") == "end_date":
        parts.append("UNTIL=%s" % rule["until"].strftime("%Y%m%d"))
    return "RRULE:" + ";".join(parts)


def rrule_text_to_rule(text, dtstart):
    """Parse an RRULE line into rule fields; raise RuleError on what we cannot
    represent, rather than silently approximating it."""
    text = (text or "").strip()
    if not text:
        raise RuleError("empty")
    body = text[6:] if text.upper().startswith("RRULE:") else text
    try:
        # Series are expanded in local time: a UTC UNTIL is read as its date.
        rrule.rrulestr(
            re.sub(r"(UNTIL=[0-9T]+)Z", r"\1", body, flags=re.I), dtstart=dtstart, forceset=False
        )
    except (ValueError, TypeError) as exc:
        raise RuleError(str(exc)) from exc
    params = {}
    for part in body.split(";"):
        key, _sep, value = part.partition("=")
        params[key.strip().upper()] = value.strip().upper()
    reverse = {v: k for k, v in FREQ_NAMES.items()}
    if params.get("FREQ") not in reverse:
        raise RuleError("unsupported frequency %s" % params.get("FREQ"))
    rule = {
        "rrule_type": reverse[params["FREQ"]],
        "interval": int(params.get("INTERVAL") or 1),
        "end_type": "forever",
        "count": 0,
        "until": False,
        "month_by": "date",
        "day": dtstart.day,
        "byday": False,
        "weekday": False,
    }
    for day in WEEKDAYS:
        rule[day] = False
    if "COUNT" in params:
        rule.update(end_type="count", count=int(params["COUNT"]))
    elif "UNTIL" in params:
        until = datetime.strptime(params["UNTIL"][:8], "%Y%m%d").date()
        rule.update(end_type="end_date", until=until)
    byday = [d for d in params.get("BYDAY", "").split(",") if d]
    if rule["rrule_type"] == "weekly":
        for day in byday or [WEEKDAYS[dtstart.weekday()].upper()]:
            if day.lower() not in WEEKDAYS:
                raise RuleError("unsupported weekday %s" % day)
            rule[day.lower()] = True
    elif rule["rrule_type"] == "monthly" and byday:
        if len(byday) != 1 or byday[0][-2:].lower() not in WEEKDAYS:
            raise RuleError("unsupported BYDAY %s" % params["BYDAY"])
        nth = byday[0][:-2] or "1"
        if nth.lstrip("+") not in ("1", "2", "3", "4", "-1"):
            raise RuleError("unsupported BYDAY %s" % params["BYDAY"])
        rule.update(month_by="day", byday=nth.lstrip("+"), weekday=byday[0][-2:])
    elif rule["rrule_type"] == "monthly" and "BYMONTHDAY" in params:
        rule["day"] = int(params["BYMONTHDAY"])
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
        if rule.get("month_by", "date") == "date" and not 1 <= (rule.get("day") or 0) <= 31:
            raise RuleError(_lt("The day of the month must be between 1 and 31."))


def parse_date_lines(text, dtstart_utc, tz_name):
    """EXDATE / RDATE lines (RFC 5545, as Google sends them) to two sets of
    naive UTC starts. A date without a time takes the series' local start
    time; a time without zone is local to the series' zone."""
    tz = pytz.timezone(tz_name or "UTC")
    local_start = pytz.utc.localize(dtstart_utc).astimezone(tz)
    found = {"EXDATE": set(), "RDATE": set()}
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        head, sep, values = line.partition(":")
        name, *params = head.split(";")
        name = name.upper()
        if not sep or name not in found:
            raise RuleError("unsupported line %r" % line)
        zone = tz
        for param in params:
            key, _eq, value = param.partition("=")
            if key.upper() == "TZID":
                try:
                    zone = pytz.timezone(value)
                except pytz.UnknownTimeZoneError as exc:
                    raise RuleError("unknown time zone %r" % value) from exc
        for value in values.split(","):
            found[name].add(_parse_date_value(value.strip(), zone, local_start))
    return found["EXDATE"], found["RDATE"]


def _parse_date_value(value, zone, local_start):
    try:
        if len(value) == 8:
            day = datetime.strptime(value, "%Y%m%d")
            local = datetime.combine(day.date(), local_start.time().replace(tzinfo=None))
            aware = local_start.tzinfo.localize(local, is_dst=False)
        elif value.endswith("Z"):
            aware = pytz.utc.localize(datetime.strptime(value, "%Y%m%dT%H%M%SZ"))
        else:
            aware = zone.localize(datetime.strptime(value, "%Y%m%dT%H%M%S"), is_dst=False)
    except ValueError as exc:
        raise RuleError("unreadable date %r" % value) from exc
    return aware.astimezone(pytz.utc).replace(tzinfo=None)


def occurrence_starts(rule, dtstart_utc, tz_name, extra_lines=None):
    """Return the UTC starts (naive, as Odoo stores them) of the rule's
    occurrences, less its EXDATEs and plus its RDATEs (``extra_lines``).

    Expanded in local wall-clock time so an 08:00 RDV stays at 08:00 across
    DST changes, which is what a technician expects."""
    validate_rule(rule)
    exdates, rdates = parse_date_lines(extra_lines, dtstart_utc, tz_name)
    tz = pytz.timezone(tz_name or "UTC")
    local_start = pytz.utc.localize(dtstart_utc).astimezone(tz).replace(tzinfo=None)
    kwargs = {"dtstart": local_start, "interval": rule["interval"]}
    if rule["rrule_type"] == "weekly":
        kwargs["byweekday"] = [RRULE_WEEKDAYS[i] for i, d in enumerate(WEEKDAYS) if rule.get(d)]
    elif rule["rrule_type"] == "monthly":
        if rule.get("month_by") == "day":
            day = RRULE_WEEKDAYS[WEEKDAYS.index(rule["weekday"].lower())]
            kwargs["byweekday"] = day(int(rule["byday"]))
        else:
            kwargs["bymonthday"] = rule["day"]
    if rule.get("end_type") == "count":
        kwargs["count"] = min(rule["count"], MAX_OCCURRENCES)
    elif rule.get("end_type") == "end_date":
        kwargs["until"] = datetime.combine(rule["until"], time.max)
    starts = []
    for local in rrule.rrule(FREQUENCIES[rule["rrule_type"]], **kwargs):
        if len(starts) >= MAX_OCCURRENCES:
            break
        aware = tz.localize(local, is_dst=False)
        starts.append(aware.astimezone(pytz.utc).replace(tzinfo=None))
    starts = sorted((set(starts) | rdates) - exdates)
    if not starts:
        raise RuleError(_lt("This rule gives no occurrence."))
    return starts
