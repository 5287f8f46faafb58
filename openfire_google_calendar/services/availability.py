# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A technician's availability as the planning needs it: his working hours
(his resource calendar, less the leaves Odoo knows, ``hr_holidays`` time off
included), his other RDVs, and his busy time and absences read from Google
(``of.google.busy``, only where it is known and fresh). The rules are the
sync core's (sync/slots.py); this module gathers the intervals from the
database, in a few queries whatever their number, and words the answers in
the user's language."""

from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

from odoo import _, fields

from ..sync.slots import Availability, Busy, BusyKind, Code, Interval, conflicts, find_slots
from . import settings

UTC = timezone.utc
CANCELLED_STATES = ("cancel", "postponed")
_GOOGLE_KINDS = {"busy": BusyKind.BUSY, "absence": BusyKind.ABSENCE}


def aware(value):
    """An Odoo datetime (naive UTC) as an aware one."""
    return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


def naive(value):
    """An aware datetime as Odoo stores it (naive UTC)."""
    return value.astimezone(UTC).replace(tzinfo=None)


def google_synced(env, employees):
    """The employees whose Google calendar is synced (their own connection, a
    delegation or a shared calendar): their availability is to be known."""
    if not settings.availability_enabled(env):
        return env["hr.employee"]
    accounts = (
        env["of.google.account"]
        .sudo()
        .search(
            [
                "|",
                ("employee_id", "in", employees.ids),
                ("user_id", "in", employees.user_id.ids),
            ]
        )
    )
    synced = accounts.filtered(lambda account: account.refresh_token or account.kind != "oauth")
    return employees.filtered(
        lambda employee: (
            employee in synced.employee_id
            or (employee.user_id and employee.user_id in synced.user_id)
        )
    )


def _working(env, employees, start, stop):
    """{employee id: (Interval, ...)} from each one's resource calendar."""
    working = {}
    by_calendar = {}
    for employee in employees:
        calendar = employee.resource_calendar_id or employee.company_id.resource_calendar_id
        by_calendar.setdefault(calendar, env["hr.employee"])
        by_calendar[calendar] |= employee
    for calendar, members in by_calendar.items():
        if not calendar:
            for employee in members:
                working[employee.id] = ()
            continue
        intervals = calendar._work_intervals_batch(start, stop, resources=members.resource_id)
        for employee in members:
            working[employee.id] = tuple(
                Interval(begin, end)
                for begin, end, _records in intervals.get(employee.resource_id.id, ())
                if end > begin
            )
    return working


def _rdvs(env, employees, start, stop, exclude):
    """{employee id: [Busy, ...]}: the RDVs each is on, ``exclude`` left out."""
    domain = [
        ("employee_ids", "in", employees.ids),
        ("state", "not in", CANCELLED_STATES),
        ("date", "<", naive(stop)),
        ("date_deadline", ">", naive(start)),
    ]
    if exclude:
        domain.append(("id", "not in", exclude.ids))
    busy = {employee.id: [] for employee in employees}
    rdvs = (
        env["of.planning.intervention"]
        .sudo()
        .search_fetch(domain, ["date", "date_deadline", "employee_ids"])
    )
    for rdv in rdvs:
        if not rdv.date or not rdv.date_deadline or rdv.date_deadline <= rdv.date:
            continue
        block = Busy(aware(rdv.date), aware(rdv.date_deadline), BusyKind.RDV, str(rdv.id))
        for employee in rdv.employee_ids:
            if employee.id in busy:
                busy[employee.id].append(block)
    return busy


def _google(env, employees, start, stop):
    """{employee id: [Busy, ...]}: the Google busy time and absences read."""
    busy = {employee.id: [] for employee in employees}
    for block in env["of.google.busy"].sudo()._blocks(employees.ids, naive(start), naive(stop)):
        kind = _GOOGLE_KINDS.get(block["kind"])
        if kind is not None:
            busy[block["employee_id"]].append(
                Busy(aware(block["start"]), aware(block["stop"]), kind)
            )
    return busy


def availabilities(env, employees, start, stop, exclude=None):
    """One :class:`~..sync.slots.Availability` per employee over [start, stop)
    (aware); ``exclude``: the RDV being planned."""
    synced = google_synced(env, employees)
    rows = env["of.google.availability"].sudo()._of(synced) if synced else {}
    working = _working(env, employees, start, stop)
    rdvs = _rdvs(env, employees, start, stop, exclude)
    google = _google(env, synced, start, stop) if synced else {}
    result = []
    for employee in employees:
        known = None
        if employee in synced:
            span = rows[employee.id]._known_range()
            known = (Interval(aware(span[0]), aware(span[1])),) if span else ()
        result.append(
            Availability(
                technician=str(employee.id),
                working=working[employee.id],
                busy=tuple(rdvs[employee.id] + google.get(employee.id, [])),
                known=known,
            )
        )
    return result


def _name(env, technician):
    return env["hr.employee"].browse(int(technician)).name


def reason_text(env, reason, duration):
    """A :class:`~..sync.slots.Reason` in the user's language."""
    # _() reads the user's language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    who = _name(env, reason.technician) if reason.technician else ""
    hours = "%d:%02d" % divmod(int(duration.total_seconds() // 60), 60)
    texts = {
        Code.NO_WORKING_HOURS: _("%s has no working hours in this period.", who),
        Code.WORKING_TOO_SHORT: _("%(who)s never works %(hours)s in a row.", who=who, hours=hours),
        Code.AVAILABILITY_UNKNOWN: _("%s's Google availability is unknown or out of date.", who),
        Code.AVAILABILITY_PARTLY_UNKNOWN: _("%s's Google availability is partly unknown.", who),
        Code.NO_FREE_SLOT: _("%s has no free slot in this period.", who),
        Code.NO_COMMON_TIME: _("The technicians are never free together in this period."),
    }
    return texts.get(reason.code, reason.code)


def search_slots(env, employees, duration, earliest, weeks, count, exclude=None):
    """The next ``count`` slots of ``duration`` from ``earliest`` (aware) over
    ``weeks`` weeks where every employee is free, and the reasons as text."""
    horizon = earliest + timedelta(weeks=weeks)
    team = availabilities(env, employees, earliest, horizon, exclude=exclude)
    tz = user_zone(env)
    found = find_slots(team, duration, earliest, horizon, count=count, tz=tz)
    return found.slots, [reason_text(env, reason, duration) for reason in found.reasons]


def clashes(env, employees, start, stop, exclude=None):
    """What an RDV of ``employees`` at [start, stop) (aware) would be planned
    over, as (employee, kind code, start, stop) with aware datetimes."""
    team = availabilities(env, employees, start, stop, exclude=exclude)
    return [
        (env["hr.employee"].browse(int(clash.technician)), clash.code, clash.interval)
        for clash in conflicts(team, start, stop)
    ]


def now():
    """The present, aware (the earliest a slot may start by default)."""
    return aware(fields.Datetime.now()).replace(second=0, microsecond=0)


def user_zone(env):
    """The zone the planner reads times in: his, else the planning's."""
    return env.context.get("tz") or env.user.tz or env.company.of_planning_tz or "Europe/Paris"


def local(env, value):
    """An aware datetime shown in the planner's zone, as text."""
    return value.astimezone(ZoneInfo(user_zone(env))).strftime("%Y-%m-%d %H:%M")
