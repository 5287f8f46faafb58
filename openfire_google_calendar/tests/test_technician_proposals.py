# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Technicians without an Odoo login propose their changes as the others do:
through Workspace delegation and through calendars a planner shares."""

from datetime import datetime

from odoo.tests import tagged

from ..services import service_account
from .technician_common import TechnicianCase

MOVE = {
    "summary": "Plutôt mardi",
    "start": {"dateTime": "2026-03-03T10:00:00+01:00"},
    "end": {"dateTime": "2026-03-03T11:30:00+01:00"},
}


@tagged("post_install", "-at_install")
class TestTechnicianProposals(TechnicianCase):
    def propose_and_decide(self, employee, accept):
        employee.of_google_changes = "proposed"
        rdv = self.make_rdv(name="Chez %s" % employee.name, employees=employee)
        self.cron()
        account = self.account_of(employee)
        self.phone_of(employee).patch_event(
            account.calendar_id, self.event_of_employee(rdv, employee), MOVE
        )
        self.cron()
        rdv.invalidate_recordset()
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8), "the RDV did not move")
        proposal = rdv.of_google_proposal_id
        self.assertEqual((proposal.state, proposal.employee_id), ("pending", employee))
        self.assertEqual(proposal.proposed_name, "Plutôt mardi")
        if accept:
            proposal.action_accept()
        else:
            proposal.action_refuse()
        self.cron()
        event = self.phone_of(employee).get_event(
            account.calendar_id, self.event_of_employee(rdv, employee)
        )
        return rdv, event

    def test_a_delegated_technician_proposes_and_the_planner_accepts(self):
        rdv, event = self.propose_and_decide(self.marc, accept=True)
        self.assertEqual(rdv.date, datetime(2026, 3, 3, 9))
        self.assertEqual(event["summary"], "Plutôt mardi")
        note = rdv.message_ids.filtered(lambda m: "Change proposed" in (m.body or ""))
        self.assertEqual(note.author_id, self.marc.work_contact_id)

    def test_a_delegated_technician_proposes_and_the_planner_refuses(self):
        rdv, event = self.propose_and_decide(self.julie, accept=False)
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8))
        self.assertEqual(event["summary"], rdv.name)
        self.assertIn("Change refused by", event["description"])

    def test_a_technician_of_a_shared_calendar_proposes(self):
        self.calendars_shared_by_jean()
        self.set_param(service_account.ROLE_PARAM, "writer")
        nina = self.field_employee("Nina Roux", "nina.roux@gmail.test")
        rdv, event = self.propose_and_decide(nina, accept=False)
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8))
        self.assertTrue(event["start"]["dateTime"].startswith("2026-03-02"))
