# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""RDV records to the sync core's plain `Rdv`, and back to ORM values.

Keys: an RDV is its id ("42"); a recurring series is "s" + the series id
("s7") and stands for the Google master event; a moved or cancelled
occurrence is its own id with the series' key as `series_key`. Regular
occurrences are not synced one by one: Google expands the master.
"""

from dataclasses import replace
from datetime import date, datetime, time, timezone

import pytz

from odoo import _
from odoo.release import version_info

from odoo.addons.openfire_planning.models.recurrence_rule import get_zone

from ..sync import Rdv, location_shown, override_after_pull, state_after_pull
from ..sync import event_content as content

PARAM_PREFIX = "openfire_google_calendar."

SERIES_PREFIX = "s"
# An all-day RDV made from Google runs over office hours of its days.
ALL_DAY_START = time(8, 0)
ALL_DAY_HOURS = 10.0


def series_key(recurrence):
    return "%s%d" % (SERIES_PREFIX, recurrence.id)


def parse_key(key):
    """("series", id) or ("rdv", id); ValueError for anything else."""
    if key.startswith(SERIES_PREFIX):
        return "series", int(key[len(SERIES_PREFIX) :])
    return "rdv", int(key)


def stamp_of(record):
    """When ``record`` was created, to the second (Rdv.stamp): with its id it
    names one record for good, where a database restored from an older
    backup may give the id again to another one."""
    return record.create_date.strftime("%Y-%m-%dT%H:%M:%S") if record.create_date else None


def _aware_utc(value):
    return value.replace(tzinfo=timezone.utc) if value else None


def _local_date(value, tz_name):
    return pytz.utc.localize(value).astimezone(get_zone(tz_name) or pytz.utc).date()


def _address(rdv):
    return rdv.address_id or rdv.partner_id


def address_line(rdv):
    """The intervention address on one line, as Google Maps finds it (the
    rule is sync.event_content.address_line)."""
    address = _address(rdv)
    if not address:
        return ""
    return content.address_line(
        address.street or "",
        address.street2 or "",
        address.zip or "",
        address.city or "",
        address.country_id.name or "",
    )


def _v1_address_line(rdv):
    """The address line of version 1 of the synced content (content hash v1)."""
    address = rdv.address_id
    if not address:
        return ""
    parts = [
        address.name if address.is_company or not address.parent_id else "",
        address.street,
        address.street2,
        " ".join(p for p in (address.zip, address.city) if p),
    ]
    return ", ".join(p for p in parts if p)


def location_of(rdv):
    """The location Google shows for an RDV record (rule: sync.location_shown)."""
    return location_shown(rdv.google_location, address_line(rdv))


# ------------------------------------------------------ what the phone shows


def customer_in_title(env):
    """The customer in the events' titles: on unless turned off ("0")."""
    value = env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + "title_customer")
    return value is False or value.strip().lower() not in ("0", "false", "")


def set_customer_in_title(env, enabled):
    """Stored as "1" / "0": a missing parameter means on."""
    env["ir.config_parameter"].sudo().set_param(
        PARAM_PREFIX + "title_customer", "1" if enabled else "0"
    )


def content_settings(env):
    """The database's choices for the events' content (the settings)."""
    get_param = env["ir.config_parameter"].sudo().get_param
    return content.ContentSettings(
        customer_in_title=customer_in_title(env),
        color_by=get_param(PARAM_PREFIX + "color_by") or content.COLOR_NONE,
        reminders=content.parse_reminders(get_param(PARAM_PREFIX + "reminders")),
    )


def labels(lang):
    """The generated block's labels in ``lang`` (the technician's)."""
    # _() reads the language from a local named context
    context = {"lang": lang}  # noqa: F841  pylint: disable=unused-variable
    return content.Labels(
        customer=_("Customer"),
        phone=_("Phone"),
        mobile=_("Mobile"),
        number=_("RDV"),
        task=_("Task"),
        technicians=_("Other technicians"),
        notes=_("Notes"),
        link=_("Open in Odoo"),
    )


def rdv_url(record):
    """A link that opens the RDV in Odoo (the series' own URL scheme)."""
    base = record.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
    base = base.rstrip("/")
    action = record.env.ref(
        "openfire_planning.action_of_planning_intervention", raise_if_not_found=False
    )
    if version_info[0] >= 18:
        path = (
            "/odoo/action-openfire_planning.action_of_planning_intervention/%d" % record.id
            if action
            else "/odoo/of.planning.intervention/%d" % record.id
        )
    else:
        path = "/web#id=%d&model=of.planning.intervention&view_type=form" % record.id
        if action:
            path += "&action=%d" % action.id
    return base + path if base else ""


