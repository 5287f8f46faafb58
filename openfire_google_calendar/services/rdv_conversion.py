"""RDV records to the sync core's plain `Rdv`, and back to ORM values.

Keys: an RDV is its id ("42"); a recurring series is "s" + the series id
("s7") and stands for the Google master event; a moved or cancelled
occurrence is its own id with the series' key as `series_key`. Regular
occurrences are not synced one by one: Google expands the master.
"""
from datetime import date, datetime, time, timezone

import pytz

from ..sync import Rdv, location_shown, override_after_pull, state_after_pull

SERIES_PREFIX = "s"
# An all-day RDV made from Google runs over office hours of its days.
ALL_DAY_START = time(8, 0)
ALL_DAY_HOURS = 10.0


def series_key(recurrence):
    return "%s%d" % (SERIES_PREFIX, recurrence.id)


def parse_key(key):
    """("series", id) or ("rdv", id); ValueError for anything else."""
    if key.startswith(SERIES_PREFIX):
        return "series", int(key[len(SERIES_PREFIX):])
    return "rdv", int(key)


def _aware_utc(value):
    return value.replace(tzinfo=timezone.utc) if value else None


def _local_date(value, tz_name):
    return pytz.utc.localize(value).astimezone(pytz.timezone(tz_name)).date()


def address_line(rdv):
    """The intervention address on one line."""
    address = rdv.address_id
    if not address:
        return ""
    parts = [address.name if address.is_company or not address.parent_id else "",
             address.street, address.street2,
             " ".join(p for p in (address.zip, address.city) if p)]
    return ", ".join(p for p in parts if p)


def location_of(rdv):
    """The location Google shows for an RDV record (rule: sync.location_shown)."""
    return location_shown(rdv.google_location, address_line(rdv))


def _moments(rdv, tz_name):
    if rdv.all_day:
        return _local_date(rdv.date, tz_name), _local_date(rdv.date_deadline, tz_name)
    return _aware_utc(rdv.date), _aware_utc(rdv.date_deadline)


def _attendees(rdv):
    return tuple(sorted({email.strip().lower() for email in rdv.employee_ids.mapped("work_email")
                         if email}))


def rdv_of(record):
    """The plain Rdv of one RDV record (an occurrence exception included)."""
    tz_name = record.tz or "Europe/Paris"
    start, end = _moments(record, tz_name)
    values = {
        "key": str(record.id), "summary": record.name or "",
        "description": record.description or "", "location": location_of(record),
        "start": start, "end": end, "all_day": record.all_day, "tz": tz_name,
        "state": record.state, "attendees": _attendees(record),
        "write_date": _aware_utc(record.write_date),
    }
    if record.recurrence_id:
        original = record.recurrence_original_date
        values.update(
            series_key=series_key(record.recurrence_id),
            original_start=_local_date(original, tz_name) if record.all_day
            else _aware_utc(original))
    return Rdv(**values)


def series_template(recurrence):
    """The occurrence whose content stands for the whole series."""
    occurrences = recurrence.intervention_ids.sorted("recurrence_original_date")
    return (occurrences.filtered(lambda rdv: not rdv.recurrence_exception) or occurrences)[:1]


def series_rdv_of(recurrence):
    """The plain Rdv of a series: the master event's content."""
    template = series_template(recurrence)
    if not template:
        return None
    tz_name = recurrence.tz or template.tz or "Europe/Paris"
    duration = template.date_deadline - template.date
    if template.all_day:
        start = _local_date(recurrence.dtstart, tz_name)
        end = _local_date(recurrence.dtstart + duration, tz_name)
    else:
        start, end = _aware_utc(recurrence.dtstart), _aware_utc(recurrence.dtstart + duration)
    lines = [recurrence.rrule] + [line.strip() for line in
                                  (recurrence.extra_lines or "").splitlines() if line.strip()]
    return Rdv(
        key=series_key(recurrence), summary=template.name or "",
        description=template.description or "", location=location_of(template),
        start=start, end=end, all_day=template.all_day, tz=tz_name, state=template.state,
        attendees=_attendees(template), recurrence=tuple(lines),
        write_date=_aware_utc(max(recurrence.intervention_ids.mapped("write_date")
                                  + [recurrence.write_date])))


# ---------------------------------------------------------------- Google -> ORM

def _naive_utc(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def schedule_values(rdv):
    """date / duree / all_day for the ORM from a plain Rdv's moments."""
    if rdv.all_day:
        first = rdv.start if isinstance(rdv.start, date) else rdv.start.date()
        last = rdv.end if isinstance(rdv.end, date) else first
        last = max(last, first)
        tz = pytz.timezone(rdv.tz or "Europe/Paris")
        start = tz.localize(datetime.combine(first, ALL_DAY_START)).astimezone(pytz.utc)
        return {"all_day": True, "date": start.replace(tzinfo=None),
                "duree": (last - first).days * 24 + ALL_DAY_HOURS, "forcer_dates": False}
    start, end = _naive_utc(rdv.start), _naive_utc(rdv.end or rdv.start)
    hours = (end - start).total_seconds() / 3600.0
    if hours <= 0:
        hours = 1.0  # Google allows a zero-length event; an RDV needs a duration
    return {"all_day": False, "date": start, "duree": hours, "forcer_dates": False}


def content_values(rdv, record=None):
    """ORM values for the synced fields of a plain Rdv (the state and
    location rules are the core's: sync.state_after_pull, override_after_pull)."""
    values = {"name": rdv.summary or "(Google)", "description": rdv.description or False}
    override = record.google_location if record is not None else ""
    new_override = override_after_pull(
        override, address_line(record) if record is not None else "", rdv.location)
    if record is None or new_override != (override or ""):
        values["google_location"] = new_override or False
    state = state_after_pull(record.state if record is not None else None, rdv.status)
    if record is None or state != record.state:
        values["state"] = state
    return values


def split_recurrence(lines):
    """(the RRULE lines, the EXDATE/RDATE lines as text) of a series."""
    rules = [line for line in lines if line.upper().startswith("RRULE")]
    extra = "\n".join(line for line in lines if line.upper().startswith(("EXDATE", "RDATE")))
    return rules, extra


def find_occurrence(recurrence, rdv):
    """The occurrence of `recurrence` an exception from Google is about: the
    one the rule started at `rdv.original_start` (a date for all-day series)."""
    value = rdv.original_start
    if isinstance(value, datetime):
        wanted = _naive_utc(value)
        return recurrence.intervention_ids.filtered(
            lambda occurrence: occurrence.recurrence_original_date == wanted)[:1]
    tz_name = recurrence.tz or "Europe/Paris"
    return recurrence.intervention_ids.filtered(
        lambda occurrence: _local_date(occurrence.recurrence_original_date, tz_name) == value)[:1]


def original_start_values(recurrence, rdv):
    """recurrence_original_date for an occurrence Google added (RDATE-like)."""
    value = rdv.original_start
    if isinstance(value, datetime):
        return _naive_utc(value)
    tz = pytz.timezone(recurrence.tz or "Europe/Paris")
    local_time = pytz.utc.localize(recurrence.dtstart).astimezone(tz).time()
    local = tz.localize(datetime.combine(value, local_time.replace(tzinfo=None)))
    return local.astimezone(pytz.utc).replace(tzinfo=None)
