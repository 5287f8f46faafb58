# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo.tests import tagged

from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestProposalsTour(SyncCase):
    """A phone move in proposal mode, seen in the planning (a badge on the
    RDV, the proposed time beside it, the activity menu's count) and answered
    in the browser from the RDV's banner: refused, the event is back on the
    phone after the next sync; accepted, the RDV moves."""

    def proposed(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.google_changes", "proposed"
        )
        rdv = self.make_rdv(name="Proposition du tour")
        self.sync()
        self.phone_moves(rdv, "2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z")
        self.assertTrue(rdv.of_google_proposal_pending, "the planning's badge")
        return rdv

    def test_refuse_puts_the_event_back(self):
        rdv = self.proposed()
        self.start_tour("/web", "openfire_google_calendar_proposal_refuse_tour", login="jean_sync")
        rdv.invalidate_recordset()
        self.assertEqual(rdv.of_google_proposal_ids.state, "refused")
        self.sync()
        self.assertTrue(self.event_of(rdv)["start"]["dateTime"].startswith("2026-03-02"))

    def test_the_planning_shows_the_badge_and_the_proposed_time(self):
        rdv = self.proposed()
        action = self.env.ref("openfire_planning.action_of_planning_intervention_calendar").copy(
            {
                "context": "{'initial_date': '2026-03-02 08:00:00'}",
                "domain": "[('employee_ids', 'in', %d)]" % self.jean_emp.id,
            }
        )
        self.env.flush_all()
        self.emulator.clear_log()
        self.start_tour(
            "/web#action=%d&view_type=calendar" % action.id,
            "openfire_google_calendar_proposal_planning_tour",
            login="jean_sync",
        )
        # seen, not decided: the RDV has not moved, Google was not called
        rdv.invalidate_recordset()
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8))
        self.assertEqual(rdv.of_google_proposal_ids.state, "pending")
        self.assertEqual(self.emulator.http_round_trips(), 0, self.emulator.request_log)

    def test_accept_moves_the_rdv(self):
        rdv = self.proposed()
        self.start_tour("/web", "openfire_google_calendar_proposal_accept_tour", login="jean_sync")
        rdv.invalidate_recordset()
        self.assertEqual(rdv.date, datetime(2026, 3, 4, 9))
