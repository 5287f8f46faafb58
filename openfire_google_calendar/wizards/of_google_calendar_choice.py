from odoo import _, api, fields, models
from odoo.exceptions import UserError


class OfGoogleCalendarChoice(models.TransientModel):
    """Pick the Google calendar the RDVs go to: the dedicated one (default) or
    one of the user's own calendars. Changing it starts the sync afresh on the
    new calendar; the old one keeps what it has."""

    _name = "of.google.calendar.choice"
    _description = "Choose the Google calendar of the RDVs"

    line_ids = fields.One2many("of.google.calendar.choice.line", "wizard_id")

    @api.model
    def action_open(self):
        account = self.env["of.google.account"]._for_user()
        if not account._is_connected():
            raise UserError(_("Connect your Google account first: press \"Sync. with Google\" "
                              "in the planning."))
        calendars = account._client().list_calendars()
        wizard = self.create({"line_ids": [
            (0, 0, {"calendar_id": calendar["id"],
                    "name": calendar.get("summaryOverride") or calendar.get("summary") or "",
                    "current": calendar["id"] == account.calendar_id,
                    "primary": bool(calendar.get("primary"))})
            for calendar in calendars
            if calendar.get("accessRole") in ("owner", "writer", None)]})
        return {
            "type": "ir.actions.act_window", "res_model": self._name, "res_id": wizard.id,
            "view_mode": "form", "target": "new", "name": _("Google calendar of my RDVs"),
        }


class OfGoogleCalendarChoiceLine(models.TransientModel):
    _name = "of.google.calendar.choice.line"
    _description = "A Google calendar to choose"

    wizard_id = fields.Many2one("of.google.calendar.choice", required=True, ondelete="cascade")
    calendar_id = fields.Char(string="Calendar ID", required=True)
    name = fields.Char(string="Calendar")
    current = fields.Boolean(string="In use")
    primary = fields.Boolean(string="Main calendar")

    def action_choose(self):
        self.ensure_one()
        account = self.env["of.google.account"]._for_user()
        if account.calendar_id != self.calendar_id:
            account._use_calendar(self.calendar_id, self.name)
        return {"type": "ir.actions.act_window_close"}
