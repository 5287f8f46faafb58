# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError

from ..services import technician_accounts

PLANNER_GROUP = "openfire_planning.group_of_planning_manager"


class HrEmployee(models.Model):
    """The Google Calendar sync of a technician without his own connection
    (Workspace delegation or a calendar shared by a planner): its state on
    his form and in the administrators' list. The related fields read the
    account as superuser; none of its secrets is among them."""

    _inherit = "hr.employee"

    of_google_account_ids = fields.One2many(
        "of.google.account", "employee_id", string="Google Calendar sync"
    )
    of_google_kind = fields.Selection(
        related="of_google_account_ids.kind", string="Google Calendar sync mode"
    )
    of_google_state = fields.Selection(
        related="of_google_account_ids.state", string="Google Calendar (RDVs)"
    )
    of_google_email = fields.Char(
        related="of_google_account_ids.google_email", string="Google account (RDVs)"
    )
    of_google_calendar_name = fields.Char(
        related="of_google_account_ids.calendar_name", string="Synced calendar"
    )
    of_google_shared_role = fields.Char(
        related="of_google_account_ids.shared_role", string="Access to the shared calendar"
    )
    of_google_last_sync = fields.Datetime(
        related="of_google_account_ids.last_sync", string="Last sync"
    )
    of_google_last_sync_summary = fields.Char(
        related="of_google_account_ids.last_sync_summary", string="Last sync result"
    )
    of_google_last_error = fields.Text(
        related="of_google_account_ids.last_error", string="Last sync error"
    )
    of_google_sync_stopped = fields.Boolean(
        related="of_google_account_ids.sync_stopped", string="Sync stopped"
    )
    of_google_error_count = fields.Integer(
        string="RDVs in error", compute="_compute_of_google_error_count"
    )

    @api.depends("of_google_account_ids")
    def _compute_of_google_error_count(self):
        accounts = self.sudo().of_google_account_ids
        counts = dict.fromkeys(accounts.ids, 0)
        for account, count in (
            self.env["of.google.event.link"]
            .sudo()
            ._read_group(
                [("account_id", "in", accounts.ids), ("sync_state", "=", "error")],
                ["account_id"],
                ["__count"],
            )
        ):
            counts[account.id] = count
        for employee in self:
            employee.of_google_error_count = counts.get(
                employee.sudo().of_google_account_ids[:1].id, 0
            )

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
