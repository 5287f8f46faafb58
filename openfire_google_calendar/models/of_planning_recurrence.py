# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class OfPlanningRecurrence(models.Model):
    _inherit = "of.planning.recurrence"

    def write(self, vals):
        result = super().write(vals)
        self.intervention_ids._mark_for_google()  # for every calendar, see _mark_for_google
        return result

    def _exclude_date(self, start):
        """Drop one occurrence from the series for good (an EXDATE), so the
        rule does not bring it back and Google removes it too."""
        for recurrence in self:
            line = "EXDATE:%s" % start.strftime("%Y%m%dT%H%M%SZ")
            lines = [text for text in (recurrence.extra_lines or "").splitlines() if text]
            if line not in lines:
                recurrence.with_context(of_recurrence_apply=True).extra_lines = "\n".join(
                    lines + [line]
                )
