# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class OfPlanningIntervention(models.Model):
    """The RDV form's view of its series' verbatim rule (see
    of.planning.recurrence.rule_lines): the fields it mirrors for the form,
    and what it shows of a rule the form cannot edit."""

    _inherit = "of.planning.intervention"

    monthdays = fields.Char(
        string="Days of month",
        compute="_compute_recurrence",
        readonly=False,
        help="Several days, or days counted from the end of the month: "
        "1,15 for the 1st and the 15th, -1 for the last day.",
    )
    rule_lines = fields.Text(string="Rule lines", compute="_compute_recurrence", readonly=False)
    rule_editable = fields.Boolean(
        related="recurrence_id.rule_editable", string="Rule editable in the form"
    )
    rule_error = fields.Char(related="recurrence_id.rule_error")
    next_occurrences = fields.Text(related="recurrence_id.next_occurrences", string="Next RDVs")
