# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models

from odoo.addons.base.models.res_partner import _tz_get


class ResCompany(models.Model):
    _inherit = "res.company"

    of_planning_tz = fields.Selection(
        _tz_get,
        string="Planning time zone",
        default="Europe/Paris",
        help="Time zone of RDVs whose planner has none set.",
    )
