# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class OfGoogleBusyCalendarChoiceLine(models.TransientModel):
    _name = "of.google.busy.calendar.choice.line"
    _description = "A Google calendar that may count as busy"

    wizard_id = fields.Many2one("of.google.busy.calendar.choice", required=True, ondelete="cascade")
    calendar_id = fields.Char(string="Calendar ID", required=True, readonly=True)
    name = fields.Char(string="Calendar", readonly=True)
    selected = fields.Boolean(string="Counts as busy")
    missing = fields.Boolean(
        string="No longer in Google",
        readonly=True,
        help="This calendar is no longer in the account's list: removed, or no longer shared.",
    )