def _phones(partner):
    phone = partner.phone or ""
    mobile = (partner.mobile or "") if "mobile" in partner._fields else ""
    return phone, mobile


def event_source(record):
    """The values the technician's event is generated from, in the language
    of the user whose calendar it goes to (the environment's)."""
    env = record.env
    user = env.user
    # the calendar of an employee without a login (services/sync_session.py)
    own_employee = env.context.get("of_google_employee_id")
    customer = record.partner_id
    address = _address(record)
    phone, mobile = _phones(address) if address else ("", "")
    if customer and not (phone or mobile):
        phone, mobile = _phones(customer)
    country = address.country_id or record.company_id.country_id
    return content.EventSource(
        name=record.name or "",
        customer=customer.name or "",
        phone=phone,
        mobile=mobile,
        country_calling_code=country.phone_code or None,
        number=record.number or "",
        task=record.tache_id.name or "",
        task_id=record.tache_id.id or None,
        technicians=tuple(
            record.employee_ids.filtered(
                lambda employee: (
                    employee.id != own_employee if own_employee else employee.user_id != user
                )
            ).mapped("name")
        ),
        notes=record.description or "",
        phone_notes=record.of_google_phone_notes or "",
        url=rdv_url(record),
        state=record.state,
        street=address.street or "",
        street2=address.street2 or "",
        zip=address.zip or "",
        city=address.city or "",
        country=address.country_id.name or "",
        labels=labels(env.lang or user.lang or "en_US"),
        notice=record.of_google_notice or "",
    )


def _generated(record, settings=None):
    """summary, description, location, color_id, reminders of an RDV's event."""
    fields = content.event_fields(event_source(record), settings or content_settings(record.env))
    fields["location"] = location_shown(record.google_location, fields["location"])
    return fields


def _v1_view(rdv, record):
    """The Rdv as version 1 of the synced content saw it (content hash v1)."""
    return replace(
        rdv,
        summary=record.name or "",
        description=record.description or "",
        location=location_shown(record.google_location, _v1_address_line(record)),
        color_id=None,
        reminders=None,
        previous=None,
    )


def _moments(rdv, tz_name):
    if rdv.all_day:
        return _local_date(rdv.date, tz_name), _local_date(rdv.date_deadline, tz_name)
    return _aware_utc(rdv.date), _aware_utc(rdv.date_deadline)


def _extra(record):
    """An addon's values for the event (the integrators' hook)."""
    return tuple(
        sorted((str(k), str(v or "")) for k, v in record._of_google_event_values().items())
    )


def _attendees(rdv):
    return tuple(
        sorted({email.strip().lower() for email in rdv.employee_ids.mapped("work_email") if email})
    )


def rdv_of(record):
    """The plain Rdv of one RDV record (an occurrence exception included)."""
    tz_name = record.tz or "Europe/Paris"
    start, end = _moments(record, tz_name)
    values = dict(
        _generated(record),
        **{
            "key": str(record.id),
            "start": start,
            "end": end,
            "all_day": record.all_day,
            "tz": tz_name,
            "state": record.state,
            "attendees": _attendees(record),
            "write_date": _aware_utc(record.write_date),
            "extra": _extra(record),
            "stamp": stamp_of(record),
        },
    )
    if record.recurrence_id:
        original = record.recurrence_original_date
        values.update(
            series_key=series_key(record.recurrence_id),
            # The day of an all-day occurrence in its series' zone, as Google
            # names the occurrence (see occurrences_at).
            original_start=_local_date(original, record.recurrence_id.tz or tz_name)
            if record.all_day
            else _aware_utc(original),
        )
    rdv = Rdv(**values)
    return Rdv(**dict(values, previous=_v1_view(rdv, record)))


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
    # Google's lines as they came when the series was not edited in Odoo.
    lines = recurrence._google_lines()
    rdv = Rdv(
        key=series_key(recurrence),
        **_generated(template),
        start=start,
        end=end,
        all_day=template.all_day,
        tz=tz_name,
        state=template.state,
        attendees=_attendees(template),
        extra=_extra(template),
        recurrence=tuple(lines),
        stamp=stamp_of(recurrence),
        write_date=_aware_utc(
            max(recurrence.intervention_ids.mapped("write_date") + [recurrence.write_date])
        ),
    )
    return replace(rdv, previous=_v1_view(rdv, template))


# ---------------------------------------------------------------- Google -> ORM


