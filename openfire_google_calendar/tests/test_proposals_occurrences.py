# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timezone

from odoo.tests import tagged

from .sync_common import SyncCase

PARAM = "openfire_google_calendar.google_changes"
# The second Monday of the series, 9 March 2026 09:00 Paris: Google's id of
# that occurrence ends with its original start in UTC.
SECOND = datetime(2026, 3, 9, 8, 0)
SECOND_ID = "_20260309T080000Z"


def start_of(event):
    """An event's start as Odoo stores dates (naive UTC)."""
    moment = datetime.fromisoformat(event["start"]["dateTime"])
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestProposalsOccurrences(SyncCase):
    """RDVs réguliers in proposal mode: the first change the phone makes to
    one occurrence (Google makes an exception instance the connector has no
    link for yet) waits for the planner like any change of an RDV."""

    def setUp(self):
        super().setUp()
        self.planner = self.env.ref("base.user_admin")

    def proposal_mode(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM, "proposed")

    def weekly(self, **values):
        """Three Mondays from 2 March 2026, 09:00 Paris, synced: (the RDVs in
        order, the id of the second one's occurrence in Google)."""
        first = self.make_rdv(
            user_id=self.planner.id,
            recurrency=True,
            rrule_type="weekly",
            interval=1,
            mo=True,
            end_type="count",
            count=3,
            **values,
        )
        self.sync()
        rdvs = first.recurrence_id.intervention_ids.sorted("date")
        master = self.event_of("s%d" % first.recurrence_id.id)
        return rdvs, master["id"] + SECOND_ID

    def move_on_phone(self, instance, summary="Entretien (mardi)"):
        """The technician moves the occurrence to Tuesday 10 March, 14:00 Paris."""
        return self.phone().patch_event(
            self.calendar(),
            instance,
            {
                "start": {"dateTime": "2026-03-10T13:00:00Z"},
                "end": {"dateTime": "2026-03-10T14:30:00Z"},
                "summary": summary,
            },
        )

    def instance(self, instance):
        return self.phone().get_event(self.calendar(), instance)

    def test_a_first_move_of_an_occurrence_is_proposed_then_accepted(self):
        self.proposal_mode()
        rdvs, instance = self.weekly()
        second = rdvs[1]
        self.move_on_phone(instance)
        self.sync()
        self.assertEqual((second.date, second.name), (SECOND, "Entretien chaudière"))
        self.assertFalse(second.recurrence_exception, "still the series' occurrence")
        proposal = second.of_google_proposal_id
        self.assertEqual(proposal.state, "pending")
        self.assertEqual(proposal.kind, "change")
        self.assertEqual(proposal.proposed_date, datetime(2026, 3, 10, 13, 0))
        self.assertEqual(proposal.proposed_name, "Entretien (mardi)")
        self.assertEqual(proposal.held_date, SECOND)
        self.assertEqual(self.event_of(second)["id"], instance, "the occurrence is its pair")
        link = self.env["of.google.event.link"].search(
            [("account_id", "=", self.jean_account.id), ("rdv_key", "=", str(second.id))]
        )
        self.assertEqual(link.sync_state, "synced")
        self.assertTrue(link.content_hash, "stored with the RDV's own content")
        self.assertEqual(self.instance(instance)["summary"], "Entretien (mardi)")
        self.assertEqual(len(rdvs.recurrence_id.intervention_ids), 3, "no RDV made from Google")
        self.sync()
        self.assertEqual(len(second.of_google_proposal_ids), 1, "proposed once")
        proposal.with_user(self.planner).action_accept()
        self.assertEqual(second.date, datetime(2026, 3, 10, 13, 0))
        self.sync()
        shown = self.instance(instance)
        self.assertEqual(shown["summary"], "Entretien (mardi)")
        self.assertEqual(start_of(shown), datetime(2026, 3, 10, 13, 0))
        self.assertEqual(
            [rdvs[0].date, rdvs[2].date], [datetime(2026, 3, 2, 8), datetime(2026, 3, 16, 8)]
        )
        self.assertEqual(len(second.of_google_proposal_ids), 1, "the push proposes nothing")

    def test_a_refused_first_move_puts_the_occurrence_back(self):
        self.proposal_mode()
        rdvs, instance = self.weekly()
        second = rdvs[1]
        moved = self.move_on_phone(instance)
        self.sync()
        second.of_google_proposal_id.with_user(self.planner).action_refuse()
        self.sync()
        back = self.instance(instance)
        self.assertNotEqual(back["etag"], moved["etag"])
        self.assertEqual(back["summary"], "Entretien chaudière")
        self.assertEqual(start_of(back), SECOND)
        self.assertIn("Change refused by", back["description"])
        self.assertEqual(second.date, SECOND)
        self.assertEqual(second.of_google_proposal_ids.mapped("state"), ["refused"])
        self.sync()
        self.assertEqual(len(second.of_google_proposal_ids), 1)

    def test_a_first_deletion_of_an_occurrence_is_proposed(self):
        self.proposal_mode()
        rdvs, instance = self.weekly()
        second = rdvs[1]
        self.phone().delete_event(self.calendar(), instance)
        self.sync()
        self.assertEqual(second.state, "confirm")
        proposal = second.of_google_proposal_id
        self.assertEqual(proposal.kind, "cancel")
        proposal.with_user(self.planner).action_accept()
        self.assertEqual(second.state, "cancel")
        self.sync()
        self.assertEqual(self.instance(instance)["status"], "cancelled")
        self.assertEqual(rdvs[0].state, "confirm")

    def test_a_done_occurrence_changed_first_on_the_phone_is_put_back(self):
        """A series done as a whole: the first change the phone makes to one
        of its occurrences is put back, in either mode."""
        rdvs, instance = self.weekly()
        rdvs[0].write({"state": "done", "recurrence_update": "all_events"})
        self.sync()
        second = rdvs[1]
        self.assertEqual(second.state, "done")
        self.assertFalse(second.recurrence_exception)
        self.move_on_phone(instance, "Refait ?")
        self.sync()
        self.assertEqual((second.date, second.name, second.state), (SECOND, second.name, "done"))
        self.assertEqual(second.name, "Entretien chaudière")
        back = self.instance(instance)
        self.assertEqual(back["summary"], "Entretien chaudière")
        self.assertEqual(start_of(back), SECOND)
        note = second.message_ids.filtered(lambda m: "done or cancelled" in (m.body or ""))
        self.assertIn("Refait ?", note.body)
        self.assertFalse(second.of_google_proposal_ids)
