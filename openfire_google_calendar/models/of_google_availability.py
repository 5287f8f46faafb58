# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.release import version_info

STATES = [
    ("off", "Not read"),
    ("known", "Known"),
    ("stale", "Out of date"),
    ("unknown", "Unknown"),
]


class OfGoogleAvailability(models.Model):
    """Where a technician's Google availability is known: the range the last
    refresh covered, when it ran, and what went wrong. A technician whose
    availability is unknown or out of date is never taken for free."""

    _name = "of.google.availability"
    _description = "Google availability of a technician"
    _rec_name = "employee_id"

    employee_id = fields.Many2one(
        "hr.employee", required=True, index=True, ondelete="cascade", string="Technician"
    )
    known_from = fields.Datetime(help="Start of the range the last refresh read.")
    known_until = fields.Datetime(help="End of the range the last refresh read.")
    refreshed = fields.Datetime(string="Read from Google")
    error = fields.Text(string="Why it is unknown")
    warning = fields.Text(
        string="Availability warning",
        help="What is wrong though the availability is read: a setting out of bounds, no "
        "working hours.",
    )
    to_read = fields.Boolean(
        help="Read at the next sync whatever its age: a notification of the primary "
        "calendar, or other calendars chosen."
    )
    tried = fields.Datetime(help="When its busy time was last asked of Google, read or not.")
    typed_read = fields.Datetime(
        help="When his absences and working locations were last listed (by his own sync)."
    )
    time_zone = fields.Char(
        help="The zone of the technician's primary calendar, where his all-day events start "
        "and end (Google gives it with his typed events)."
    )
    state = fields.Selection(STATES, compute="_compute_state")

    # 19 ignores _sql_constraints (models.Constraint instead); same constraint name in both.
    if version_info[0] >= 19:
        _employee_unique = models.Constraint("UNIQUE (employee_id)", "One per technician.")
    else:
        _sql_constraints = [("employee_unique", "UNIQUE (employee_id)", "One per technician.")]

    @api.depends("known_from", "known_until", "refreshed", "error")
    def _compute_state(self):
        now = fields.Datetime.now()
        stale_after = self._stale_after()
        for record in self:
            if not record.refreshed or not record.known_until or record.error:
                record.state = "unknown"
            elif record.refreshed < now - stale_after:
                record.state = "stale"
            else:
                record.state = "known"

    @api.model
    def _stale_after(self):
        """Two intervals of the scheduled sync: one missed round is not stale."""
        cron = self.env.ref("openfire_google_calendar.ir_cron_of_google_sync", False)
        minutes = 10
        if cron and cron.interval_type == "minutes":
            minutes = cron.interval_number
        elif cron and cron.interval_type == "hours":
            minutes = 60 * cron.interval_number
        return timedelta(minutes=2 * max(minutes, 1))

    def _due(self, recent):
        """Whether its busy time is read again now: asked for, never read,
        read before ``recent``, or refused and not asked again since."""
        self.ensure_one()
        if self.to_read:
            return True
        if self.error:
            return not self.tried or self.tried <= recent
        return not self.refreshed or self.refreshed <= recent

    @api.model
    def _of(self, employees):
        """The rows of ``employees`` ({employee id: row}), made when missing."""
        rows = self.sudo().search([("employee_id", "in", employees.ids)])
        found = {row.employee_id.id: row for row in rows}
        missing = [employee.id for employee in employees if employee.id not in found]
        for row in self.sudo().create([{"employee_id": eid} for eid in missing]):
            found[row.employee_id.id] = row
        return found

    def _known_range(self):
        """(start, end) naive UTC where the availability is known and fresh, else None."""
        self.ensure_one()
        if self.state != "known":
            return None
        return self.known_from, self.known_until

    def _message(self):
        """What the planning says of this technician's availability."""
        self.ensure_one()
        if self.state == "known":
            return ""
        if self.error:
            return self.error
        if self.state == "stale":
            return _("%s's Google availability is out of date.", self.employee_id.name)
        return _("%s's Google availability is unknown.", self.employee_id.name)

    def _admin_message(self):
        """What the technician's line and the administrators' list say: why
        his availability is unknown, and what is wrong though it is read."""
        self.ensure_one()
        texts = [self._message(), self.warning or ""]
        return "\n".join(text for text in texts if text) or False
