# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..services import technician_accounts
from .of_google_account import KINDS, STATES

PLANNER_GROUP = "openfire_planning.group_of_planning_manager"


class HrEmployee(models.Model):
    """The Google Calendar sync of a technician without his own connection
    (Workspace delegation or a calendar shared by a planner): its state on
    his form and in the administrators' list. The related fields read the
    account as superuser; none of its secrets is among them."""

    _inherit = "hr.employee"

    of_google_changes = fields.Selection(
        [("applied", "Applied"), ("proposed", "Proposed to the planner")],
        string="Changes made in Google",
        groups="openfire_planning.group_of_planning_manager,base.group_system",
        help="This technician's changes on his phone: applied to the RDVs, or proposed to "
        "the planner. Empty: the company's choice (settings).",
    )
    of_google_account_ids = fields.One2many(
        "of.google.account", "employee_id", string="Google Calendar sync"
    )
    of_google_synced = fields.Boolean(
        string="Synced with Google Calendar", compute="_compute_of_google_sync"
    )
    of_google_kind = fields.Selection(
        KINDS, string="Google Calendar sync mode", compute="_compute_of_google_sync"
    )
    of_google_state = fields.Selection(
        STATES, string="Google Calendar (RDVs)", compute="_compute_of_google_sync"
    )
    of_google_email = fields.Char(string="Google account (RDVs)", compute="_compute_of_google_sync")
    of_google_calendar_name = fields.Char(
        string="Synced calendar", compute="_compute_of_google_sync"
    )
    of_google_shared_role = fields.Char(
        string="Access to the shared calendar", compute="_compute_of_google_sync"
    )
    of_google_last_sync = fields.Datetime(string="Last sync", compute="_compute_of_google_sync")
    of_google_last_sync_summary = fields.Char(
        string="Last sync result", compute="_compute_of_google_sync"
    )
    of_google_last_error = fields.Text(string="Last sync error", compute="_compute_of_google_sync")
    of_google_sync_stopped = fields.Boolean(
        string="Sync stopped", compute="_compute_of_google_sync"
    )
    of_google_error_count = fields.Integer(
        string="RDVs in error", compute="_compute_of_google_sync"
    )
    of_google_busy_calendar_ids = fields.One2many(
        "of.google.busy.calendar",
        "employee_id",
        string="Other calendars counted as busy",
        help="Besides his primary calendar, the Google calendars whose busy time counts in "
        "his availability (chosen by an administrator).",
    )
    of_google_availability_message = fields.Text(
        string="Availability (Google)", compute="_compute_of_google_availability_message"
    )

    # The account is the administrators' (its record rule hides it from the
    # others, so a related field would read nothing for a planner): read as
    # superuser, these fields only, none of its secrets.
    @api.depends(
        "of_google_account_ids.state",
        "of_google_account_ids.last_error",
        "of_google_account_ids.sync_stopped",
        "of_google_account_ids.calendar_name",
    )
    def _compute_of_google_sync(self):
        accounts = (
            self.env["of.google.account"].sudo().search([("employee_id", "in", self.ids)])
            if self.ids
            else self.env["of.google.account"]
        )
        by_employee = {account.employee_id.id: account for account in accounts}
        errors = dict.fromkeys(accounts.ids, 0)
        for account, count in (
            self.env["of.google.event.link"]
            .sudo()
            ._read_group(
                [("account_id", "in", accounts.ids), ("sync_state", "=", "error")],
                ["account_id"],
                ["__count"],
            )
        ):
            errors[account.id] = count
        for employee in self:
            account = by_employee.get(employee.id) or accounts.browse()
            employee.of_google_synced = bool(account)
            employee.of_google_kind = account.kind or False
            employee.of_google_state = account.state or False
            employee.of_google_email = account.google_email or False
            employee.of_google_calendar_name = account.calendar_name or False
            employee.of_google_shared_role = account.shared_role or False
            employee.of_google_last_sync = account.last_sync or False
            employee.of_google_last_sync_summary = account.last_sync_summary or False
            employee.of_google_last_error = account.last_error or False
            employee.of_google_sync_stopped = account.sync_stopped
            employee.of_google_error_count = errors.get(account.id, 0)

    def _compute_of_google_availability_message(self):
        rows = self.env["of.google.availability"].sudo().search([("employee_id", "in", self.ids)])
        by_employee = {row.employee_id.id: row for row in rows}
        for employee in self:
            row = by_employee.get(employee.id)
            employee.of_google_availability_message = row._admin_message() if row else False

    def action_of_google_busy_calendars(self):
        """An administrator ticks the technician's calendars counted as busy."""
        self.ensure_one()
        return self.env["of.google.busy.calendar.choice"].action_open(employee=self)

    def write(self, vals):
        """A renamed technician: the "other technicians" line of the coming
        RDVs' events names him."""
        result = super().write(vals)
        if "name" in vals:
            self.env["of.planning.intervention"]._of_google_mark_shown(
                [("employee_ids", "in", self.ids)]
            )
        return result

    @api.model
    def action_of_google_sync_technicians(self):
        """ "Sync all technicians": their accounts made to match the settings,
        and the cron woken for them (a request never waits on a sync)."""
        if not self.env.user.has_group(PLANNER_GROUP):
            raise AccessError(_("Only planning managers sync every technician."))
        accounts = technician_accounts.refresh_accounts(self.env)
        self.env["of.google.push"]._wake(accounts)
        return _notification(
            _("The sync of %s technicians will run in a moment.", len(accounts))
            if accounts
            else _(
                "No technician to sync: check the settings of the technicians without an "
                "Odoo login, and the errors in the list of their syncs."
            ),
            "info" if accounts else "warning",
        )

    def _of_google_admin_accounts(self):
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(
                _("Only administrators manage the technicians' Google Calendar sync.")
            )
        return self.sudo().of_google_account_ids

    def action_of_google_admin_retry(self):
        """Sync these technicians again now (their RDVs in error too)."""
        accounts = self._of_google_admin_accounts()
        self.env["of.google.event.link"].sudo().search(
            [("account_id", "in", accounts.ids), ("sync_state", "=", "error")]
        ).write({"sync_state": "pending", "sync_error": False})
        self.env["of.google.push"]._wake(accounts)
        return _notification(
            _("The sync of %s will run again in a moment.", ", ".join(self.mapped("name")))
        )

    def action_of_google_admin_stop(self):
        """Stop these technicians' sync until an administrator restarts it."""
        accounts = self._of_google_admin_accounts()
        accounts.write({"sync_stopped": True, "last_error": _("Sync stopped by an administrator.")})
        return _notification(_("Sync stopped for %s.", ", ".join(self.mapped("name"))))

    def action_of_google_admin_restart(self):
        """Undo a stop and sync again."""
        accounts = self._of_google_admin_accounts()
        accounts.write({"sync_stopped": False, "last_error": False})
        return self.action_of_google_admin_retry()


def _notification(message, kind="info"):
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "type": kind,
            "message": message,
            "next": {"type": "ir.actions.client", "tag": "soft_reload"},
        },
    }
