# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    group_of_planning_recurring = fields.Boolean(
        string="(OF) Recurring RDVs",
        implied_group="openfire_planning.group_of_planning_recurring",
        help="Plan RDVs that repeat (daily, weekly, monthly, yearly).",
    )
    of_planning_tz = fields.Selection(related="company_id.of_planning_tz", readonly=False)
