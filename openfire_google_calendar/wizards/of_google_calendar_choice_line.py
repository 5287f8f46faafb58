# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, fields, models

from ..services import of10_migration
from ..services.google_calendars import notification
from ..services.sync_session import GoogleAccessLost, google_session
from ..sync import NETWORK_ERRORS, GoogleError


class OfGoogleCalendarChoiceLine(models.TransientModel):
    _name = "of.google.calendar.choice.line"
    _description = "A Google calendar to choose"

    wizard_id = fields.Many2one("of.google.calendar.choice", required=True, ondelete="cascade")
    calendar_id = fields.Char(string="Calendar ID", required=True)
    name = fields.Char(string="Calendar")
    current = fields.Boolean(string="In use")
    primary = fields.Boolean(string="Main calendar")
    of10 = fields.Boolean(
        string="OpenFire 10's RDVs",
        help="The events OpenFire 10 made for the RDVs are taken over, not added again.",
    )

    def action_choose(self):
        """Switch calendars under the user's lock, so no running sync of his
        writes to the old one after the switch."""
        self.ensure_one()
        calendar_id, name = self.calendar_id, self.name
        if self.of10:
            return self._choose_of10(calendar_id, name)
        with google_session(self.env, self.env.uid) as account:
            if account is None:
                return notification(_("A sync of your RDVs is running: try again in a moment."))
            if account.calendar_id != calendar_id or account.of10_until or account.of10_report:
                account._use_calendar(calendar_id, name)
        return {"type": "ir.actions.act_window_close"}

    def _choose_of10(self, calendar_id, name):
        """The primary calendar, adopting the events OpenFire 10 made there
        (services/of10_migration.py); the user reads what was found."""
        try:
            with google_session(self.env, self.env.uid) as account:
                if account is None:
                    return notification(_("A sync of your RDVs is running: try again in a moment."))
                report = of10_migration.adopt_calendar(
                    account, account._client(), calendar_id, name
                )
        except GoogleAccessLost as exc:
            return notification(str(exc), "danger")
        except (GoogleError, *NETWORK_ERRORS) as exc:
            return notification(_("Google Calendar answered: %s", exc), "danger")
        result = notification(report, "info")
        result["params"]["sticky"] = True
        result["params"]["next"] = {"type": "ir.actions.act_window_close"}
        return result
