# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a sync costs and what it must not do: no e-mail nor notification of
its own; states saved per Google batch. (A batch of changes from Google that
Odoo partly refuses is the LocalSide contract's, test_local_side_contract.)"""

from datetime import datetime, timedelta

from odoo.tests import tagged

from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestSyncCost(SyncCase):
    def counts(self):
        return (
            self.env["mail.mail"].search_count([]),
            self.env["mail.notification"].search_count([]),
        )

    def phone_rdv(self, summary, day, hours=1):
        start = datetime(2026, 3, day, 9, 0)
        return self.phone().insert_event(
            self.calendar(),
            {
                "summary": summary,
                "start": {"dateTime": start.isoformat() + "Z"},
                "end": {"dateTime": (start + timedelta(hours=hours)).isoformat() + "Z"},
            },
        )

    def test_pushing_and_pulling_queue_no_mail_nor_notification(self):
        before = self.counts()
        # Pushing: RDVs of two technicians (each is a follower-worthy assignee).
        pushed = [
            self.make_rdv(
                employees=self.jean_emp | self.sophie_emp, date=datetime(2026, 3, 2 + day, 8, 0)
            )
            for day in range(3)
        ]
        self.sync()
        self.sync(self.sophie_account)
        self.assertEqual(len(self.events()), 3)
        # Pulling: creations, a move and a cancellation made on the phone.
        for day in range(3):
            self.phone_rdv("Posé au téléphone %d" % day, 9 + day)
        moved = self.event_of(pushed[0])
        self.phone().patch_event(
            self.calendar(),
            moved["id"],
            {
                "start": {"dateTime": "2026-03-02T15:00:00+01:00"},
                "end": {"dateTime": "2026-03-02T16:30:00+01:00"},
            },
        )
        self.phone().delete_event(self.calendar(), self.event_of(pushed[1])["id"])
        result = self.sync()
        self.assertEqual((result["created"], result["updated"], result["cancelled"]), (3, 1, 1))
        self.assertEqual(self.counts(), before, "no mail.mail nor mail.notification queued")
        created = self.Rdv.search([("name", "like", "Posé au téléphone")])
        self.assertEqual(len(created), 3)
        for rdv in created | pushed[1]:
            notes = rdv.message_ids.filtered(
                lambda message: message.author_id == self.jean.partner_id
            )
            self.assertTrue(notes, "the chatter keeps a quiet note")
            self.assertFalse(notes.notification_ids)
            self.assertFalse(notes.partner_ids)
        self.assertFalse(created.message_follower_ids.partner_id & self.sophie.partner_id)

    def test_a_first_push_saves_each_google_batch_at_once(self):
        """Fifty-one RDVs: two Google batches, each saved in one go."""
        for index in range(51):
            self.make_rdv(
                name="Lot %d" % index, date=datetime(2026, 3, 2, 6, 0) + timedelta(hours=index)
            )
        self.emulator.clear_log()
        result = self.sync()
        self.assertEqual(result["created"], 51)
        self.assertEqual(
            self.emulator.http_round_trips(), 4, "the calendar's creation, one listing, two batches"
        )
        self.assertEqual(
            len(
                self.jean_account.env["of.google.event.link"].search(
                    [("account_id", "=", self.jean_account.id)]
                )
            ),
            51,
        )
        self.assertEqual(self.sync()["status"], "no_new_event_from_google")
