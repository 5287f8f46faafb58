"""Technicians without an Odoo login: employees whose work e-mail is a Google account,
synced by Google Workspace delegation (a service account acting as them) or by calendars
a planner's connected account shares with them. The settings hold one mode per database:
the threaded run uses delegation, the prefork run the shared calendars.

They have no session, so no "Sync. avec Google": their syncs are the cron's (or
queue_job's). :class:`FieldClient` stands where the load and the checks expect a
technician's session: "sync" asks the administrators' "Sync again" of the employee and,
when asked to wait (quiescence, the final round), waits for his account's next sync."""

import json
import time

from .client import Client
from .common import REQUEST_TIMEOUT, log
from .configure import connect, xmlid

DOMAIN = "acme.fr"
ACCOUNT_MODEL = "of.google.account"
WAITING_KINDS = ("quiesce", "final")


def kind_for(mode):
    """The technicians' mode each server mode runs."""
    return "delegated" if mode == "threaded" else "shared"


class FieldClient:
    """A technician without a login, as the tier drives him: through the administrator."""

    def __init__(self, run, employee, email):
        self.run, self.employee, self.login = run, employee, email
        self.password = None

    def account(self):
        rows = self.run.admin.kw(
            ACCOUNT_MODEL,
            "search_read",
            [[("employee_id", "=", self.employee), ("user_id", "=", False)]],
            {"fields": ["state", "last_sync", "last_error", "calendar_id", "sync_stopped"]},
            kind="check",
            retry_interrupted=True,
        )
        return rows[0] if rows else None

    def sync_data(self, kind="sync", timeout=REQUEST_TIMEOUT, force=False, **_opts):
        """The administrator's "Sync again" for this employee; for quiescence and the
        final round, the account's next sync waited for (a status as sync_data says)."""
        del force
        before = (self.account() or {}).get("last_sync")
        started = time.monotonic()
        self.run.admin.kw(
            "hr.employee", "action_of_google_admin_retry", [[self.employee]], kind="field sync"
        )
        self.run.stats.latency("field sync", time.monotonic() - started, "admin retry")
        if kind not in WAITING_KINDS:
            return {"status": "queued"}
        deadline = time.monotonic() + min(timeout, 30)
        while time.monotonic() < deadline:
            account = self.account() or {}
            if account.get("last_sync") and account.get("last_sync") != before:
                if account.get("state") != "connected":
                    return {
                        "status": "account %s: %s"
                        % (account.get("state"), account.get("last_error"))
                    }
                return {"status": "no_new_event_from_google"}
            time.sleep(1)
        return {"status": "already_running"}


def setup(run, count):
    """``count`` employees without a user, their Google accounts in the emulator, the
    settings of the mode; appended to ``run.techs`` (after the technicians with a login,
    whom the probe uses)."""
    if count <= 0:
        return
    admin, emulator = run.admin, run.emulator
    kind = kind_for(run.mode)
    run.field_kind = kind

    def set_param(key, value):
        admin.kw("ir.config_parameter", "set_param", [key, value], kind="setup")

    if kind == "delegated":
        key = emulator.admin("POST", "service-accounts", {"name": "tier", "domain": DOMAIN})
        run.service_account = key
        set_param("openfire_google_calendar.service_account_key", json.dumps(key))
        set_param("openfire_google_calendar.workspace_domain", DOMAIN)
        set_param("openfire_google_calendar.technicians_mode", "delegated")
    else:
        owner = create_owner(run)
        set_param("openfire_google_calendar.technicians_mode", "shared")
        set_param("openfire_google_calendar.shared_owner_id", str(owner["uid"]))
        set_param("openfire_google_calendar.shared_role", "writer")
        connect(run, owner)
        run.shared_owner = owner
    first = len(run.techs)
    for n in range(count):
        email = "field%d@%s" % (n + 1, DOMAIN)
        emulator.admin("POST", "accounts", {"email": email, "time_zone": "Europe/Paris"})
        if kind == "shared":
            # colleagues of one Workspace see each other's free/busy: the planner's
            # account reads the technician's availability
            emulator.admin(
                "POST",
                "phone/%s/calendars/%s/acl" % (email, email),
                {
                    "role": "freeBusyReader",
                    "scope": {"type": "user", "value": run.shared_owner["login"]},
                },
            )
        employee = admin.kw(
            "hr.employee",
            "create",
            [{"name": "Terrain %d" % (n + 1), "work_email": email, "tz": "Europe/Paris"}],
            kind="setup",
        )
        run.techs.append(
            {
                "login": email,
                "uid": None,
                "employee": employee,
                "client": FieldClient(run, employee, email),
                "calendar": None,
                "index": first + n,
                "field": kind,
            }
        )
    log("  %d technicians without a login (%s)" % (count, kind))


