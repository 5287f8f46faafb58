# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading a technician's availability from Google, in his sync's session:
the same client, quota budget and holds as the sync's other calls.

- Busy time: ``freeBusy.query`` on his primary calendar and the other
  calendars chosen for him (of.google.busy.calendar), never what the events
  are. The technicians whose calendars one account's credentials reach alike
  (those synced by Workspace delegation in one domain, or through one
  planner's shared calendars) are read together: up to 50 calendars a query
  (``calendarExpansionMax``), so a round over N of them costs ⌈calendars/50⌉
  queries per range instead of one per technician. The first of them whose
  sync runs reads the others that are due, their rows locked (SKIP LOCKED:
  a session reading its own is left alone); a calendar Google does not
  answer in the batch is that technician's error only.
- Absences and working locations: his ``outOfOffice`` and
  ``workingLocation`` events, one listing of his primary calendar by his own
  session (only the owner, or the delegation acting as him, may list them;
  a shared calendar's owner cannot), asking for times, type and place only.
  The listing also gives the calendar's time zone (all-day events).

What Google refuses leaves that technician's availability unknown, with the
reason on his line; his RDVs' sync goes on."""

import logging
from datetime import datetime, timedelta, timezone

from psycopg2.errors import SerializationFailure

from odoo import _, fields

from ..sync import GoogleError
from ..sync.busy_time import ABSENCE, BUSY, LOCATION, chunks, from_free_busy, from_typed_events
from ..sync.busy_time import ranges as cut_ranges
from . import availability, settings

_logger = logging.getLogger(__name__)
TYPED = ("outOfOffice", "workingLocation")
MAX_WEEKS = 26
BATCHED_KINDS = ("delegated", "shared")
UNREAD = "unread"


def technicians(account):
    """The employees whose availability this account reads."""
    if account.employee_id:
        return account.employee_id
    return account.user_id.employee_ids


def _lang(env):
    return {"lang": env.lang or "en_US"}


def window_weeks(env):
    """(weeks read ahead, a warning when the setting is out of bounds): an
    absurd value is read within 1..26 weeks and said, not ignored."""
    context = _lang(env)  # noqa: F841  pylint: disable=unused-variable
    weeks = settings.get(env, "availability_weeks")
    if 1 <= weeks <= MAX_WEEKS:
        return weeks, None
    used = max(1, min(weeks, MAX_WEEKS))
    return used, _(
        'The setting "Availability: weeks ahead" is %(weeks)s: it must be between 1 and '
        "%(most)s weeks; %(used)s are read.",
        weeks=weeks,
        most=MAX_WEEKS,
        used=used,
    )


def _hours_warning(employee):
    """Said when the technician has no working hours: "Trouver un créneau"
    never proposes him a slot."""
    context = _lang(employee.env)  # noqa: F841  pylint: disable=unused-variable
    calendar = employee.resource_calendar_id or employee.company_id.resource_calendar_id
    if calendar and calendar.attendance_ids:
        return None
    return _(
        "%s has no working hours: no slot is ever proposed for him. Set his working hours "
        "on his employee form.",
        employee.name,
    )


def _reason(employee, calendar, reasons, name=None):
    context = _lang(employee.env)  # noqa: F841  pylint: disable=unused-variable
    reason = reasons[0]
    if name:
        if reason == "notFound":
            return _(
                "%(who)s's calendar %(name)s (%(calendar)s) is removed, or not shared with "
                "the account that reads it: remove it from his calendars counted as busy, or "
                "share it.",
                who=employee.name,
                name=name,
                calendar=calendar,
            )
        return _(
            "Google did not give the busy time of %(who)s's calendar %(name)s (%(reason)s).",
            who=employee.name,
            name=name,
            reason=reason,
        )
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
    context = _lang(employee.env)  # noqa: F841  pylint: disable=unused-variable
    if error.status == 403 and error.reason in ("insufficientPermissions", "forbidden"):
        return _(
            "%s has not allowed reading his availability: connect the Google account again "
            "and accept it.",
            employee.name,
        )
    return _(
        "Google did not give %(who)s's availability: %(error)s", who=employee.name, error=error
    )


class Member:
    """One technician to read: his account, his row, and the calendars whose
    busy time is his ((id, of.google.busy.calendar or None for the primary))."""

    def __init__(self, account, employee, row):
        self.account = account
        self.employee = employee
        self.row = row
        self.calendars = []
        self.error = None

    @property
    def primary(self):
        return self.account.google_email or self.employee.work_email


def _peers(account):
    """The other accounts whose technicians this account's credentials read
    in the same freeBusy queries: the same planner's shared calendars, or
    the same Workspace domain's delegation (whose users see each other's
    free/busy time by default)."""
    Account = account.env["of.google.account"].sudo()
    if account.kind not in BATCHED_KINDS:
        return Account
    domain = [
        ("id", "!=", account.id),
        ("kind", "=", account.kind),
        ("employee_id", "!=", False),
        ("user_id", "=", False),
        ("state", "=", "connected"),
        ("sync_stopped", "=", False),
    ]
    if account.kind == "shared":
        domain.append(("owner_account_id", "=", account.owner_account_id.id))
    else:
        suffix = (account.google_email or "").rpartition("@")[2]
        if not suffix:
            return Account
        domain.append(("google_email", "=ilike", "%@" + suffix))
    return Account.search(domain, order="id")


_LOCK = "SELECT id FROM of_google_availability WHERE id IN %s FOR NO KEY UPDATE SKIP LOCKED"


def _lock(env, rows):
    """The rows no other session is reading now, locked until this one ends.

    A row another session read and committed since this transaction began
    cannot be locked here (repeatable read: a serialization failure): that
    session has just read it, so it is left out like a locked one, one row
    at a time once the whole batch was refused."""
    if not rows:
        return rows
    try:
        with env.cr.savepoint(flush=False):
            env.cr.execute(_LOCK, [tuple(rows.ids)])
            return rows.browse([row[0] for row in env.cr.fetchall()])
    except SerializationFailure:
        _logger.debug("Availability rows changed by another session: locked one by one")
    locked = []
    for row_id in rows.ids:
        try:
            with env.cr.savepoint(flush=False):
                env.cr.execute(_LOCK, [(row_id,)])
                locked.extend(row[0] for row in env.cr.fetchall())
        except SerializationFailure:
            continue
    return rows.browse(locked)


def _members(account, force):
    """The technicians to read now: the account's own (all with ``force``),
    then its peers' that are due, each with his calendars."""
    env = account.env
    Rows = env["of.google.availability"].sudo()
    recent = fields.Datetime.now() - Rows._stale_after() / 2

    pairs = [(account, employee) for employee in technicians(account)]
    for peer in _peers(account):
        pairs.append((peer, peer.employee_id))
    rows = Rows._of(env["hr.employee"].browse([employee.id for _, employee in pairs]))
    wanted = Rows.browse(
        [
            rows[employee.id].id
            for owner, employee in pairs
            if (force and owner == account) or rows[employee.id]._due(recent)
        ]
    )
    locked = set(_lock(env, wanted).ids)
    members = []
    extras = {}
    for owner, employee in pairs:
        row = rows[employee.id]
        if row.id not in locked:
            continue
        locked.discard(row.id)  # a user's employees of several companies: read once each
        member = Member(owner, employee, row)
        if owner.id not in extras:
            extras[owner.id] = env["of.google.busy.calendar"]._of_account(owner)
        member.calendars = [(member.primary, None)] + [
            (extra.calendar_id.strip(), extra)
            for extra in extras[owner.id]
            if extra.calendar_id.strip() not in (member.primary, owner.calendar_id)
        ]
        members.append(member)
    return members


def _check(member):
    """What keeps a member from being read at all, as his error."""
    context = _lang(member.employee.env)  # noqa: F841  pylint: disable=unused-variable
    if not member.primary:
        return _("%s has no Google account e-mail.", member.employee.name)
    if member.primary == member.account.calendar_id:
        return _(
            "%s's RDVs are synced into his primary calendar: his availability "
            "would count them. Choose a dedicated calendar to read it.",
            member.employee.name,
        )
    return None


def _query(client, members, spans, budget):
    """{calendar id: [answer per range]} of the members' calendars, up to 50
    a query; the members the budget (calls, None: no limit) or Google's
    transient refusals leave unread are returned apart, a refusal of a
    whole query is each member's error. (answers, unread members)."""
    answers = {}
    unread = []
    by_chunk = chunks([calendar for member in members for calendar, _ in member.calendars])
    refused = {}
    for number, chunk in enumerate(by_chunk):
        if budget is not None and budget < len(spans):
            refused.update(dict.fromkeys(chunk, None))
            continue
        try:
            for first, last in spans:
                answer = client.free_busy(chunk, first, last)
                if budget is not None:
                    budget -= 1
                for calendar in chunk:
                    answers.setdefault(calendar, []).append(answer.get(calendar))
        except GoogleError as exc:
            _logger.info("Availability query %s not answered: %s", number, exc)
            for calendar in chunk:
                answers.pop(calendar, None)
                refused[calendar] = None if exc.transient else exc
    for member in members:
        missing = [refused[calendar] for calendar, _ in member.calendars if calendar in refused]
        if missing and all(error is None for error in missing):
            unread.append(member)
        elif missing:
            member.error = _refused(member.employee, next(e for e in missing if e))
    return answers, unread


def _busy_of(member, answers, all_day_busy, reader):
    """The member's busy blocks from the answers, or None with his error set
    (and on the extra calendar that failed); :data:`UNREAD` for a colleague
    of a Workspace domain whose calendar the reader does not see: his own
    session reads it, as himself."""
    tz = member.row.time_zone or member.employee.tz or "Europe/Paris"
    blocks = []
    for calendar, extra in member.calendars:
        for answer in answers.get(calendar, ()):
            found, reasons = from_free_busy(answer, all_day_busy, tz)
            if reasons and member.account != reader and reader.kind == "delegated":
                return UNREAD
            if reasons:
                member.error = _reason(
                    member.employee, calendar, reasons, extra.name or calendar if extra else None
                )
                if extra:
                    extra.error = member.error
                return None
            blocks.extend(found)
        if extra and extra.error:
            extra.error = False
    return blocks


def _typed(client, member, start, end):
    """His absences and working locations (his own session only), or None
    with his error set. Stores the calendar's zone on his row."""
    try:
        events, zone = client.typed_events(member.primary, start, end, TYPED)
    except GoogleError as exc:
        if not exc.transient:  # transient: read at the next round, nothing said
            member.error = _refused(member.employee, exc)
        return None
    if zone and zone != member.row.time_zone:
        member.row.time_zone = zone
    return from_typed_events(events, member.row.time_zone or member.employee.tz)


def _store(env, member, start, end, blocks, kinds):
    env["of.google.busy"]._replace(
        member.employee,
        availability.naive(start),
        availability.naive(end),
        [(availability.naive(b.start), availability.naive(b.end), b.kind, b.label) for b in blocks],
        kinds=kinds,
    )


def refresh(account, client, now=None, force=False, budget=None):
    """Read and store the availability of the account's technicians (his
    own connection, a delegation or a shared calendar), and of the due
    technicians read with the same credentials; ``force`` reads the
    account's own even when read less than half a round ago. ``budget``:
    the Google calls this may send (the session's quota share; None: no
    limit); what does not fit stays due for the next round."""
    env = account.env
    if not settings.availability_enabled(env):
        return
    weeks, window_warning = window_weeks(env)
    start = (now or datetime.now(timezone.utc)).replace(second=0, microsecond=0)
    end = start + timedelta(weeks=weeks)
    spans = cut_ranges(start, end)
    all_day_busy = settings.get(env, "availability_all_day") != "free"
    members = _members(account, force)
    readable = []
    for member in members:
        member.error = _check(member)
        if member.error:
            member.row.write(
                {"error": member.error, "to_read": False, "tried": fields.Datetime.now()}
            )
        else:
            readable.append(member)
    if account.kind != "shared":  # a shared calendar's owner cannot list them
        budget = _read_typed(account, client, start, end, force, budget)
    answers, unread = _query(client, readable, spans, budget)
    for member in readable:
        if member in unread:
            continue  # left due: the next round, or his own session, reads it
        blocks = None if member.error else _busy_of(member, answers, all_day_busy, account)
        if blocks is UNREAD:
            continue
        if blocks is None:
            _logger.info("Availability of %s not read: %s", member.employee.name, member.error)
            member.row.write(
                {"error": member.error, "to_read": False, "tried": fields.Datetime.now()}
            )
            continue
        _store(env, member, start, end, blocks, (BUSY,))
        warnings = [text for text in (window_warning, _hours_warning(member.employee)) if text]
        member.row.write(
            {
                "known_from": availability.naive(start),
                "known_until": availability.naive(end),
                "refreshed": fields.Datetime.now(),
                "error": False,
                "warning": "\n".join(warnings) or False,
                "to_read": False,
                "tried": fields.Datetime.now(),
            }
        )


def _read_typed(account, client, start, end, force, budget):
    """The absences and working locations of the account's own technicians
    that are due (one listing each); returns what is left of the budget. A
    refusal is his error (his busy time, read next, says the rest)."""
    env = account.env
    Rows = env["of.google.availability"].sudo()
    recent = fields.Datetime.now() - Rows._stale_after() / 2
    rows = Rows._of(technicians(account))
    due = Rows.browse(
        [
            row.id
            for row in rows.values()
            if force or row.to_read or not row.typed_read or row.typed_read <= recent
        ]
    )
    # A batch reading one of them now holds his row: his busy time is
    # written under that lock only, so his typed events wait for a round.
    locked = _lock(env, due)
    for employee in technicians(account):
        row = rows[employee.id]
        if row not in locked:
            continue
        if budget is not None and budget < 1:
            break
        member = Member(account, employee, row)
        if _check(member):
            continue
        typed = _typed(client, member, start, end)
        if budget is not None:
            budget -= 1
        if typed is None and not member.error:
            break  # Google's limits or an outage: the next round reads it
        if typed is None:
            row.write({"error": member.error})
            continue
        _store(env, member, start, end, typed, (ABSENCE, LOCATION))
        row.typed_read = fields.Datetime.now()
    return budget
