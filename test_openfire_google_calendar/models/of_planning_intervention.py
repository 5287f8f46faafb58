# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models


class OfPlanningIntervention(models.Model):
    """What an integrator writes to sync a field of his own: the gate code
    of the customer's site travels in the event, both ways; RDVs marked
    "office only" never reach Google."""

    _inherit = "of.planning.intervention"

    of_gate_code = fields.Char(string="Gate code")
    of_office_only = fields.Boolean(string="Office only")

    @api.model
    def _of_google_synced_fields(self):
        return super()._of_google_synced_fields() | {"of_gate_code"}

    def _of_google_event_values(self):
        values = super()._of_google_event_values()
        values["gateCode"] = self.of_gate_code or ""
        return values

    @api.model
    def _of_google_values_from_event(self, values):
        result = super()._of_google_values_from_event(values)
        if "gateCode" in values:
            result["of_gate_code"] = values["gateCode"] or False
        return result

    @api.model
    def _of_google_sync_domain(self):
        return super()._of_google_sync_domain() + [("of_office_only", "=", False)]
