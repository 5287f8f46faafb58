# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.release import version_info


class OfGoogleBusyCalendar(models.Model):
    """One of a technician's other Google calendars whose busy time counts,
    besides his primary one: chosen by the user in his preferences, or by an
    administrator for a technician synced by delegation or through a shared
    calendar. Only its id is kept (its name to show it); the connector's own
    calendar never counts (services/availability_refresh.py skips it)."""

    _name = "of.google.busy.calendar"
    _description = "A Google calendar counted in a technician's availability"
    _order = "user_id, employee_id, name, id"

    user_id = fields.Many2one("res.users", index=True, ondelete="cascade")
    employee_id = fields.Many2one(
        "hr.employee", index=True, ondelete="cascade", string="Technician"
    )
    calendar_id = fields.Char(string="Calendar ID", required=True)
    name = fields.Char(string="Calendar")
    error = fields.Text(string="Why it is not read", readonly=True)

    # 19 ignores _sql_constraints (models.Constraint instead); same constraint names in both.
    if version_info[0] >= 19:
        _user_unique = models.Constraint(
            "UNIQUE (user_id, calendar_id)", "This calendar is already counted."
        )
        _employee_unique = models.Constraint(
            "UNIQUE (employee_id, calendar_id)", "This calendar is already counted."
        )
    else:
        _sql_constraints = [
            ("user_unique", "UNIQUE (user_id, calendar_id)", "This calendar is already counted."),
            (
                "employee_unique",
                "UNIQUE (employee_id, calendar_id)",
                "This calendar is already counted.",
            ),
        ]

    @api.constrains("user_id", "employee_id", "calendar_id")
    def _check_owner(self):
        for record in self:
            if bool(record.user_id) == bool(record.employee_id):
                raise ValidationError(
                    _("A calendar counted as busy belongs to a user or to a technician.")
                )
            if not (record.calendar_id or "").strip():
                raise ValidationError(_("A calendar counted as busy needs its Google ID."))

    @api.model
    def _of_account(self, account):
        """The calendars counted for ``account``'s technicians: his user's
        (his own connection), else his employee's."""
        if account.user_id:
            return self.sudo().search([("user_id", "=", account.user_id.id)])
        return self.sudo().search([("employee_id", "=", account.employee_id.id)])
