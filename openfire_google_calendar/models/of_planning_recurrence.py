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
        rule does not bring it back and Google removes it too: among Google's
        own lines for a series held by Google (they alone decide its dates),
        else among the series' extra dates."""
        line = "EXDATE:%s" % start.strftime("%Y%m%dT%H%M%SZ")
        for recurrence in self.with_context(of_recurrence_apply=True):
            field = "rule_lines" if recurrence.rule_lines else "extra_lines"
            lines = [text for text in (recurrence[field] or "").splitlines() if text]
            if line not in lines:
                recurrence.write({field: "\n".join(lines + [line])})
