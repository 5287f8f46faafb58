# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models

# What the technician's event shows of a customer or an intervention address
# (services/rdv_conversion.event_source).
SHOWN_FIELDS = frozenset(
    {"name", "phone", "mobile", "street", "street2", "zip", "city", "country_id"}
)


class ResPartner(models.Model):
    """A customer's new phone or address reaches his coming RDVs' events."""

    _inherit = "res.partner"

    def write(self, vals):
        result = super().write(vals)
        if SHOWN_FIELDS & set(vals):
            self.env["of.planning.intervention"]._of_google_mark_shown(
                ["|", ("partner_id", "in", self.ids), ("address_id", "in", self.ids)]
            )
        return result
