# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError

from ..services import google_calendars
from ..services.google_calendars import notification


class OfGoogleBusyCalendarChoice(models.TransientModel):
    """Tick the other Google calendars whose busy time counts, besides the
    primary one: the user for himself, an administrator for a technician
    synced by delegation or through a shared calendar. The list is Google's
    (calendarList of the account that reads them); the primary calendar and
    the connector's calendars are not offered: the first always counts, the
    others never."""

    _name = "of.google.busy.calendar.choice"
    _description = "Choose the Google calendars counted as busy"

    user_id = fields.Many2one("res.users", readonly=True)
    employee_id = fields.Many2one("hr.employee", readonly=True)
    line_ids = fields.One2many("of.google.busy.calendar.choice.line", "wizard_id")

    @api.model
    def action_open(self, user=None, employee=None):
        """Google's calendar list, fetched in a session of the account that
        reads the technician's busy time."""
        if employee and not self.env.user.has_group("base.group_system"):
            raise AccessError(_("Only administrators choose a technician's calendars."))
        if user and user != self.env.user and not self.env.user.has_group("base.group_system"):
            raise AccessError(_("Only administrators choose another user's calendars."))
        account = (
            self.env["of.google.account"]
            .sudo()
            .search(
                [("user_id", "=", user.id)] if user else [("employee_id", "=", employee.id)],
                limit=1,
            )
        )
        if not account:
            return notification(
                _('Connect the Google account first: press "Sync. with Google" in the planning.')
            )
        try:
            calendars, _read = google_calendars.list_calendars(self.env, account_id=account.id)
        except google_calendars.Unlisted as unlisted:
            return unlisted.action
        return self._open(account, calendars, user, employee)

    def _open(self, account, calendars, user, employee):
        chosen = self.env["of.google.busy.calendar"]._of_account(account)
        ours = set(
            self.env["of.google.account"]
            .sudo()
            .search([("calendar_id", "!=", False)])
            .mapped("calendar_id")
        )
        primary = account.google_email
        lines = []
        listed = set()
        for calendar in calendars:
            calendar_id = calendar.get("id")
            if not calendar_id or calendar.get("primary") or calendar_id in ours:
                continue
            if calendar_id == primary:
                continue
            listed.add(calendar_id)
            lines.append(
                Command.create(
                    {
                        "calendar_id": calendar_id,
                        "name": calendar.get("summaryOverride") or calendar.get("summary") or "",
                        "selected": calendar_id in chosen.mapped("calendar_id"),
                    }
                )
            )
        for extra in chosen:
            if extra.calendar_id not in listed:  # gone from Google's list: shown, to untick
                lines.append(
                    Command.create(
                        {
                            "calendar_id": extra.calendar_id,
                            "name": extra.name or extra.calendar_id,
                            "selected": True,
                            "missing": True,
                        }
                    )
                )
        wizard = self.create(
            {
                "user_id": user.id if user else False,
                "employee_id": employee.id if employee else False,
                "line_ids": lines,
            }
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Calendars counted as busy"),
        }

    def action_apply(self):
        """The ticked calendars count from the next sync on (read then,
        whatever the age of what was read)."""
        self.ensure_one()
        owner = (
            {"user_id": self.user_id.id} if self.user_id else {"employee_id": self.employee_id.id}
        )
        Calendars = self.env["of.google.busy.calendar"].sudo()
        current = Calendars.search([(name, "=", value) for name, value in owner.items()])
        wanted = {line.calendar_id: line.name for line in self.line_ids if line.selected}
        current.filtered(lambda extra: extra.calendar_id not in wanted).unlink()
        have = set(current.exists().mapped("calendar_id"))
        Calendars.create(
            [
                dict(owner, calendar_id=calendar_id, name=name)
                for calendar_id, name in wanted.items()
                if calendar_id not in have
            ]
        )
        employees = self.employee_id or self.user_id.employee_ids
        rows = self.env["of.google.availability"].sudo()._of(employees)
        for row in rows.values():
            row.to_read = True
        return {"type": "ir.actions.act_window_close"}
