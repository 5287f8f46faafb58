# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..services import proposals

PROPOSAL_KINDS = [
    ("change", "Change"),
    ("cancel", "Cancellation"),
    ("creation", "New RDV"),
]
PROPOSAL_STATES = [
    ("pending", "To decide"),
    ("outdated", "Outdated"),
    ("accepted", "Accepted"),
    ("refused", "Refused"),
    ("replaced", "Replaced"),
]
OPEN_STATES = ("pending", "outdated")


class OfGoogleProposal(models.Model):
    """A change a technician made in Google while his changes are proposed
    to the planner: what was proposed, by whom, when, and what the RDV held
    then. The planner accepts it (the RDV takes it, as any planner's change)
    or refuses it (the next sync puts the event back)."""

    _name = "of.google.proposal"
    _description = "Change proposed from Google Calendar"
    _order = "create_date desc, id desc"

    intervention_id = fields.Many2one(
        "of.planning.intervention", string="RDV", required=True, ondelete="cascade", index=True
    )
    employee_id = fields.Many2one("hr.employee", string="Proposed by", readonly=True)
    kind = fields.Selection(PROPOSAL_KINDS, required=True, readonly=True, default="change")
    state = fields.Selection(
        PROPOSAL_STATES, required=True, readonly=True, default="pending", index=True
    )
    proposed_name = fields.Char(string="Proposed title", readonly=True)
    proposed_location = fields.Char(string="Proposed location", readonly=True)
    proposed_date = fields.Datetime(string="Proposed start", readonly=True)
    proposed_date_deadline = fields.Datetime(string="Proposed end", readonly=True)
    proposed_duree = fields.Float(string="Proposed duration", readonly=True)
    proposed_all_day = fields.Boolean(string="Proposed all day", readonly=True)
    held_name = fields.Char(string="Title then", readonly=True)
    held_location = fields.Char(string="Location then", readonly=True)
    held_date = fields.Datetime(string="Start then", readonly=True)
    held_date_deadline = fields.Datetime(string="End then", readonly=True)
    decided_by = fields.Many2one("res.users", string="Decided by", readonly=True)
    decided_on = fields.Datetime(string="Decided on", readonly=True)
    summary = fields.Char(compute="_compute_summary")
    proposed_on = fields.Datetime(related="create_date", string="Proposed on")

    @api.depends("kind", "proposed_name", "proposed_date", "proposed_location")
    def _compute_summary(self):
        for proposal in self:
            proposal.summary = proposals.describe(proposal)

    @api.depends("summary")
    def _compute_display_name(self):
        for proposal in self:
            proposal.display_name = proposal.summary

    def _lock_open(self):
        """This proposal, locked and still to decide; a clear error when
        another planner decided it, is deciding it, or its RDV is gone."""
        self.ensure_one()
        if not proposals.lock(self):
            raise UserError(_("Another planner is deciding this change: try again in a moment."))
        self.invalidate_recordset(["state"])
        if not self.exists() or not self.intervention_id.exists():
            raise UserError(_("This change is about an RDV that no longer exists."))
        if self.state not in OPEN_STATES:
            raise UserError(
                _(
                    "This change was already decided (%s).",
                    dict(self._fields["state"]._description_selection(self.env))[self.state],
                )
            )

    def action_accept(self):
        """The RDV takes the proposed values, as a planner's own change."""
        for proposal in self:
            proposal._lock_open()
            proposals.accept(proposal)
        return True

    def action_refuse(self):
        """The RDV stays; its event is put back at the next sync."""
        for proposal in self:
            proposal._lock_open()
            proposals.refuse(proposal)
        return True

    def action_open_rdv(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "of.planning.intervention",
            "res_id": self.intervention_id.id,
            "view_mode": "form",
        }
