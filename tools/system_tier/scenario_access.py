"""Access to Google withdrawn in the middle of a run, then given back:

* ``consent-revoked``: a technician with a login withdraws the connector's access in his
  Google account (his refresh token revoked, his access tokens expired);
* ``delegation-removed``: the Workspace administrator removes the service account's
  domain-wide delegation (the threaded run's technicians without a login);
* ``calendar-unshared``: the planner's account stops sharing a technician's calendar
  (the prefork run's technicians without a login).

Each time, with new RDVs planned for the one who lost access and for the others: his
account is marked (not "connected", a last error that says what to do), his "Sync."
answers within ``ANSWER_WITHIN`` s, the others' syncs go on and bring their new RDVs;
then access is given back the way a user does it (consent again, the delegation
restored, the calendar shared again) and the syncs resume with no duplicate, no second
calendar, both sides the same."""

import time
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from . import field_techs, planners
from .client import RpcError
from .common import CLIENT_ID, SYNCED, log
from .configure import connect

ANSWER_WITHIN = 10.0
MARKED_WITHIN = 90.0  # seconds for the cron to find the loss (technicians without a login)
RESUMED_WITHIN = 120.0  # seconds for the cron to resume once access is back


def new_rdv(run, tech, what):
    """An RDV planned for ``tech`` by a planner; its id."""
    title, seq = run.ledger.next_title("odoo")
    start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
    start += timedelta(days=4 + seq % 9, hours=seq % 7)
    rdv_id = planners.plan_for(run, tech, title, start)
    log("  %s: RDV %s %s for %s" % (what, rdv_id, title, tech["login"]))
    return rdv_id, title


def account_of(run, tech):
    domain = (
        [("employee_id", "=", tech["employee"]), ("user_id", "=", False)]
        if tech.get("field")
        else [("user_id", "=", tech["uid"])]
    )
    rows = run.admin.kw(
        "of.google.account",
        "search_read",
        [domain],
        {"fields": ["state", "last_error", "last_error_kind", "last_sync", "calendar_id"]},
        kind="check",
        retry_interrupted=True,
    )
    return rows[0] if rows else {}


def has_event(run, tech, title):
    return any(
        e.get("summary") == title and e.get("status") != "cancelled"
        for e in run.phones.events_of(tech, show_deleted=False)
    )


def others_go_on(run, lost, name):
    """Every other technician gets his new RDV on his phone (his sync, or the cron's)."""
    for tech in run.techs:
        if tech is lost or tech in getattr(run, "_lost_now", ()):
            continue
        _rid, title = new_rdv(run, tech, name)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            status = run.sync(tech, kind=name).get("status")
            if has_event(run, tech, title):
                break
            if status not in SYNCED + ("queued", "already_running", "no_new_event_from_google"):
                log("  %s: %s answered %r" % (name, tech["login"], status))
            time.sleep(2)
        else:
            run.report.fail(
                "%s: %s's new RDV %s never reached his calendar while another lost access"
                % (name, tech["login"], title)
            )


def wait_marked(run, techs, name, within):
    """Each of ``techs``' accounts not connected, with a last error, within ``within`` s."""
    deadline = time.monotonic() + within
    pending = list(techs)
    while pending and time.monotonic() < deadline:
        for tech in list(pending):
            if tech.get("field"):
                tech["client"].sync_data(kind="outage")
            account = account_of(run, tech)
            if account.get("last_error") and account.get("state") != "connected":
                log(
                    "  %s: %s marked %s: %s"
                    % (name, tech["login"], account["state"], account["last_error"][:160])
                )
                run.report.row.setdefault("access_messages", {})[name] = account["last_error"][:200]
                pending.remove(tech)
        if pending:
            time.sleep(3)
    for tech in pending:
        account = account_of(run, tech)
        run.report.fail(
            "%s: %s's account is not marked after %.0f s (state %s, last error %r)"
            % (name, tech["login"], within, account.get("state"), account.get("last_error"))
        )


def wait_resumed(run, techs, name, titles):
    """Each of ``techs`` connected again, no error, his new RDV on his phone."""
    deadline = time.monotonic() + RESUMED_WITHIN
    pending = list(techs)
    started = time.monotonic()
    while pending and time.monotonic() < deadline:
        for tech in list(pending):
            if tech.get("field"):
                tech["client"].sync_data(kind="outage")
            else:
                run.sync(tech, kind=name)
            account = account_of(run, tech)
            if (
                account.get("state") == "connected"
                and not account.get("last_error")
                and has_event(run, tech, titles[tech["index"]])
            ):
                pending.remove(tech)
        if pending:
            time.sleep(3)
    run.report.row.setdefault("resumed_after", {})[name] = round(time.monotonic() - started, 1)
    for tech in pending:
        account = account_of(run, tech)
        run.report.fail(
            "%s: %s did not resume within %.0f s of access given back (state %s, error %r)"
            % (name, tech["login"], RESUMED_WITHIN, account.get("state"), account.get("last_error"))
        )


def button_answers(run, tech, name):
    """His "Sync. avec Google" answers within ANSWER_WITHIN s; what it said."""
    started = time.monotonic()
    try:
        answer = tech["client"].sync_data(kind=name, timeout=60)
    except RpcError as exc:
        answer = {"status": "error", "message": exc.message}
    seconds = time.monotonic() - started
    if seconds > ANSWER_WITHIN:
        run.report.fail('%s: "Sync. avec Google" took %.1f s' % (name, seconds))
    log("  %s: his sync answered in %.2f s: %s" % (name, seconds, str(answer)[:200]))
    return answer


# --------------------------------------------------------------------------- scenarios


