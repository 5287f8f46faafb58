from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    group_of_planning_google = fields.Boolean(
        string="(OF) Google Calendar",
        implied_group="openfire_google_calendar.group_of_planning_google",
        help="Sync the RDVs with the technicians' Google Calendar. Needs recurring RDVs.")

    @api.onchange("group_of_planning_recurring")
    def _onchange_group_of_planning_recurring(self):
        if not self.group_of_planning_recurring:
            self.group_of_planning_google = False

    @api.onchange("group_of_planning_google")
    def _onchange_group_of_planning_google(self):
        if self.group_of_planning_google:
            self.group_of_planning_recurring = True

    def set_values(self):
        """The connector syncs series, so it cannot run without them: whatever
        the client sent, no recurring RDVs means no Google sync."""
        for settings in self:
            if not settings.group_of_planning_recurring:
                settings.group_of_planning_google = False
        return super().set_values()
