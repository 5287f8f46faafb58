# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The accounts of the technicians without their own Google connection.

A technician is an employee assigned to at least one RDV. The settings say
how those without a connection of their own reach Google ("technicians
mode"): Google Workspace delegation (the service account acts as their work
e-mail, for the Workspace's domains) or a calendar in a planner's connected
account shared with their e-mail. :func:`refresh_accounts` makes one account
per technician match the settings, before the cron syncs them: a technician
who cannot be synced keeps an account that says why (outside the domain, no
e-mail, his own connection already syncs him), shown on his employee form
and in the administrators' list; the others go on."""

from odoo import _

from . import service_account, settings

EMPLOYEE_KINDS = ("delegated", "shared")


def technicians(env):
    """The active employees assigned to at least one RDV."""
    env["of.planning.intervention"].flush_model(["employee_ids"])
    env.cr.execute("SELECT DISTINCT employee_id FROM of_planning_intervention_employee_rel")
    ids = [row[0] for row in env.cr.fetchall()]
    return env["hr.employee"].sudo().browse(ids).exists().filtered("active")


def _language(company):
    return company.partner_id.lang or "en_US"


def _own_connections(env, employees):
    """Employee id -> name of his user, for those whose user connected his own account."""
    users = employees.user_id
    if not users:
        return {}
    connected = (
        env["of.google.account"]
        .sudo()
        .search([("user_id", "in", users.ids), ("kind", "=", "oauth"), ("state", "=", "connected")])
        .user_id
    )
    return {
        employee.id: employee.user_id.name
        for employee in employees
        if employee.user_id in connected
    }


def _wanted(env, mode, employee, own, owner_account):
    """(values the employee's account must have, the problem that keeps him
    from being synced or False)."""
    # _() reads the language from a local named context
    context = env.context  # noqa: F841  pylint: disable=unused-variable
    email = (employee.work_email or "").strip().lower()
    values = {"kind": mode, "google_email": email or False}
    if mode == "shared":
        values["owner_account_id"] = owner_account.id or False
    if employee.id in own:
        return values, _(
            "Synced through the Google account %(user)s connected himself.", user=own[employee.id]
        )
    if not email:
        return values, _("%s has no work e-mail: his RDVs are not synced.", employee.name)
    if mode == "delegated":
        if not service_account.load_key(env):
            return values, _("No service account key is set in the settings.")
        domains = service_account.domains(env)
        if service_account.domain_of(email) not in domains:
            return values, _(
                "%(email)s is outside the Google Workspace domain (%(domains)s): not synced by "
                "delegation.",
                email=email,
                domains=", ".join(domains) or _("none set"),
            )
    elif not owner_account or not owner_account._is_connected():
        return values, _(
            "The planner whose Google account holds the technicians' calendars is not set or "
            "not connected (settings, technicians without an Odoo login)."
        )
    return values, False


def _calendar_outdated(env, account, values):
    """True when the account's calendar is not where the settings now want it."""
    if not account.calendar_id:
        return False
    if account.kind != values["kind"] or account.google_email != values["google_email"]:
        return True
    if account.kind == "shared":
        return account.owner_account_id.id != values["owner_account_id"]
    primary = settings.get(env, "technician_calendar") == "primary"
    return primary != (account.calendar_id == account.google_email)


def refresh_accounts(env):
    """Make every technician's account match the settings; returns the
    accounts that may sync now. Writes only what changed (this runs before
    every cron)."""
    Account = env["of.google.account"].sudo()
    mode = settings.get(env, "technicians_mode") or "none"
    existing = Account.search([("employee_id", "!=", False), ("user_id", "=", False)])
    if mode not in EMPLOYEE_KINDS:
        # _() reads the language from a local named context
        context = dict(env.context, lang=_language(env.company))  # noqa: F841  pylint: disable=unused-variable
        off = _("The sync of technicians without their own Google connection is off.")
        existing.filtered(lambda account: account.state != "disconnected").write(
            {"state": "disconnected", "last_error": off, "access_token": False}
        )
        return Account
    by_employee = {account.employee_id.id: account for account in existing}
    employees = technicians(env)
    own = _own_connections(env, employees)
    owner_account = Account.browse()
    if mode == "shared":
        owner_id = int(settings.get(env, "shared_owner_id") or 0)
        owner_account = (
            Account.search([("user_id", "=", owner_id)], limit=1) if owner_id else owner_account
        )
    ready = Account.browse()
    for employee in employees:
        # what is wrong is said in the technician's language, as his sync does
        values, problem = _wanted(
            env(context=dict(env.context, lang=employee.lang or _language(employee.company_id))),
            mode,
            employee,
            own,
            owner_account,
        )
        account = by_employee.get(employee.id)
        if account is None and employee.id in own:
            continue  # his own connection syncs him: nothing to say
        if account is None:
            account = Account.create(dict(values, employee_id=employee.id))
        elif _calendar_outdated(env, account, values):
            account._use_calendar(False, False)
            values.update(access_token=False, token_expiry=False)
        if problem:
            values.update(state="disconnected", last_error=problem)
        elif account.state == "disconnected":
            values.update(state="connected", last_error=False)
        changed = {
            name: value
            for name, value in values.items()
            if (account[name].id if hasattr(account[name], "id") else account[name]) != value
        }
        if changed:
            account.write(changed)
        if not problem:
            ready |= account
    return ready
