# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The number of changes proposed from Google that wait for a planner, in
mail's activity menu (the clock in the top bar), where Odoo gathers what is
waiting for the user: seen without opening the list, counted in the clock's
number, and one click opens the list. Only for a planner, who may decide
them; one count query."""

from odoo import _
from odoo.modules.module import get_module_icon

from .proposal_blocks import OPEN_STATES, PLANNER_GROUP

GROUP_TYPE = "of_google_proposal"
MODEL = "of.google.proposal"


def activity_group(env):
    """The activity menu's entry for the proposals to decide, or None when
    there is none or the user may not decide them."""
    # _() reads the user's language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    if not env.user.has_group(PLANNER_GROUP):
        return None
    count = env[MODEL].search_count([("state", "in", OPEN_STATES)])
    if not count:
        return None
    return {
        "id": env["ir.model"]._get_id(MODEL),
        "type": GROUP_TYPE,
        "name": _("Changes proposed"),
        "model": MODEL,
        "icon": get_module_icon("openfire_google_calendar"),
        "total_count": count,
        "view_type": "list",
    }


def with_proposals(env, groups):
    """Mail's activity groups, the proposals' entry added."""
    group = activity_group(env)
    if group:
        groups.append(group)
    return groups
