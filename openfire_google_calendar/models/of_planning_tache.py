# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class OfPlanningTache(models.Model):
    """A renamed task reaches its coming RDVs' events (the description names it)."""

    _inherit = "of.planning.tache"

    def write(self, vals):
        result = super().write(vals)
        if "name" in vals:
            self.env["of.planning.intervention"]._of_google_mark_shown(
                [("tache_id", "in", self.ids)]
            )
        return result
