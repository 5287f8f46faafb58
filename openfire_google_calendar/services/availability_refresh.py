# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading a technician's availability from Google, in his sync's session:
the same client, quota budget and holds as the sync's other calls. freeBusy
on his primary calendar (busy periods, never what they are), and his
out-of-office and working-location events (times, kind and place only).
What Google refuses leaves his availability unknown, with the reason on his
line; his RDVs' sync goes on."""

import logging
from datetime import datetime, timedelta, timezone

from odoo import _, fields

from ..sync import GoogleError
from ..sync.busy_time import ABSENCE, from_free_busy, from_typed_events, ranges, without_absences
from . import availability, settings

_logger = logging.getLogger(__name__)
TYPED = ("outOfOffice", "workingLocation")


def technicians(account):
    """The employees whose availability this account reads."""
    if account.employee_id:
        return account.employee_id
    return account.user_id.employee_ids


def _calendar_of(account, employee):
    """The calendar whose busy time is the technician's: his primary one."""
    return account.google_email or employee.work_email


def _reason(employee, calendar, reasons):
    # _() reads the user's language from a local named context
    context = {"lang": employee.env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    reason = reasons[0]
    if reason == "notFound":
        return _(
            "%(who)s's calendar %(calendar)s is not found, or does not share its free/busy "
            "time with the account that syncs it.",
            who=employee.name,
            calendar=calendar,
        )
    return _(
        "Google did not give %(who)s's availability (%(reason)s).", who=employee.name, reason=reason
    )


def _refused(employee, error):
    # _() reads the user's language from a local named context
    context = {"lang": employee.env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    if error.status == 403 and error.reason in ("insufficientPermissions", "forbidden"):
        return _(
            "%s has not allowed reading his availability: connect the Google account again "
            "and accept it.",
            employee.name,
        )
    return _(
        "Google did not give %(who)s's availability: %(error)s", who=employee.name, error=error
    )


def _read(client, account, calendar, start, end, all_day_busy, tz):
    """The blocks of one calendar over [start, end), or raise GoogleError /
    return the reasons Google gave for not answering. All-day events are
    days of the calendar's own zone (its list entry, when the account may
    read it; else the technician's)."""
    if account.kind != "shared":
        tz = client.calendar_time_zone(calendar) or tz
    busy = []
    for first, last in ranges(start, end):
        answer = client.free_busy([calendar], first, last)
        blocks, reasons = from_free_busy(answer.get(calendar), all_day_busy, tz)
        if reasons:
            return None, reasons
        busy.extend(blocks)
    typed = []
    if account.kind != "shared":  # a shared calendar's owner cannot read the technician's
        events = client.list_typed_events(calendar, start, end, TYPED)
        typed = from_typed_events(events, tz)
    absences = [block for block in typed if block.kind == ABSENCE]
    return without_absences(busy, absences) + typed, ()


def refresh(account, client, now=None, force=False):
    """Read and store the availability of the account's technicians (his
    own connection, a delegation or a shared calendar); ``force`` reads it
    even when it was read less than half a round ago."""
    env = account.env
    # _() reads the user's language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    if not settings.availability_enabled(env):
        return
    employees = technicians(account)
    if not employees:
        return
    weeks = max(1, min(settings.get(env, "availability_weeks"), 26))
    start = (now or datetime.now(timezone.utc)).replace(second=0, microsecond=0)
    end = start + timedelta(weeks=weeks)
    all_day_busy = settings.get(env, "availability_all_day") != "free"
    rows = env["of.google.availability"].sudo()._of(employees)
    # Once per round of the scheduled sync at most: a button pressed twice,
    # or a push, does not read it again.
    recent = fields.Datetime.now() - env["of.google.availability"]._stale_after() / 2
    for employee in employees:
        calendar = _calendar_of(account, employee)
        tz = employee.tz or account.user_id.tz or "Europe/Paris"
        row = rows[employee.id]
        if not force and row.refreshed and row.refreshed > recent and not row.error:
            continue
        if not calendar:
            row.write({"error": _("%s has no Google account e-mail.", employee.name)})
            continue
        if calendar == account.calendar_id:
            row.write(
                {
                    "error": _(
                        "%s's RDVs are synced into his primary calendar: his availability "
                        "would count them. Choose a dedicated calendar to read it.",
                        employee.name,
                    )
                }
            )
            continue
        try:
            blocks, reasons = _read(client, account, calendar, start, end, all_day_busy, tz)
        except GoogleError as exc:
            _logger.info("Availability of %s not read: %s", employee.name, exc)
            row.write({"error": _refused(employee, exc)})
            continue
        if reasons:
            row.write({"error": _reason(employee, calendar, reasons)})
            continue
        env["of.google.busy"]._replace(
            employee,
            availability.naive(start),
            availability.naive(end),
            [
                (availability.naive(b.start), availability.naive(b.end), b.kind, b.label)
                for b in blocks
            ],
        )
        row.write(
            {
                "known_from": availability.naive(start),
                "known_until": availability.naive(end),
                "refreshed": fields.Datetime.now(),
                "error": False,
            }
        )
