# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A database synced by 1.2 (each event inviting the RDV's technicians, which
Google copies to their own calendars), upgraded: its migration and the next
sync remove the invitations with one write per event, no conflict, no
duplicate, and a guest the technician added stays."""

import importlib.util
from datetime import date, datetime

from odoo.tests import tagged
from odoo.tools.misc import file_path

from ..services import rdv_conversion as conv
from ..sync.content_hash import VERSION, content_hash, version_of
from .sync_common import SyncCase


def run_migration(cr, version):
    """The addon's 1.3.0 post-migrate script, as Odoo's upgrade runs it."""
    path = file_path("openfire_google_calendar/migrations/1.3.0/post-migrate.py")
    spec = importlib.util.spec_from_file_location("of_gc_post_migrate_1_3_0", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.migrate(cr, version)


@tagged("post_install", "-at_install")
class TestInvitationsUpgrade(SyncCase):
    def as_written_by_1_2(self, account):
        """Each event of ``account`` as 1.2 wrote it: the technicians invited,
        the link's hash of content hash v2."""
        links = self.env["of.google.event.link"].search([("account_id", "=", account.id)])
        for link in links:
            record = link.intervention_id.with_user(account.user_id)
            rdv = conv.rdv_of(record)
            self.assertEqual(version_of(link.content_hash), VERSION)
            event = self.phone(account).patch_event(
                self.calendar(account),
                link.google_event_id,
                {"attendees": [{"email": email} for email in rdv.attendees]},
            )
            link.write({"etag": event["etag"], "content_hash": content_hash(rdv, "v2")})
        return links

    def event_writes(self):
        return [
            entry
            for entry in self.emulator.request_log
            if entry["method"] in ("PATCH", "PUT", "POST") and "/events" in entry["path"]
        ]

    def test_the_upgrade_removes_the_invitations_once(self):
        pair = self.make_rdv(employees=self.jean_emp | self.sophie_emp, name="Pose à deux")
        alone = self.make_rdv(name="Entretien", date=datetime(2026, 3, 3, 8, 0))
        all_day = self.make_rdv(
            name="Journée chantier",
            all_day=True,
            date=datetime(2026, 3, 4, 7, 0),
            duree=10,
        )
        rdvs = pair | alone | all_day
        self.sync()
        self.sync(self.sophie_account)
        links = self.as_written_by_1_2(self.jean_account) | self.as_written_by_1_2(
            self.sophie_account
        )
        self.assertEqual(len(links), 4)
        # 1.2 still running: Jean added his customer as a guest on his phone
        guest = self.phone().patch_event(
            self.calendar(),
            self.event_of(alone)["id"],
            {
                "attendees": [
                    {"email": "jean@example.com"},
                    {"email": "client.durand@example.org"},
                ]
            },
        )
        self.assertEqual(len(guest["attendees"]), 2)
        self.env.flush_all()
        run_migration(self.env.cr, "17.0.1.2.0")
        self.env.invalidate_all()
        self.assertEqual(set(links.mapped("sync_state")), {"pending"})

        self.emulator.clear_log()
        result = self.sync()
        self.assertEqual((result["conflicts"], result["created"], result["errors"]), (0, 0, 0))
        self.assertEqual(len(self.event_writes()), 3)  # one write per event, no insert
        self.sync(self.sophie_account)
        self.assertEqual(len(self.event_writes()), 4)
        for account, records in ((self.jean_account, rdvs), (self.sophie_account, pair)):
            for rdv in records:
                event = self.event_of(rdv, account)
                guests = [a["email"] for a in event.get("attendees", [])]
                expected = ["client.durand@example.org"] if rdv == alone else []
                self.assertEqual(guests, expected, rdv.name)
        self.assertEqual(len(self.events()), 3)  # no duplicate
        self.assertEqual(len(self.events(self.sophie_account)), 1)
        self.assertTrue(all(version_of(h) == VERSION for h in links.mapped("content_hash")))
        self.assertEqual(set(rdvs.mapped("of_google_sync_state")), {"synced"})
        self.assertEqual(all_day.date.date(), date(2026, 3, 4))
        # and then nothing more to do
        self.emulator.clear_log()
        result = self.sync()
        self.assertEqual((result["created"], result["updated"], result["conflicts"]), (0, 0, 0))
        self.assertFalse(self.event_writes())

    def test_a_guest_added_on_the_phone_is_his_own(self):
        """Neither a technician of the RDV nor pushed away: even a colleague."""
        rdv = self.make_rdv()
        self.sync()
        self.phone().patch_event(
            self.calendar(),
            self.event_of(rdv)["id"],
            {"attendees": [{"email": "sophie@example.com"}]},
        )
        self.sync()
        self.assertEqual(rdv.employee_ids, self.jean_emp)
        rdv.name = "Entretien renommé"
        self.sync()
        event = self.event_of(rdv)
        self.assertEqual(event["summary"], "Entretien renommé")
        self.assertEqual([a["email"] for a in event["attendees"]], ["sophie@example.com"])
        # an event made on the phone with a colleague as guest is the phone owner's RDV
        self.phone().insert_event(
            self.calendar(),
            {
                "summary": "Dépannage avec un invité",
                "start": {"dateTime": "2026-03-05T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-05T11:00:00+01:00"},
                "attendees": [{"email": "sophie@example.com"}],
            },
        )
        self.sync()
        made = self.Rdv.search([("name", "=", "Dépannage avec un invité")])
        self.assertEqual(made.employee_ids, self.jean_emp)