def create_owner(run):
    """The planner whose connected account holds the technicians' shared calendars."""
    admin = run.admin
    email = "owner@example.com"
    run.emulator.admin("POST", "accounts", {"email": email, "time_zone": "Europe/Paris"})
    groups = (
        "group_ids"
        if "group_ids"
        in admin.kw("res.users", "fields_get", [], {"attributes": ["type"]}, kind="setup")
        else "groups_id"
    )
    group_ids = [
        xmlid(admin, "base", "group_user"),
        xmlid(admin, "openfire_planning", "group_of_planning_manager"),
    ]
    uid = admin.kw(
        "res.users",
        "create",
        [
            {
                "name": "Planificateur des agendas",
                "login": email,
                "email": email,
                "password": "owner-pw",
                "tz": "Europe/Paris",
                groups: [(6, 0, group_ids)],
            }
        ],
        kind="setup",
    )
    client = Client(run.server, run.stats, email, "owner-pw")
    return {"login": email, "uid": uid, "client": client, "calendar": None, "index": -1}


def first_calendars(run, timeout=120):
    """Wake the cron for the technicians without a login and wait until each has his
    synced calendar; fills their ``calendar``. A failure when one never gets one."""
    field = [t for t in run.techs if t.get("field")]
    if not field:
        return
    pending = list(field)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for tech in list(pending):
            account = tech["client"].account()
            if account and account.get("calendar_id") and account.get("last_sync"):
                tech["calendar"] = account["calendar_id"]
                pending.remove(tech)
        if pending:
            for tech in pending:
                try:
                    run.admin.kw(
                        "hr.employee",
                        "action_of_google_admin_retry",
                        [[tech["employee"]]],
                        kind="setup",
                    )
                except Exception:  # pylint: disable=broad-except
                    pass
            time.sleep(3)
    for tech in pending:
        run.report.fail(
            "%s (%s) got no synced calendar within %d s: %r"
            % (tech["login"], tech["field"], timeout, tech["client"].account())
        )
    run.report.row["field_techs"] = "%d %s" % (len(field), field[0]["field"])


def seed_rdvs(run, per_tech=2):
    """A couple of RDVs per technician without a login, so that the cron counts him
    as a technician (an employee assigned to an RDV) before the load."""
    from datetime import datetime, timedelta, timezone  # pylint: disable=import-outside-toplevel

    from . import planners  # pylint: disable=import-outside-toplevel

    for tech in [t for t in run.techs if t.get("field")]:
        for _ in range(per_tech):
            title, seq = run.ledger.next_title("odoo")
            del title
            title = "ST-f%05d" % seq
            start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
            start += timedelta(days=2 + seq % 10, hours=seq % 8)
            planners.plan_for(run, tech, title, start, kind="setup")


def resolve_edits(run):
    """The RDV of each phone edit of a technician without a login, from the connector's
    links of his account: the tier's checks map events to RDVs through the links of
    users, and these accounts have no user."""
    field = {t["index"]: t for t in run.techs if t.get("field")}
    if not field:
        return
    by_account = {}
    for tech in field.values():
        rows = run.admin.kw(
            ACCOUNT_MODEL,
            "search",
            [[("employee_id", "=", tech["employee"]), ("user_id", "=", False)]],
            kind="check",
            retry_interrupted=True,
        )
        for account_id in rows:
            by_account[account_id] = tech["index"]
    links = run.admin.kw(
        "of.google.event.link",
        "search_read",
        [[("account_id", "in", list(by_account))]],
        {"fields": ["google_event_id", "intervention_id", "account_id"]},
        kind="check",
        retry_interrupted=True,
    )
    event_rdv = {
        (by_account[row["account_id"][0]], row["google_event_id"]): row["intervention_id"][0]
        for row in links
        if row["intervention_id"] and row["account_id"]
    }
    for edit in run.ledger.edits:
        if edit.side == "google" and edit.rdv_id is None and edit.tech in field:
            edit.rdv_id = event_rdv.get((edit.tech, edit.event_id))
