# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .sync_common import SyncCase

PROPOSED = "proposed"
PARAM = "openfire_google_calendar.google_changes"


def moved_body(day, hour=9, summary=None):
    """A phone edit moving the event to ``hour`` (UTC) on ``day`` of March 2026."""
    body = {
        "start": {"dateTime": "2026-03-%02dT%02d:00:00Z" % (day, hour)},
        "end": {"dateTime": "2026-03-%02dT%02d:00:00Z" % (day, hour + 1)},
    }
    if summary:
        body["summary"] = summary
    return body


@tagged("post_install", "-at_install")
class TestProposals(SyncCase):
    """The planner stays in control: a finished RDV is never changed from
    Google; in proposal mode a technician's change waits for a planner."""

    def setUp(self):
        super().setUp()
        self.planner = self.env.ref("base.user_admin")

    def proposal_mode(self, on=True):
        self.env["ir.config_parameter"].sudo().set_param(PARAM, PROPOSED if on else "applied")

    def synced_rdv(self, **values):
        rdv = self.make_rdv(user_id=self.planner.id, **values)
        self.sync()
        return rdv, self.event_of(rdv)

    def move_on_phone(self, rdv, day, summary=None, account=None):
        event = self.event_of(rdv, account)
        return self.phone(account).patch_event(
            self.calendar(account), event["id"], moved_body(day, summary=summary)
        )

    def made_on_phone(self, day, summary):
        """In proposal mode, an event the technician made on his phone, synced:
        (its draft RDV, the event's id)."""
        self.proposal_mode()
        self.sync()
        event = self.phone().insert_event(self.calendar(), dict(moved_body(day), summary=summary))
        self.sync()
        return self.Rdv.search([("name", "=", summary)]), event["id"]

    def notes(self, rdv, text):
        return rdv.message_ids.filtered(lambda m: text in (m.body or ""))

    # -- always ------------------------------------------------------------------------
    def test_a_done_rdv_moved_on_the_phone_is_put_back(self):
        rdv, event = self.synced_rdv()
        rdv.state = "done"
        self.sync()
        self.move_on_phone(rdv, 5, "Déplacé")
        self.sync()
        self.assertEqual(
            (rdv.date, rdv.name, rdv.state), (datetime(2026, 3, 2, 8), rdv.name, "done")
        )
        back = self.event_of(rdv)
        self.assertEqual(back["summary"], "Entretien chaudière")
        self.assertTrue(back["start"]["dateTime"].startswith("2026-03-02"))
        self.assertTrue(self.notes(rdv, "done or cancelled"))
        self.assertIn("Déplacé", self.notes(rdv, "done or cancelled").body)
        self.assertEqual(event["id"], back["id"])

    def test_a_cancelled_rdv_deleted_or_reopened_on_the_phone_stays_cancelled(self):
        rdv, event = self.synced_rdv()
        rdv.state = "cancel"
        self.sync()
        self.phone().patch_event(self.calendar(), event["id"], {"status": "confirmed"})
        self.sync()
        self.assertEqual(rdv.state, "cancel")
        self.assertEqual(self.event_of(rdv)["status"], "cancelled")

    # -- proposal mode -------------------------------------------------------------------
    def test_a_phone_move_is_proposed_and_accepted_with_every_usual_effect(self):
        self.proposal_mode()
        rdv, _event = self.synced_rdv(
            employee_ids=[Command.set((self.jean_emp | self.sophie_emp).ids)]
        )
        self.sync(self.sophie_account)
        mails = self.env["mail.mail"].search_count([])
        self.move_on_phone(rdv, 4, "Entretien (jeudi)")
        self.sync()
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8), "the RDV did not move")
        proposal = rdv.of_google_proposal_id
        self.assertTrue(rdv.of_google_proposal_pending)
        self.assertEqual(proposal.state, "pending")
        self.assertEqual(proposal.employee_id, self.jean_emp)
        self.assertEqual(proposal.proposed_date, datetime(2026, 3, 4, 9))
        self.assertEqual(proposal.held_date, datetime(2026, 3, 2, 8))
        self.assertEqual(proposal.proposed_name, "Entretien (jeudi)")
        self.assertEqual(self.env["mail.mail"].search_count([]), mails, "no e-mail")
        inbox = self.env["mail.notification"].search(
            [
                ("res_partner_id", "=", self.planner.partner_id.id),
                ("notification_type", "=", "inbox"),
            ]
        )
        self.assertTrue(inbox.filtered(lambda n: n.mail_message_id.res_id == rdv.id))
        self.sync()
        self.assertEqual(len(rdv.of_google_proposal_ids), 1, "proposed once")
        proposal.with_user(self.planner).action_accept()
        self.assertEqual(rdv.date, datetime(2026, 3, 4, 9))
        self.assertEqual(rdv.name, "Entretien (jeudi)")
        self.assertEqual(proposal.state, "accepted")
        self.assertEqual(proposal.decided_by, self.planner)
        self.assertTrue(self.notes(rdv, "accepted the change"))
        self.assertFalse(rdv.of_google_proposal_pending)
        self.sync(self.sophie_account)
        theirs = self.event_of(rdv, self.sophie_account)
        self.assertTrue(theirs["start"]["dateTime"].startswith("2026-03-04"))
        self.sync()
        self.assertEqual(self.event_of(rdv)["summary"], "Entretien (jeudi)")
        with self.assertRaises(UserError):
            proposal.action_refuse()  # a second planner, too late

    def test_a_refusal_puts_the_event_back_and_the_phone_says_so(self):
        self.proposal_mode()
        rdv, event = self.synced_rdv()
        self.move_on_phone(rdv, 6)
        self.sync()
        rdv.of_google_proposal_id.action_refuse()
        self.assertEqual(rdv.of_google_proposal_ids.state, "refused")
        self.assertTrue(self.notes(rdv, "refused the change"))
        self.sync()
        back = self.event_of(rdv)
        self.assertTrue(back["start"]["dateTime"].startswith("2026-03-02"))
        self.assertIn("Change refused by", back["description"])
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8))
        rdv.name = "Entretien annuel"  # the next change: the phone no longer shows the refusal
        self.sync()
        self.assertNotIn("Change refused by", self.event_of(rdv)["description"])
        self.assertEqual(back["id"], event["id"])

    def test_a_refused_change_is_put_back_after_a_change_the_phone_cannot_see(self):
        """Refused, then marked done before any sync: "done" clears the refusal's
        notice and hashes as "confirmed" did, so the RDV looks as the proposal
        stored it; the event is put back all the same."""
        self.proposal_mode()
        rdv, _event = self.synced_rdv()
        self.move_on_phone(rdv, 6, "Déplacé")
        self.sync()
        rdv.of_google_proposal_id.action_refuse()
        rdv.state = "done"
        self.sync()
        back = self.event_of(rdv)
        self.assertEqual(back["summary"], "Entretien chaudière")
        self.assertTrue(back["start"]["dateTime"].startswith("2026-03-02"), back["start"])
        self.assertEqual((rdv.state, rdv.date), ("done", datetime(2026, 3, 2, 8)))

    def test_an_accepted_change_undone_by_the_planner_reaches_the_phone(self):
        """Accepted, then put back as it was by a planner before any sync: the
        event, which shows the proposal, shows the RDV again."""
        self.proposal_mode()
        rdv, _event = self.synced_rdv()
        self.move_on_phone(rdv, 6, "Déplacé")
        self.sync()
        rdv.of_google_proposal_id.action_accept()
        rdv.write({"name": "Entretien chaudière", "date": datetime(2026, 3, 2, 8)})
        self.sync()
        back = self.event_of(rdv)
        self.assertEqual(back["summary"], "Entretien chaudière")
        self.assertTrue(back["start"]["dateTime"].startswith("2026-03-02"), back["start"])

    def test_a_phone_edit_after_a_refusal_is_a_new_proposal_never_overwritten(self):
        self.proposal_mode()
        rdv, _event = self.synced_rdv()
        self.move_on_phone(rdv, 6)
        self.sync()
        first = rdv.of_google_proposal_id
        first.action_refuse()
        self.move_on_phone(rdv, 9, "Encore")
        self.sync()
        self.assertEqual(self.event_of(rdv)["summary"], "Encore")
        second = rdv.of_google_proposal_id
        self.assertNotEqual(first, second)
        self.assertEqual((first.state, second.state), ("refused", "pending"))
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8))

    def test_a_newer_proposal_replaces_the_pending_one_and_odoo_outdates_it(self):
        self.proposal_mode()
        rdv, _event = self.synced_rdv()
        self.move_on_phone(rdv, 6, "Un")
        self.sync()
        first = rdv.of_google_proposal_id
        self.move_on_phone(rdv, 7, "Deux")
        self.sync()
        second = rdv.of_google_proposal_id
        self.assertEqual((first.state, second.state), ("replaced", "pending"))
        with self.assertRaises(UserError):
            first.action_accept()
        rdv.duree = 3
        self.assertEqual(second.state, "outdated")
        second.action_accept()  # knowingly
        self.assertEqual((rdv.name, rdv.date), ("Deux", datetime(2026, 3, 7, 9)))

    def test_the_technicians_notes_come_in_at_once(self):
        self.proposal_mode()
        rdv, event = self.synced_rdv()
        self.phone().patch_event(
            self.calendar(), event["id"], {"description": "Code 1234\n\n" + event["description"]}
        )
        self.sync()
        self.assertEqual(rdv.of_google_phone_notes, "Code 1234")
        self.assertFalse(rdv.of_google_proposal_ids)

    def test_a_move_with_notes_is_proposed_and_the_notes_taken(self):
        self.proposal_mode()
        rdv, event = self.synced_rdv()
        body = dict(moved_body(5), description="Chien méchant\n\n" + event["description"])
        self.phone().patch_event(self.calendar(), event["id"], body)
        self.sync()
        self.assertEqual(rdv.of_google_phone_notes, "Chien méchant")
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8))
        self.assertEqual(rdv.of_google_proposal_id.proposed_date, datetime(2026, 3, 5, 9))
        self.sync()
        self.assertEqual(len(rdv.of_google_proposal_ids), 1)

    def test_a_phone_deletion_is_proposed(self):
        self.proposal_mode()
        rdv, event = self.synced_rdv()
        self.phone().delete_event(self.calendar(), event["id"])
        self.sync()
        self.assertEqual(rdv.state, "confirm")
        proposal = rdv.of_google_proposal_id
        self.assertEqual(proposal.kind, "cancel")
        proposal.action_accept()
        self.assertEqual(rdv.state, "cancel")
        self.sync()
        self.assertEqual(self.event_of(rdv)["status"], "cancelled")

    def test_an_event_made_on_the_phone_is_a_draft_to_confirm(self):
        rdv, _event_id = self.made_on_phone(10, "Nouveau client")
        self.assertEqual(rdv.state, "draft")
        proposal = rdv.of_google_proposal_id
        self.assertEqual(proposal.kind, "creation")
        proposal.action_accept()
        self.assertEqual(rdv.state, "confirm")
        self.sync()
        self.assertEqual(self.event_of(rdv)["status"], "confirmed")

    def test_a_new_rdv_moved_on_the_phone_before_it_is_confirmed(self):
        rdv, event_id = self.made_on_phone(10, "Nouveau client")
        first = rdv.of_google_proposal_id
        self.phone().patch_event(self.calendar(), event_id, moved_body(12, summary="Chez lui"))
        self.sync()
        proposal = rdv.of_google_proposal_id
        self.assertEqual((first.state, proposal.kind), ("replaced", "creation"))
        self.assertEqual((rdv.state, rdv.name), ("draft", "Nouveau client"))
        proposal.action_accept()
        self.assertEqual(
            (rdv.state, rdv.name, rdv.date), ("confirm", "Chez lui", datetime(2026, 3, 12, 9))
        )
        self.sync()
        self.assertEqual(
            (self.event_of(rdv)["status"], self.event_of(rdv)["summary"]), ("confirmed", "Chez lui")
        )

    def test_a_new_rdv_the_planner_changed_is_confirmed_as_he_left_it(self):
        rdv, _event_id = self.made_on_phone(10, "Nouveau client")
        rdv.write({"name": "Nouveau client, 2e étage", "date": datetime(2026, 3, 11, 14)})
        rdv.of_google_proposal_id.action_accept()
        self.assertEqual(
            (rdv.state, rdv.name, rdv.date),
            ("confirm", "Nouveau client, 2e étage", datetime(2026, 3, 11, 14)),
        )

    def test_a_refused_creation_is_cancelled_on_both_sides(self):
        rdv, _event_id = self.made_on_phone(11, "Pas pour nous")
        rdv.of_google_proposal_id.action_refuse()
        self.assertEqual(rdv.state, "cancel")
        self.sync()
        self.assertEqual(self.event_of(rdv)["status"], "cancelled")

    def test_the_technicians_choice_overrides_the_company(self):
        self.proposal_mode(False)
        self.jean_emp.of_google_changes = PROPOSED
        rdv, _event = self.synced_rdv()
        self.move_on_phone(rdv, 5)
        self.sync()
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8))
        self.assertTrue(rdv.of_google_proposal_pending)
        self.sophie_emp.of_google_changes = "applied"
        self.proposal_mode()
        other = self.make_rdv(employee_ids=[Command.set(self.sophie_emp.ids)], name="Sophie")
        self.sync(self.sophie_account)
        self.phone(self.sophie_account).patch_event(
            self.calendar(self.sophie_account),
            self.event_of(other, self.sophie_account)["id"],
            moved_body(6),
        )
        self.sync(self.sophie_account)
        self.assertEqual(other.date, datetime(2026, 3, 6, 9), "Sophie's changes are applied")

    # -- bad input and races ----------------------------------------------------------------
    def test_a_proposal_whose_rdv_was_deleted_goes_with_it(self):
        self.proposal_mode()
        rdv, event = self.synced_rdv()
        self.move_on_phone(rdv, 5)
        self.sync()
        proposal = rdv.of_google_proposal_id
        rdv.unlink()
        self.assertFalse(proposal.exists())
        self.sync()
        gone = self.phone().get_event(self.calendar(), event["id"])
        self.assertEqual(gone["status"], "cancelled")

    def test_accept_after_the_event_was_deleted_in_google(self):
        """The accepted move and the deletion made meanwhile: the RDV moved,
        the deletion is a new proposal, nothing is lost."""
        self.proposal_mode()
        rdv, event = self.synced_rdv()
        self.move_on_phone(rdv, 5)
        self.sync()
        proposal = rdv.of_google_proposal_id
        self.phone().delete_event(self.calendar(), event["id"])
        proposal.action_accept()
        self.sync()
        self.assertEqual((rdv.date, rdv.state), (datetime(2026, 3, 5, 9), "confirm"))
        self.assertEqual(rdv.of_google_proposal_id.kind, "cancel")
        rdv.of_google_proposal_id.action_refuse()
        self.sync()
        back = self.event_of(rdv)
        self.assertEqual(back["status"], "confirmed")
        self.assertTrue(back["start"]["dateTime"].startswith("2026-03-05"))

    def test_two_planners_deciding_one_proposal(self):
        self.proposal_mode()
        rdv, _event = self.synced_rdv()
        self.move_on_phone(rdv, 5)
        self.sync()
        proposal = rdv.of_google_proposal_id
        other = self.env(user=self.jean)["of.google.proposal"].browse(proposal.id)
        proposal.action_refuse()
        with self.assertRaisesRegex(UserError, "already decided"):
            other.action_accept()
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8))

    def test_a_refusal_while_the_accepted_push_is_to_retry(self):
        self.proposal_mode()
        rdv, _event = self.synced_rdv()
        self.move_on_phone(rdv, 5)
        self.sync()
        rdv.of_google_proposal_id.action_accept()
        self.emulator.set_faults(rate=1.0, kinds=("503",), targets=("part",), retry_after=0)
        try:
            self.sync()
        finally:
            self.emulator.set_faults(rate=0)
        self.move_on_phone(rdv, 12, "Autre idée")
        self.sync()
        newer = rdv.of_google_proposal_id
        self.assertEqual(newer.state, "pending")
        newer.action_refuse()
        self.sync()
        back = self.event_of(rdv)
        self.assertTrue(back["start"]["dateTime"].startswith("2026-03-05"), "the accepted version")
        self.assertEqual(rdv.date, datetime(2026, 3, 5, 9))
