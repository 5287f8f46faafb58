"""What an integrator and the users do before the load, over JSON-RPC and HTTP only: the
settings pointed at the emulator, the groups, the technicians and planners, the cron every
minute; then each technician's real consent flow, and new sessions whose first request is
the sync."""

import re
import time
from datetime import datetime, timezone

import requests

from .client import Client, RpcError
from .common import (
    CALENDAR_NAME,
    CLIENT_ID,
    CLIENT_SECRET,
    MODEL,
    REQUEST_TIMEOUT,
    SYNCED,
    log,
    odoo_dt,
)


def xmlid(admin, module, name):
    """The database id of ``module.name``."""
    rows = admin.kw(
        "ir.model.data",
        "search_read",
        [[("module", "=", module), ("name", "=", name)]],
        {"fields": ["res_id"]},
        kind="setup",
    )
    if not rows:
        raise RuntimeError("no record %s.%s" % (module, name))
    return rows[0]["res_id"]


def configure(run):
    """Settings, groups, people and cron; the run's ``techs``, ``planners`` and
    ``retry_field`` (the RDVs' sync state, when the connector shows one)."""
    admin = run.admin
    set_params(admin, run.server.url, run.emulator.url)
    recurring = xmlid(admin, "openfire_planning", "group_of_planning_recurring")
    google = xmlid(admin, "openfire_google_calendar", "group_of_planning_google")
    base_user = xmlid(admin, "base", "group_user")
    admin.kw(
        "res.groups",
        "write",
        [[base_user], {"implied_ids": [(4, recurring), (4, google)]}],
        kind="setup",
    )
    user_group = xmlid(admin, "openfire_planning", "group_of_planning_user")
    manager_group = xmlid(admin, "openfire_planning", "group_of_planning_manager")
    groups = groups_field(admin)
    create_technicians(run, groups, [base_user, user_group])
    create_planners(run, groups, [base_user, manager_group])
    schedule_cron(admin)
    fields = admin.kw(MODEL, "fields_get", [], {"attributes": ["type"]}, kind="setup")
    run.retry_field = "of_google_sync_state" if "of_google_sync_state" in fields else None


def set_params(admin, odoo_url, emu_url):
    """Client id and secret, Google's endpoints at the emulator, push back to Odoo."""

    def set_param(key, value):
        admin.kw("ir.config_parameter", "set_param", [key, value], kind="setup")

    set_param("web.base.url", odoo_url)
    set_param("web.base.url.freeze", "True")
    set_param("google_calendar_client_id", CLIENT_ID)
    set_param("google_calendar_client_secret", CLIENT_SECRET)
    for key, path in (
        ("auth_uri", "/o/oauth2/auth"),
        ("token_uri", "/token"),
        ("revoke_uri", "/revoke"),
        ("api_endpoint", "/calendar/v3/"),
    ):
        set_param("openfire_google_calendar." + key, emu_url + path)
    set_param("openfire_google_calendar.push_base_url", odoo_url)
    set_param("openfire_google_calendar.conflict_policy", "odoo")
    set_param("openfire_google_calendar.calendar_name", CALENDAR_NAME)
    # a shared calendar's sharing read back every 18 s, not daily: calendar-unshared
    # judges the recovery within its own minute
    set_param("openfire_google_calendar.sharing_check_hours", "0.005")
    # every sync reads the technicians' availability too (freeBusy through the session)
    set_param("openfire_google_calendar.availability", "1")


def groups_field(admin):
    """19.0 renamed res.users.groups_id to group_ids."""
    user_fields = admin.kw("res.users", "fields_get", [], {"attributes": ["type"]}, kind="setup")
    return "group_ids" if "group_ids" in user_fields else "groups_id"


def create_technicians(run, groups, group_ids):
    """Users in the planning's user group, each with his employee (work e-mail = login)."""
    admin = run.admin
    for i in range(run.args.technicians):
        login = "tech%d@example.com" % (i + 1)
        uid = admin.kw(
            "res.users",
            "create",
            [
                {
                    "name": "Technicien %d" % (i + 1),
                    "login": login,
                    "email": login,
                    "password": "tech-pw-%d" % (i + 1),
                    "tz": "Europe/Paris",
                    groups: [(6, 0, group_ids)],
                }
            ],
            kind="setup",
        )
        employees = admin.kw("hr.employee", "search", [[("user_id", "=", uid)]], kind="setup")
        if employees:
            employee = employees[0]
            admin.kw("hr.employee", "write", [[employee], {"work_email": login}], kind="setup")
        else:
            employee = admin.kw(
                "hr.employee",
                "create",
                [{"name": "Technicien %d" % (i + 1), "user_id": uid, "work_email": login}],
                kind="setup",
            )
        client = Client(run.server, run.stats, login, "tech-pw-%d" % (i + 1))
        run.techs.append(
            {
                "login": login,
                "uid": uid,
                "employee": employee,
                "client": client,
                "calendar": None,
                "index": i,
            }
        )


def create_planners(run, groups, group_ids):
    """Planning managers, each with a session of his own."""
    admin = run.admin
    for i in range(run.args.planners):
        login = "planner%d" % (i + 1)
        admin.kw(
            "res.users",
            "create",
            [
                {
                    "name": "Planificateur %d" % (i + 1),
                    "login": login,
                    "password": "planner-pw-%d" % (i + 1),
                    "tz": "Europe/Paris",
                    groups: [(6, 0, group_ids)],
                }
            ],
            kind="setup",
        )
        run.planners.append(Client(run.server, run.stats, login, "planner-pw-%d" % (i + 1)))


