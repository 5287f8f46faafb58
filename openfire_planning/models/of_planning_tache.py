# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class OfPlanningTache(models.Model):
    """The kind of work an RDV is for; its duration pre-fills new RDVs so
    planners rarely type one."""

    _name = "of.planning.tache"
    _description = "Intervention task"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    duree = fields.Float(string="Duration", default=1.0, help="Default duration in hours.")
    description = fields.Text(translate=True)
    company_id = fields.Many2one("res.company")

    @api.constrains("duree")
    def _check_duree(self):
        for tache in self:
            if tache.duree <= 0:
                raise ValidationError(
                    _("The default duration of task %s must be positive.", tache.name)
                )
