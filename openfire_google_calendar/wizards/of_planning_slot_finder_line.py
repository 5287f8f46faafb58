# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, fields, models


class OfPlanningSlotFinderLine(models.TransientModel):
    """One free slot proposed for an RDV."""

    _name = "of.planning.slot.finder.line"
    _description = "A free slot for an RDV"
    _order = "start"

    finder_id = fields.Many2one("of.planning.slot.finder", required=True, ondelete="cascade")
    start = fields.Datetime(required=True, readonly=True)
    stop = fields.Datetime(required=True, readonly=True)

    def action_choose(self):
        """Plan the RDV in this slot, with these technicians."""
        self.ensure_one()
        finder = self.finder_id
        finder.rdv_id.write(
            {
                "date": self.start,
                "duree": finder.duree,
                "employee_ids": [Command.set(finder.employee_ids.ids)],
            }
        )
        return {"type": "ir.actions.act_window_close"}