def scenario_revoked(run):
    """Consent withdrawn by a technician with a login (see the module)."""
    from .scenarios import converge  # pylint: disable=import-outside-toplevel

    name = "consent-revoked"
    logins = [t for t in run.techs if not t.get("field")]
    tech = logins[-1]
    run.emulator.admin("POST", "tokens/revoke", {"email": tech["login"]})
    run.emulator.admin("POST", "tokens/expire", {"email": tech["login"]})
    _rid, title = new_rdv(run, tech, name)
    answer = button_answers(run, tech, name)
    wait_marked(run, [tech], name, ANSWER_WITHIN)
    others_go_on(run, tech, name)
    # given back: the consent again, from his "Sync. avec Google"
    status = answer.get("status")
    if status != "need_auth":
        answer = button_answers(run, tech, name)
    calendar = tech["calendar"]
    try:
        connect(run, tech)
    except RuntimeError as exc:
        run.report.fail("%s: %s cannot connect again: %s" % (name, tech["login"], exc))
        return
    if tech["calendar"] != calendar:
        run.report.fail(
            "%s: after the new consent %s syncs into another calendar (%s, was %s)"
            % (name, tech["login"], tech["calendar"], calendar)
        )
    wait_resumed(run, [tech], name, {tech["index"]: title})
    converge(run, name)


def scenario_delegation(run):
    """The Workspace administrator removes the delegation, then restores it."""
    from .scenarios import converge  # pylint: disable=import-outside-toplevel

    name = "delegation-removed"
    field = [t for t in run.techs if t.get("field") == "delegated"]
    if not field or not run.service_account:
        run.report.fail("%s: no technician synced by delegation in this run" % name)
        return
    client_id = run.service_account["client_id"]
    run.emulator.admin("POST", "service-accounts/delegation/revoke", {"client_id": client_id})
    # Google's access tokens outlive the delegation (an hour): the hour passes
    for tech in field:
        run.emulator.admin("POST", "tokens/expire", {"email": tech["login"]})
    titles = {t["index"]: new_rdv(run, t, name)[1] for t in field}
    run._lost_now = field  # pylint: disable=protected-access
    try:
        wait_marked(run, field, name, MARKED_WITHIN)
        others_go_on(run, None, name)
    finally:
        run._lost_now = ()  # pylint: disable=protected-access
    run.emulator.admin(
        "POST",
        "service-accounts/delegation",
        {"client_id": client_id, "domain": field_techs.DOMAIN},
    )
    wait_resumed(run, field, name, titles)
    converge(run, name)


def owner_token(run):
    token = run.emulator.admin(
        "POST",
        "tokens",
        {
            "email": run.shared_owner["login"],
            "client_id": CLIENT_ID,
            "scopes": [
                "https://www.googleapis.com/auth/calendar",
                "https://www.googleapis.com/auth/calendar.acls",
            ],
        },
    )
    return token["access_token"]


def acl(run, token, calendar, method="GET", rule=None, body=None):
    url = "%s/calendar/v3/calendars/%s/acl" % (run.emulator.url, quote(calendar, safe=""))
    if rule:
        url += "/" + quote(rule, safe="")
    response = run.emulator.http.request(
        method, url, json=body, headers={"Authorization": "Bearer " + token}, timeout=30
    )
    if response.status_code not in (200, 204):
        raise RuntimeError("acl %s: %s %s" % (method, response.status_code, response.text[:200]))
    return response.json() if response.content else {}


def scenario_unshared(run):
    """The planner's account stops sharing a technician's calendar, then shares it again."""
    from .scenarios import converge  # pylint: disable=import-outside-toplevel

    name = "calendar-unshared"
    field = [t for t in run.techs if t.get("field") == "shared"]
    if not field or not run.shared_owner:
        run.report.fail("%s: no technician synced by a shared calendar in this run" % name)
        return
    tech = field[0]
    token = owner_token(run)
    rules = [
        r
        for r in acl(run, token, tech["calendar"]).get("items", [])
        if (r.get("scope") or {}).get("value", "").lower() == tech["login"]
    ]
    if not rules:
        run.report.fail("%s: %s's calendar is not shared with him" % (name, tech["login"]))
        return
    role = rules[0]["role"]
    acl(run, token, tech["calendar"], "DELETE", rules[0]["id"])
    log("  %s: %s's calendar no longer shared with him (was %s)" % (name, tech["login"], role))
    _rid, title = new_rdv(run, tech, name)
    # The connector may share it again by itself (it holds the ACL scope): then his
    # phone sees the calendar again; else his account must say so.
    deadline = time.monotonic() + MARKED_WITHIN
    healed = marked = False
    while time.monotonic() < deadline and not (healed or marked):
        tech["client"].sync_data(kind="outage")
        shared = [
            r
            for r in acl(run, token, tech["calendar"]).get("items", [])
            if (r.get("scope") or {}).get("value", "").lower() == tech["login"]
        ]
        account = account_of(run, tech)
        healed = bool(shared)
        marked = bool(account.get("last_error")) and account.get("state") != "connected"
        if not (healed or marked):
            time.sleep(3)
    log(
        "  %s: %s"
        % (name, "shared again by the connector" if healed else "account marked" if marked else "-")
    )
    run.report.row.setdefault("access_messages", {})[name] = (
        "re-shared by the connector" if healed else account_of(run, tech).get("last_error")
    )
    if not (healed or marked):
        run.report.fail(
            "%s: %.0f s after the calendar was unshared, it is neither shared again nor is "
            "%s's account marked (%r)" % (name, MARKED_WITHIN, tech["login"], account_of(run, tech))
        )
    others_go_on(run, tech, name)
    if not healed:
        acl(
            run,
            token,
            tech["calendar"],
            "POST",
            body={"role": role, "scope": {"type": "user", "value": tech["login"]}},
        )
    wait_resumed(run, [tech], name, {tech["index"]: title})
    converge(run, name)
