# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Coming from OpenFire 10: a database migrated from
of_planning_google (RDVs keeping google_internal_event_id) and the primary
calendar OpenFire 10 filled, in the emulator."""

from datetime import datetime, timedelta

from odoo.tests import tagged

from ..sync.mapping import owner_of
from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestOf10Migration(SyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the RDVs of sync_common are in March 2026: no sync window
        cls.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.sync_window_days", "0"
        )

    def of10_event(self, rdv, **values):
        """The event OpenFire 10 made for ``rdv`` in Jean's primary calendar."""
        start = rdv.date.strftime("%Y-%m-%dT%H:%M:%SZ")
        end = (rdv.date + timedelta(hours=rdv.duree)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {
            "summary": rdv.name,
            "description": rdv.description or "",
            "location": "12 rue des Lilas, 69003 Lyon",
            "start": {"dateTime": start, "timeZone": "Europe/Paris"},
            "end": {"dateTime": end, "timeZone": "Europe/Paris"},
            "attendees": [{"email": "jean@example.com"}],
        }
        body.update(values)
        return self.phone().insert_event(self.primary, body)

    def saved_before(self, rdvs):
        """As in production, the RDVs were saved before the sync started: the
        test's single transaction would date them at the sync's own start,
        which the sync takes for a change it did not read (and refuses to
        overwrite with the phone's version)."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE of_planning_intervention SET google_write_date = now() - interval '1 minute'"
            " WHERE id = ANY(%s)",
            [rdvs.ids],
        )
        rdvs.invalidate_recordset(["google_write_date"])
        return rdvs

    def migrate_column(self, rdv, event_id):
        """As the migration from Odoo 10 leaves the column: plain SQL."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE of_planning_intervention SET google_internal_event_id = %s WHERE id = %s",
            [event_id, rdv.id],
        )
        rdv.invalidate_recordset(["google_internal_event_id"])

    def choose_of10_calendar(self):
        action = self.env["of.google.calendar.choice"].with_user(self.jean).action_open()
        wizard = self.env["of.google.calendar.choice"].browse(action["res_id"])
        line = wizard.line_ids.filtered("of10")
        self.assertEqual(len(line), 1, wizard.line_ids.mapped("name"))
        self.assertEqual(line.calendar_id, self.primary)
        return line.with_user(self.jean).action_choose()

    def setUp(self):
        super().setUp()
        self.primary = "jean@example.com"  # the emulator's primary id is the e-mail

    def test_migrated_rdvs_are_adopted_not_inserted(self):
        rdvs = [
            self.saved_before(
                self.make_rdv(name="Entretien %d" % n, date=datetime(2026, 3, 2 + n, 8, 0))
            )
            for n in range(3)
        ]
        for rdv in rdvs:
            self.migrate_column(rdv, self.of10_event(rdv)["id"])
        # an RDV whose event was since renamed and moved by hand: not adopted
        replanned = self.make_rdv(name="Ramonage", date=datetime(2026, 3, 10, 8, 0))
        stale = self.of10_event(
            replanned,
            summary="Ancien ramonage",
            start={"dateTime": "2026-01-05T09:00:00+01:00"},
            end={"dateTime": "2026-01-05T10:00:00+01:00"},
        )
        self.migrate_column(replanned, stale["id"])
        # Sophie's RDV, whose event was in Jean's calendar too
        sophies = self.make_rdv(employees=self.sophie_emp, name="Visite Sophie")
        self.migrate_column(sophies, self.of10_event(sophies)["id"])
        # an RDV deleted in OpenFire 10 (its event stayed) and Jean's own event
        self.of10_event(self.make_rdv(name="Supprimé"), summary="RDV supprimé dans OF10")
        self.Rdv.search([("name", "=", "Supprimé")]).unlink()
        self.phone().insert_event(
            self.primary,
            {
                "summary": "Dentiste",
                "start": {"dateTime": "2026-03-04T17:00:00+01:00"},
                "end": {"dateTime": "2026-03-04T18:00:00+01:00"},
            },
        )
        before = {event["id"]: event for event in self.phone().list_events(self.primary)}
        self.assertEqual(len(before), 7)

        result = self.choose_of10_calendar()
        report = result["params"]["message"]
        self.assertIn("3 RDVs of OpenFire 10", report)
        self.assertIn("Ancien ramonage", report)
        self.assertIn("Visite Sophie", report)
        self.assertIn("2 other events", report)
        self.assertEqual(self.jean_account.calendar_id, self.primary)
        self.assertEqual(self.jean_account.of10_report, report)

        self.emulator.clear_log()
        result = self.sync()
        inserts = [
            entry
            for entry in self.emulator.request_log
            if entry["method"] == "POST" and entry["path"].endswith("/events")
        ]
        self.assertEqual(len(inserts), 1, inserts)  # the replanned RDV only
        self.assertEqual((result["created"], result["conflicts"], result["errors"]), (1, 0, 0))
        after = {event["id"]: event for event in self.events()}
        self.assertEqual(len(after), 8)
        for rdv in rdvs:
            event = after[rdv.google_internal_event_id]
            self.assertEqual(owner_of(event)[1], str(rdv.id))
            self.assertEqual(self.event_of(rdv)["id"], rdv.google_internal_event_id)
            self.assertEqual(rdv.of_google_sync_state, "synced")
            self.assertFalse(event.get("attendees"))  # OpenFire 10's invitations removed
        for event_id, event in before.items():  # left alone: untouched
            if event_id not in {rdv.google_internal_event_id for rdv in rdvs}:
                self.assertEqual(after[event_id]["etag"], event["etag"], event["summary"])
        self.assertFalse(
            self.Rdv.search(
                [("name", "in", ("Dentiste", "RDV supprimé dans OF10", "Ancien ramonage"))]
            )
        )

        # later edits flow both ways
        moved = rdvs[0]
        self.phone().patch_event(
            self.primary,
            moved.google_internal_event_id,
            {
                "start": {"dateTime": "2026-03-02T15:00:00+01:00"},
                "end": {"dateTime": "2026-03-02T16:30:00+01:00"},
            },
        )
        rdvs[1].name = "Entretien renommé"
        self.sync()
        self.assertEqual(moved.date, datetime(2026, 3, 2, 14, 0))
        self.assertEqual(self.event_of(rdvs[1])["summary"], "Entretien renommé")
        # an event made on the phone from now on is an RDV, as in any synced calendar
        self.phone().insert_event(
            self.primary,
            {
                "summary": "Dépannage",
                "start": {"dateTime": "2026-03-05T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-05T11:00:00+01:00"},
            },
        )
        result = self.sync()
        self.assertEqual(result["created"], 1)
        self.assertTrue(self.Rdv.search([("name", "=", "Dépannage")]))
        self.assertFalse(self.Rdv.search([("name", "=", "Dentiste")]))

    def test_no_of10_choice_without_migrated_rdvs(self):
        action = self.env["of.google.calendar.choice"].with_user(self.jean).action_open()
        wizard = self.env["of.google.calendar.choice"].browse(action["res_id"])
        self.assertFalse(wizard.line_ids.filtered("of10"))
        self.assertTrue(wizard.line_ids.filtered("primary"))
