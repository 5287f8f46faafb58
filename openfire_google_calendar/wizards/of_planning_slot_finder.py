# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError

from ..services import availability, settings


class OfPlanningSlotFinder(models.TransientModel):
    """ "Trouver un créneau": the next slots where every technician of an RDV
    is free (working hours, other RDVs, Google busy time and absences), from
    the database only; one click plans the RDV there."""

    _name = "of.planning.slot.finder"
    _description = "Find a slot for an RDV"

    rdv_id = fields.Many2one("of.planning.intervention", required=True, ondelete="cascade")
    employee_ids = fields.Many2many("hr.employee", string="Technicians", required=True)
    duree = fields.Float(string="Duration", required=True, help="Duration in hours.")
    earliest = fields.Datetime(string="Not before", required=True, default=fields.Datetime.now)
    count = fields.Integer(string="Slots", default=5)
    line_ids = fields.One2many("of.planning.slot.finder.line", "finder_id", string="Free slots")
    message = fields.Text(readonly=True)

    @api.model
    def action_open(self, rdv):
        """The wizard for ``rdv``, its slots already searched."""
        finder = self.create(
            {
                "rdv_id": rdv.id,
                "employee_ids": [Command.set(rdv.employee_ids.ids)],
                "duree": rdv.duree or 1.0,
                "earliest": max(fields.Datetime.now(), rdv.date or fields.Datetime.now()),
            }
        )
        finder.action_search()
        return {
            "type": "ir.actions.act_window",
            "name": _("Find a slot"),
            "res_model": self._name,
            "res_id": finder.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_search(self):
        self.ensure_one()
        if not self.employee_ids:
            raise UserError(_("Choose at least one technician."))
        if self.duree <= 0:
            raise UserError(_("The duration must be positive."))
        if not 1 <= self.count <= 50:
            raise UserError(_("Ask for 1 to 50 slots."))
        weeks = max(1, min(settings.get(self.env, "availability_weeks"), 26))
        slots, reasons = availability.search_slots(
            self.env,
            self.employee_ids,
            timedelta(hours=self.duree),
            availability.aware(self.earliest).replace(second=0, microsecond=0),
            weeks,
            self.count,
            exclude=self.rdv_id,
        )
        self.line_ids = [Command.clear()] + [
            Command.create(
                {"start": availability.naive(slot.start), "stop": availability.naive(slot.end)}
            )
            for slot in slots
        ]
        if not slots:
            reasons.insert(0, _("No slot where every technician is free in %s weeks.", weeks))
        self.message = "\n".join(reasons)
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
        }
