# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestSyncConflicts(SyncCase):
    """Changed on both sides since the last sync: the policy decides, the
    losing version is written in the RDV's chatter."""

    def conflict(self, policy):
        self.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.conflict_policy", policy
        )
        rdv = self.make_rdv()
        self.sync()
        event = self.event_of(rdv)
        rdv.name = "Titre Odoo"
        self.phone().patch_event(self.calendar(), event["id"], {"summary": "Titre Google"})
        result = self.sync()
        self.assertEqual(result["conflicts"], 1)
        return rdv, self.event_of(rdv)

    def loser_note(self, rdv):
        notes = rdv.message_ids.filtered(lambda message: "not kept" in (message.body or ""))
        self.assertEqual(len(notes), 1)
        return notes.body

    def test_odoo_wins(self):
        rdv, event = self.conflict("odoo")
        self.assertEqual((rdv.name, event["summary"]), ("Titre Odoo", "Titre Odoo"))
        self.assertIn("Titre Google", self.loser_note(rdv))

    def test_google_wins(self):
        rdv, event = self.conflict("google")
        self.assertEqual((rdv.name, event["summary"]), ("Titre Google", "Titre Google"))
        self.assertIn("Titre Odoo", self.loser_note(rdv))

    def test_most_recent_wins(self):
        # The phone's edit comes after the Odoo one (Odoo's write_date is the
        # transaction start, earlier than Google's `updated`).
        rdv, event = self.conflict("recent")
        self.assertEqual((rdv.name, event["summary"]), ("Titre Google", "Titre Google"))
        self.assertIn("Titre Odoo", self.loser_note(rdv))

    def test_same_change_on_both_sides_is_no_conflict(self):
        rdv = self.make_rdv()
        self.sync()
        rdv.name = "Pareil"
        self.phone().patch_event(self.calendar(), self.event_of(rdv)["id"], {"summary": "Pareil"})
        result = self.sync()
        self.assertEqual(result["conflicts"], 0)
        self.assertFalse(rdv.message_ids.filtered(lambda m: "not kept" in (m.body or "")))

    def phone_made(self):
        """An event the technician made on his phone: (its id, once listed)."""
        self.sync()
        body = {
            "summary": "Fait au téléphone",
            "start": {"dateTime": "2026-03-10T09:00:00Z"},
            "end": {"dateTime": "2026-03-10T10:00:00Z"},
        }
        return self.phone().insert_event(self.calendar(), body)["id"]

    def deleted_after_a_stamp(self, rdv, event_id):
        """Odoo stamps ``rdv`` without changing it (something its event shows,
        a customer's phone...), then the phone deletes the event: the RDV is
        cancelled, no conflict."""
        rdv.with_context(of_google_sync_account=None)._mark_for_google()
        self.phone().delete_event(self.calendar(), event_id)
        result = self.sync()
        self.assertEqual((rdv.state, result["conflicts"]), ("cancel", 0))

    def test_an_event_made_on_the_phone_deleted_after_odoo_only_stamped_it(self):
        event_id = self.phone_made()
        self.sync()
        rdv = self.Rdv.search([("name", "=", "Fait au téléphone")])
        self.assertEqual(rdv.state, "confirm")
        self.deleted_after_a_stamp(rdv, event_id)

    def test_an_event_made_on_the_phone_moved_then_deleted_after_a_stamp(self):
        event_id = self.phone_made()
        self.sync()
        rdv = self.Rdv.search([("name", "=", "Fait au téléphone")])
        self.phone().patch_event(self.calendar(), event_id, {"summary": "Déplacé"})
        self.sync()
        self.assertEqual(rdv.name, "Déplacé")
        self.deleted_after_a_stamp(rdv, event_id)

    def test_an_event_made_on_the_phone_whose_claim_failed_moved_then_deleted(self):
        event_id = self.phone_made()
        # the write naming the RDV in the event fails: claimed at its next listing
        self.emulator.set_faults(rate=1.0, kinds=("503",), targets=("part",), retry_after=0)
        try:
            self.sync()
        finally:
            self.emulator.set_faults(rate=0)
        rdv = self.Rdv.search([("name", "=", "Fait au téléphone")])
        self.phone().patch_event(self.calendar(), event_id, {"summary": "Déplacé"})
        self.sync()
        self.assertEqual(rdv.name, "Déplacé")
        self.deleted_after_a_stamp(rdv, event_id)