def _naive_utc(value):
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def schedule_values(rdv):
    """date / duree / all_day for the ORM from a plain Rdv's moments."""
    if rdv.all_day:
        first = rdv.start if isinstance(rdv.start, date) else rdv.start.date()
        last = rdv.end if isinstance(rdv.end, date) else first
        last = max(last, first)
        tz = get_zone(rdv.tz) or pytz.timezone("Europe/Paris")
        start = tz.localize(datetime.combine(first, ALL_DAY_START)).astimezone(pytz.utc)
        return {
            "all_day": True,
            "date": start.replace(tzinfo=None),
            "duree": (last - first).days * 24 + ALL_DAY_HOURS,
            "forcer_dates": False,
        }
    start, end = _naive_utc(rdv.start), _naive_utc(rdv.end or rdv.start)
    hours = (end - start).total_seconds() / 3600.0
    if hours <= 0:
        hours = 1.0  # Google allows a zero-length event; an RDV needs a duration
    return {"all_day": False, "date": start, "duree": hours, "forcer_dates": False}


def content_values(rdv, record=None):
    """ORM values for what the phone may change in an RDV: its title, the
    technician's own notes, the location, the state (the rules are the
    core's: sync.event_content.name_after_pull / phone_notes_of,
    state_after_pull, override_after_pull). The generated block of the
    description never comes back; an event made on the phone (no block)
    gives its description as the RDV's notes."""
    notes = content.phone_notes_of(rdv.description)
    if record is None:
        values = {"name": rdv.summary or "(Google)", "description": notes or False}
    else:
        values = {}
        settings = content_settings(record.env)
        name = content.name_after_pull(
            rdv.summary, record.name or "", record.partner_id.name or "", settings.customer_in_title
        )
        if name != (record.name or ""):
            values["name"] = name or record.name or "(Google)"
        if notes != (record.of_google_phone_notes or ""):
            values["of_google_phone_notes"] = notes or False
    override = record.google_location if record is not None else ""
    new_override = override_after_pull(
        override, address_line(record) if record is not None else "", rdv.location
    )
    if record is None or new_override != (override or ""):
        values["google_location"] = new_override or False
    state = state_after_pull(record.state if record is not None else None, rdv.status)
    if record is None or state != record.state:
        values["state"] = state
    if rdv.extra and record is not None:
        values.update(record._of_google_values_from_event(dict(rdv.extra)))
    return values


def extra_values(env, rdv):
    """ORM values of an addon's values read from an event, for a new RDV."""
    if not rdv.extra:
        return {}
    return env["of.planning.intervention"]._of_google_values_from_event(dict(rdv.extra))


def split_recurrence(lines):
    """(the RRULE/EXRULE lines, the EXDATE/RDATE lines as text) of a series."""
    rules = [line for line in lines if line.upper().startswith(("RRULE", "EXRULE"))]
    extra = "\n".join(line for line in lines if line.upper().startswith(("EXDATE", "RDATE")))
    return rules, extra


def rule_lines_of(rdv):
    """A series' recurrence lines from Google, verbatim, as the planning keeps them."""
    return "\n".join(line.strip() for line in rdv.recurrence if line.strip())


def occurrences_at(recurrence, starts):
    """The RDVs of `recurrence` the rule started at one of `starts` (aware
    datetimes, or dates for an all-day series, as the sync core has them)."""
    moments = {_naive_utc(value) for value in starts if isinstance(value, datetime)}
    days = {value for value in starts if not isinstance(value, datetime)}
    tz_name = recurrence.tz or "Europe/Paris"
    return recurrence.intervention_ids.filtered(
        lambda occurrence: (
            occurrence.recurrence_original_date in moments
            or (days and _local_date(occurrence.recurrence_original_date, tz_name) in days)
        )
    )


def find_occurrence(recurrence, rdv):
    """The occurrence of `recurrence` an exception from Google is about: the
    one the rule started at `rdv.original_start` (a date for all-day series)."""
    return occurrences_at(recurrence, [rdv.original_start])[:1]


def original_start_values(recurrence, rdv):
    """recurrence_original_date for an occurrence Google added (RDATE-like)."""
    value = rdv.original_start
    if isinstance(value, datetime):
        return _naive_utc(value)
    tz = get_zone(recurrence.tz) or pytz.timezone("Europe/Paris")
    local_time = pytz.utc.localize(recurrence.dtstart).astimezone(tz).time()
    local = tz.localize(datetime.combine(value, local_time.replace(tzinfo=None)))
    return local.astimezone(pytz.utc).replace(tzinfo=None)
