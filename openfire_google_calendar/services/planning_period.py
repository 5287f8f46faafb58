# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The period a planning view asks its blocks for: read once, with the same
bounds, whatever the blocks (availability, proposals), so that a view
never gets one kind of block over a period it is refused the other."""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError

# A month view shows six weeks; a longer range is not the planning asking.
MAX_RANGE = timedelta(days=62)


def period(start, stop, unreadable, empty, too_long):
    """[start, stop) naive UTC from the planning's strings; a UserError with
    the caller's message (in the user's language: what the blocks are is
    the caller's to say) when the dates are unreadable, the period empty,
    or longer than :data:`MAX_RANGE`."""
    try:
        begin, end = fields.Datetime.to_datetime(start), fields.Datetime.to_datetime(stop)
    except (TypeError, ValueError) as error:
        raise UserError(unreadable) from error
    if not begin or not end or end <= begin:
        raise UserError(empty)
    if end - begin > MAX_RANGE:
        raise UserError(too_long)
    return begin, end