def schedule_cron(admin):
    """The scheduled action every minute instead of every 10, due now."""
    cron = xmlid(admin, "openfire_google_calendar", "ir_cron_of_google_sync")
    admin.kw(
        "ir.cron",
        "write",
        [
            [cron],
            {
                "interval_number": 1,
                "interval_type": "minutes",
                "active": True,
                "nextcall": odoo_dt(datetime.now(timezone.utc)),
            },
        ],
        kind="setup",
    )


# --------------------------------------------------------------------------- connection


def connect(run, tech, count_calendars=True):
    """The real consent flow: sync_data -> consent URL -> "Autoriser" -> callback; then
    the technician's first sync. ``count_calendars``: more than one secondary calendar
    is a failure (one was made beside his), unless the caller judges them itself."""
    client = tech["client"]
    result = client.sync_data(kind="connect")
    if result.get("status") != "need_auth" or not result.get("url"):
        raise RuntimeError(
            "%s: sync_data answered %r, not need_auth with a URL" % (tech["login"], result)
        )
    back = consent(run.emulator.url, result["url"], tech["login"])
    if not back.startswith(run.server.url):
        raise RuntimeError("consent redirects elsewhere: %s" % back)
    started = time.monotonic()
    response = client.http.get(back, allow_redirects=False, timeout=REQUEST_TIMEOUT)
    run.stats.latency("connect", time.monotonic() - started, "oauth callback")
    if response.status_code not in (302, 303):
        raise RuntimeError(
            "%s: the OAuth callback answered %s: %s"
            % (tech["login"], response.status_code, response.text[:300])
        )
    result = run.sync(tech, kind="connect")
    if result.get("status") not in SYNCED:
        raise RuntimeError("%s: first sync answered %r" % (tech["login"], result))
    tech["calendar"] = synced_calendar(run, tech, count_calendars)


def consent(emulator_url, url, email):
    """The emulator's consent page, "Autoriser": the URL it redirects back to."""
    page = requests.get(url, timeout=10)
    page.raise_for_status()
    match = re.search(r'name="request_id" value="([^"]+)"', page.text)
    if not match:
        raise RuntimeError("no request_id on the emulator's consent page")
    answer = requests.post(
        emulator_url + "/o/oauth2/approval",
        data={"request_id": match.group(1), "decision": "allow", "email": email},
        allow_redirects=False,
        timeout=10,
    )
    if answer.status_code not in (302, 303):
        raise RuntimeError("consent answered %s" % answer.status_code)
    return answer.headers["Location"]


def synced_calendar(run, tech, count=True):
    """The id of the technician's secondary calendar; more than one is a failure
    (``count``)."""
    accounts = run.emulator.admin("GET", "accounts")["accounts"]
    for account in accounts:
        if account["email"] == tech["login"]:
            cals = [c for c in account["calendars"] if not c["primary"]]
            if count and len(cals) > 1:
                run.report.fail(
                    "%s has %d secondary calendars (a second calendar was made)"
                    % (tech["login"], len(cals))
                )
            return cals[0]["id"] if cals else None
    return None


def fresh_session_probe(run, tech, rounds=3):
    """A connected user whose first request of a new session is the sync: Odoo 18+
    writes the session's device log in that request's transaction, which must not
    stop the sync. Each of ``rounds`` new sessions syncs."""
    for n in range(rounds):
        client = Client(run.server, run.stats, tech["login"], tech["client"].password)
        client.authenticate()
        try:
            result = client.sync_data(kind="first request")
        except RpcError as exc:
            run.report.fail(
                "fresh session %d of %s: the sync failed: %s" % (n + 1, tech["login"], exc)
            )
            continue
        if result.get("status") not in SYNCED:
            run.report.fail(
                "fresh session %d of %s: the sync answered %r" % (n + 1, tech["login"], result)
            )
    run.report.row["fresh_sessions"] = rounds


# --------------------------------------------------------------------------- proposals


def propose_changes(run):
    """A share of the technicians in proposal mode (their employee's "Changes made in
    Google": proposed to the planner): the last of those with a login and the last of
    those without, when there are at least two of a kind (the probe and the fresh
    sessions use the first). Their phone edits then become proposals, never changes of
    the RDVs; the ledger knows them (``proposing``)."""
    fields = run.admin.kw("hr.employee", "fields_get", [], {"attributes": ["type"]}, kind="setup")
    if "of_google_changes" not in fields:
        run.report.note("no per-technician proposal mode in this connector: none proposing")
        return
    chosen = []
    for field in (False, True):
        kind = [t for t in run.techs if bool(t.get("field")) == field]
        if len(kind) >= 2:
            chosen.append(kind[-1])
    for tech in chosen:
        run.admin.kw(
            "hr.employee",
            "write",
            [[tech["employee"]], {"of_google_changes": "proposed"}],
            kind="setup",
        )
        tech["proposed"] = True
        run.ledger.proposing.add(tech["index"])
    if chosen:
        log("  changes proposed to the planner: %s" % ", ".join(t["login"] for t in chosen))
