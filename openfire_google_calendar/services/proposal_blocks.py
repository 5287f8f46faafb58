# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Where the technicians propose to move their RDVs, for the planning: the
proposed times still to decide that fall in the range it shows, of the RDVs
it shows (its own filters), drawn as ghosts beside the planned ones. Read
from PostgreSQL only, in a fixed number of queries whatever the number of
proposals: the planning asks with every load and never waits for Google.
Only a planner, who may decide them, is shown them."""

from odoo import _, fields
from odoo.exceptions import UserError

from . import planning_period

OPEN_STATES = ("pending", "outdated")
PLANNER_GROUP = "openfire_planning.group_of_planning_user"
# More ghosts than this in one view is not a planning a planner reads.
MAX_PROPOSALS = 500


def _range(env, start, stop):
    """[start, stop) naive UTC from the planning's strings, or a clear error."""
    # _() reads the user's language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    return planning_period.period(
        start,
        stop,
        unreadable=_("The planning asked for the proposed changes with unreadable dates."),
        empty=_("The planning asked for the proposed changes over an empty period."),
        too_long=_("The planning shows the proposed changes over at most six weeks."),
    )


def _rdv_domain(env, domain):
    """The planning's filters as a domain on the RDVs, or a clear error."""
    # _() reads the user's language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    if domain is None:
        return []
    if not isinstance(domain, (list, tuple)):
        raise UserError(_("The planning asked for the proposed changes with an unreadable filter."))
    try:
        # built apart (no query): a bad filter never reaches the query of the proposals
        env["of.planning.intervention"]._search(list(domain))
    except (TypeError, ValueError, KeyError, AssertionError, IndexError) as error:
        raise UserError(
            _("The planning asked for the proposed changes with an unreadable filter.")
        ) from error
    return list(domain)


def planning_proposals(env, domain, start, stop):
    """The proposed times to draw over [start, stop) (the planning's UTC
    strings), for the RDVs matching ``domain`` (the planning's filters):

    ``[{"id", "rdv_id", "name", "start", "stop", "all_day", "label"}]``

    ``label`` says it is a proposal, in the user's language. A proposal that
    keeps the RDV's time (a new title, a new place) has nothing to draw; the
    badge on the RDV says it. Nothing for a user who may not decide."""
    # _() reads the user's language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    begin, end = _range(env, start, stop)
    if not env.user.has_group(PLANNER_GROUP):
        return []
    rdv_domain = _rdv_domain(env, domain)
    proposals = env["of.google.proposal"].search_fetch(
        [
            ("state", "in", OPEN_STATES),
            ("kind", "in", ("change", "creation")),
            ("proposed_date", "<", end),
            ("proposed_date_deadline", ">", begin),
            ("intervention_id", "any", rdv_domain),
        ],
        ["intervention_id", "proposed_date", "proposed_date_deadline", "proposed_all_day"],
        order="proposed_date, id",
        limit=MAX_PROPOSALS,
    )
    rdvs = proposals.intervention_id
    rdvs.fetch(["name", "date", "date_deadline", "all_day"])
    result = []
    for proposal in proposals:
        rdv = proposal.intervention_id
        if (proposal.proposed_date, proposal.proposed_date_deadline, proposal.proposed_all_day) == (
            rdv.date,
            rdv.date_deadline,
            rdv.all_day,
        ):
            continue
        result.append(
            {
                "id": proposal.id,
                "rdv_id": rdv.id,
                "name": rdv.name or "",
                "start": fields.Datetime.to_string(proposal.proposed_date),
                "stop": fields.Datetime.to_string(proposal.proposed_date_deadline),
                "all_day": proposal.proposed_all_day,
                "label": _("Proposed: %s", rdv.name or ""),
            }
        )
    return result
