from odoo import _, fields, models

from ..services.sync_runner import google_session
from .of_google_calendar_choice import notification


class OfGoogleCalendarChoiceLine(models.TransientModel):
    _name = "of.google.calendar.choice.line"
    _description = "A Google calendar to choose"

    wizard_id = fields.Many2one("of.google.calendar.choice", required=True, ondelete="cascade")
    calendar_id = fields.Char(string="Calendar ID", required=True)
    name = fields.Char(string="Calendar")
    current = fields.Boolean(string="In use")
    primary = fields.Boolean(string="Main calendar")

    def action_choose(self):
        """Switch calendars under the user's lock, so no running sync of his
        writes to the old one after the switch."""
        self.ensure_one()
        calendar_id, name = self.calendar_id, self.name
        with google_session(self.env, self.env.uid) as account:
            if account is None:
                return notification(_("A sync of your RDVs is running: try again in a "
                                       "moment."))
            if account.calendar_id != calendar_id:
                account._use_calendar(calendar_id, name)
        return {"type": "ir.actions.act_window_close"}
