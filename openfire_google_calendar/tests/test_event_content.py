# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The event a technician works from, against the
emulator: title, location, description in his language, colour, reminders;
what a phone edit brings back; an addon upgrade that changes what is synced."""

from datetime import datetime

from odoo.tests import tagged

from ..services.content_upgrade import mark_outdated_links
from ..sync.content_hash import VERSION, content_hash, version_of
from ..sync.event_content import BLOCK_END, BLOCK_START
from .common import french_strings
from .sync_common import SyncCase

CONFLICT_NOTE = "Changed in Odoo and in Google Calendar"


@tagged("post_install", "-at_install")
class TestEventContent(SyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        set_param = cls.env["ir.config_parameter"].sudo().set_param
        # The default: no parameter stored means the customer in the title.
        cls.env["ir.config_parameter"].sudo().search(
            [("key", "=", "openfire_google_calendar.title_customer")]
        ).unlink()
        set_param("openfire_google_calendar.sync_window_days", "0")  # RDVs of March 2026
        set_param("openfire_google_calendar.color_by", "state")
        set_param("openfire_google_calendar.reminders", "30, 1440")
        set_param("web.base.url", "https://odoo.example.com")
        cls.env["res.lang"]._activate_lang("fr_FR")
        cls.jean.lang = "fr_FR"
        cls.enterClassContext(french_strings())
        france = cls.env.ref("base.fr")
        cls.customer.write({"phone": "04 78 12 34 56", "country_id": france.id})
        if "mobile" in cls.customer._fields:
            cls.customer.mobile = "06 12 34 56 78"
        cls.task = cls.env["of.planning.tache"].create({"name": "Entretien annuel"})

    def link_errors(self):
        return (
            self.env["of.google.event.link"]
            .search([("sync_state", "=", "error")])
            .mapped("sync_error")
        )

    def event_writes(self):
        """The event writes the emulator received (not the listings, nor the
        push channel the sync asks for)."""
        return [
            entry
            for entry in self.emulator.request_log
            if entry["method"] != "GET" and not entry["path"].endswith("/watch")
        ]

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

    def rdv(self, **values):
        return self.saved_before(
            self.make_rdv(
                employees=self.jean_emp | self.sophie_emp,
                tache_id=self.task.id,
                description="Chien dans le jardin",
                **values,
            )
        )

    def test_event_has_what_the_technician_needs(self):
        rdv = self.rdv()
        self.sync()
        event = self.event_of(rdv)
        self.assertEqual(event["summary"], "Entretien chaudière – Famille Durand")
        self.assertEqual(event["location"], "12 rue des Lilas, 69003 Lyon, France")
        text = event["description"]
        self.assertTrue(text.startswith(BLOCK_START) and text.endswith(BLOCK_END), text)
        self.assertIn("Client : Famille Durand", text)  # Jean reads French
        self.assertIn('Téléphone : <a href="tel:+33478123456">04 78 12 34 56</a>', text)
        if "mobile" in self.customer._fields:
            self.assertIn('<a href="tel:+33612345678">06 12 34 56 78</a>', text)
        self.assertIn(rdv.number, text)
        self.assertIn("Entretien annuel", text)
        self.assertIn("Autres techniciens : Sophie", text)
        self.assertIn("Chien dans le jardin", text)
        self.assertIn('<a href="https://odoo.example.com/', text)
        self.assertIn(str(rdv.id), text.split('<a href="https://odoo.example.com/')[1])
        self.assertEqual(event["colorId"], "9")
        self.assertEqual(
            event["reminders"],
            {
                "useDefault": False,
                "overrides": [
                    {"method": "popup", "minutes": 30},
                    {"method": "popup", "minutes": 1440},
                ],
            },
        )
        # Sophie reads English, and Jean is the other technician for her.
        self.sync(self.sophie_account)
        other = self.event_of(rdv, self.sophie_account)["description"]
        self.assertIn("Customer : Famille Durand", other)
        self.assertIn("Other technicians : Jean", other)
        # done: another colour
        rdv.state = "done"
        self.sync()
        self.assertEqual(self.event_of(rdv)["colorId"], "10")

    def test_phone_edits_come_back_and_the_block_never_does(self):
        rdv = self.rdv()
        self.sync()
        event = self.event_of(rdv)
        edited = event["description"].replace("Chien dans le jardin", "Chat")
        self.phone().patch_event(
            self.calendar(),
            event["id"],
            {
                "summary": "Entretien + ramonage – Famille Durand",
                "description": "Code portail 1234\n\n" + edited,
                "start": {"dateTime": "2026-03-02T14:00:00+01:00"},
                "end": {"dateTime": "2026-03-02T15:30:00+01:00"},
            },
        )
        result = self.sync()
        self.assertEqual((result["conflicts"], result["errors"]), (0, 0), self.link_errors())
        self.assertEqual(rdv.name, "Entretien + ramonage")
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 13, 0))
        self.assertEqual(rdv.of_google_phone_notes, "Code portail 1234")
        self.assertEqual(rdv.description, "Chien dans le jardin")
        self.assertEqual(
            (rdv.state, rdv.partner_id, rdv.tache_id), ("confirm", self.customer, self.task)
        )
        # the block the phone edited is Odoo's again, in the same sync; his notes stay
        text = self.event_of(rdv)["description"]
        self.assertEqual(text, "Code portail 1234\n\n" + event["description"])
        self.assertIn("Chien dans le jardin", text)
        self.assertNotIn("Chat", text)
        self.assertEqual(self.event_of(rdv)["start"]["dateTime"][:19], "2026-03-02T14:00:00")
        # and then nothing to do: one listing, no write either way
        self.emulator.clear_log()
        result = self.sync()
        self.assertEqual((result["created"], result["updated"], result["conflicts"]), (0, 0, 0))
        self.assertFalse(self.event_writes())
        # a planner's note reaches the phone in the generated block, under his notes
        rdv.description = "Chien dans le jardin, sonner deux fois"
        result = self.sync()
        self.assertEqual((result["conflicts"], result["errors"]), (0, 0), self.link_errors())
        text = self.event_of(rdv)["description"]
        self.assertTrue(text.startswith("Code portail 1234\n\n" + BLOCK_START), text)
        self.assertIn("Chien dans le jardin, sonner deux fois", text)
        self.assertNotIn("Chat", text)
        self.assertEqual(self.event_of(rdv)["summary"], "Entretien + ramonage – Famille Durand")
        self.assertEqual(rdv.of_google_phone_notes, "Code portail 1234")

    def test_a_customer_or_task_change_reaches_the_coming_rdvs(self):
        """What the event shows but the RDV does not hold: the customer's phone
        and address, the task's name. Past RDVs stay as they were seen."""
        coming = self.rdv(date=datetime(2099, 3, 2, 8, 0))
        past = self.rdv()  # March 2026
        self.sync()
        self.customer.write({"phone": "04 78 99 88 77", "city": "Villeurbanne"})
        result = self.sync()
        self.assertEqual((result["conflicts"], result["errors"]), (0, 0), self.link_errors())
        event = self.event_of(coming)
        self.assertIn('href="tel:+33478998877"', event["description"])
        self.assertEqual(event["location"], "12 rue des Lilas, 69003 Villeurbanne, France")
        self.assertIn('href="tel:+33478123456"', self.event_of(past)["description"])
        self.task.name = "Ramonage"
        self.sync()
        self.assertIn("Ramonage", self.event_of(coming)["description"])
        self.assertNotIn("Ramonage", self.event_of(past)["description"])
        # the other technician renamed: Jean's event names her anew
        self.sophie_emp.name = "Sophie Martin"
        self.sync()
        self.assertIn("Sophie Martin", self.event_of(coming)["description"])
        self.assertNotIn("Sophie Martin", self.event_of(past)["description"])
        # a change the event does not show sends nothing
        self.emulator.clear_log()
        self.customer.comment = "Bon client"
        self.sync()
        self.assertFalse(self.event_writes())

    def test_upgrade_resends_each_rdv_once_without_conflicts(self):
        """The calendar as version 1.0 left it (v1 hashes, events with the
        name as title and the notes as description), then the upgrade."""
        rdvs = (
            self.rdv()
            | self.rdv(date=datetime(2026, 3, 3, 8, 0))
            | self.rdv(date=datetime(2026, 3, 4, 8, 0))
        )
        self.sync()
        links = self.env["of.google.event.link"].search([("account_id", "=", self.jean_account.id)])
        self.assertEqual(len(links), 3)
        from ..services import rdv_conversion as conv

        for link in links:
            record = link.intervention_id.with_user(self.jean)
            previous = conv.rdv_of(record).previous
            self.assertEqual(version_of(link.content_hash), VERSION)
            event = self.phone().patch_event(
                self.calendar(),
                link.google_event_id,
                {
                    "summary": previous.summary,
                    "description": previous.description,
                    "location": previous.location,
                    "colorId": None,
                    "reminders": None,
                    "attendees": [{"email": email} for email in previous.attendees],
                },
            )
            link.write({"etag": event["etag"], "content_hash": content_hash(previous, "v1")})
        # Meanwhile (1.0 still running), the technician moved one RDV on his phone.
        moved = rdvs[1]
        self.phone().patch_event(
            self.calendar(),
            self.event_of(moved)["id"],
            {
                "start": {"dateTime": "2026-03-03T16:00:00+01:00"},
                "end": {"dateTime": "2026-03-03T17:30:00+01:00"},
            },
        )
        self.env.flush_all()
        self.assertEqual(mark_outdated_links(self.env.cr), 3)
        self.env.invalidate_all()
        result = self.sync()
        self.assertEqual(
            (result["conflicts"], result["created"], result["errors"]),
            (0, 0, 0),
            self.link_errors(),
        )
        self.assertEqual(moved.date, datetime(2026, 3, 3, 15, 0))
        for rdv in rdvs - moved:
            self.assertEqual(self.event_of(rdv)["summary"], "Entretien chaudière – Famille Durand")
        self.assertIn(BLOCK_START, self.event_of(rdvs[0])["description"])
        # the pulled one gets the new content with Odoo's next change
        moved.description = "Chien dans le jardin (rappeler)"
        self.sync()
        self.assertIn(BLOCK_START, self.event_of(moved)["description"])
        for rdv in rdvs:
            self.assertFalse(rdv.message_ids.filtered(lambda m: CONFLICT_NOTE in (m.body or "")))
        self.assertTrue(all(version_of(h) == VERSION for h in links.mapped("content_hash")))
        self.assertFalse([a for rdv in rdvs for a in self.event_of(rdv).get("attendees", [])])
        result = self.sync()
        self.assertEqual((result["created"], result["updated"], result["conflicts"]), (0, 0, 0))
        self.assertEqual(rdvs.mapped("of_google_sync_state"), ["synced"] * 3)
