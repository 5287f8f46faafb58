# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo.tests import tagged
from odoo.tools import mute_logger

from .sync_common import SyncCase

# A database that refuses one item's row (a lock timeout, a full disk, a
# constraint): PostgreSQL itself raises, as it would in production.
REFUSE_ONE_LINK = """
CREATE FUNCTION of_test_refuse_link() RETURNS trigger AS $$
BEGIN
    IF NEW.rdv_key = %s THEN
        RAISE EXCEPTION 'refused by the test database';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER of_test_refuse_link BEFORE INSERT ON of_google_event_link
    FOR EACH ROW EXECUTE FUNCTION of_test_refuse_link();
"""


@tagged("post_install", "-at_install")
class TestSyncBothWays(SyncCase):
    def test_rdv_created_moved_cancelled_in_odoo(self):
        rdv = self.make_rdv()
        result = self.sync()
        self.assertEqual(result["created"], 1)
        self.assertEqual(self.jean_account.calendar_name, "Interventions")
        event = self.event_of(rdv)
        self.assertEqual(event["summary"], "Entretien chaudière")
        self.assertEqual(event["start"]["dateTime"], "2026-03-02T09:00:00+01:00")
        self.assertEqual(event["end"]["dateTime"], "2026-03-02T10:30:00+01:00")
        self.assertIn("12 rue des Lilas", event["location"])
        self.assertNotIn("attendees", event)  # named in the description, never invited
        rdv.write({"date": datetime(2026, 3, 3, 13, 0)})
        self.sync()
        self.assertEqual(self.event_of(rdv)["start"]["dateTime"], "2026-03-03T14:00:00+01:00")
        rdv.state = "cancel"
        self.sync()
        self.assertEqual(self.event_of(rdv)["status"], "cancelled")
        self.assertEqual(rdv.of_google_sync_state, "synced")

    def test_event_created_moved_deleted_in_google(self):
        self.sync()
        phone = self.phone()
        event = phone.insert_event(
            self.calendar(),
            {
                "summary": "Dépannage urgent",
                "location": "3 place du Marché, Villeurbanne",
                "start": {"dateTime": "2026-03-05T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-05T12:00:00+01:00"},
            },
        )
        result = self.sync()
        self.assertEqual(result["created"], 1)
        self.assertTrue(result["changed_in_odoo"])
        rdv = self.Rdv.search([("name", "=", "Dépannage urgent")])
        self.assertEqual(rdv.date, datetime(2026, 3, 5, 9, 0))
        self.assertEqual(rdv.duree, 2.0)
        self.assertEqual(rdv.employee_ids, self.jean_emp)
        self.assertEqual(rdv.tache_id, self.env.ref("openfire_google_calendar.tache_google"))
        self.assertEqual(rdv.google_location, "3 place du Marché, Villeurbanne")
        phone.patch_event(
            self.calendar(),
            event["id"],
            {
                "start": {"dateTime": "2026-03-06T08:00:00+01:00"},
                "end": {"dateTime": "2026-03-06T09:00:00+01:00"},
            },
        )
        self.sync()
        self.assertEqual(rdv.date, datetime(2026, 3, 6, 7, 0))
        self.assertEqual(rdv.duree, 1.0)
        phone.delete_event(self.calendar(), event["id"])
        self.sync()
        self.assertTrue(rdv.exists(), "a sync never deletes an RDV")
        self.assertEqual(rdv.state, "cancel")
        self.assertIn("deleted in Google", rdv.message_ids[0].body)

    def test_nothing_changed_costs_one_request(self):
        for day in range(1, 8):
            self.make_rdv(date=datetime(2026, 3, day, 8, 0))
        self.sync()
        self.emulator.clear_log()
        result = self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)
        self.assertEqual((result["created"], result["updated"], result["errors"]), (0, 0, 0))

    def test_two_technicians_two_calendars(self):
        rdv = self.make_rdv(employees=self.jean_emp | self.sophie_emp)
        self.sync(self.jean_account)
        self.sync(self.sophie_account)
        self.assertNotEqual(self.calendar(self.jean_account), self.calendar(self.sophie_account))
        for account in (self.jean_account, self.sophie_account):
            self.assertEqual(self.event_of(rdv, account)["summary"], "Entretien chaudière")
        # Sophie moves it on her phone: Odoo follows, then Jean's calendar too.
        event = self.event_of(rdv, self.sophie_account)
        self.phone(self.sophie_account).patch_event(
            self.calendar(self.sophie_account), event["id"], {"summary": "Entretien + ramonage"}
        )
        self.sync(self.sophie_account)
        self.assertEqual(rdv.name, "Entretien + ramonage")
        self.sync(self.jean_account)
        self.assertEqual(self.event_of(rdv, self.jean_account)["summary"], "Entretien + ramonage")
        # Taken off Jean's planning: gone from his calendar only.
        jean_event_id = self.event_of(rdv, self.jean_account)["id"]
        rdv.employee_ids = self.sophie_emp
        self.sync(self.jean_account)
        self.assertEqual(
            self.phone(self.jean_account).get_event(
                self.calendar(self.jean_account), jean_event_id
            )["status"],
            "cancelled",
        )
        self.sync(self.sophie_account)
        self.assertEqual(self.event_of(rdv, self.sophie_account)["status"], "confirmed")

    def test_a_database_error_fails_one_item_and_the_rerun_makes_no_duplicate(self):
        rdvs = [self.make_rdv(date=datetime(2026, 3, 2 + day, 8, 0)) for day in range(6)]
        phone = self.phone()
        self.sync()
        for index in range(3):
            phone.insert_event(
                self.calendar(),
                {
                    "summary": "Téléphone %d" % index,
                    "start": {"dateTime": "2026-03-1%dT10:00:00+01:00" % index},
                    "end": {"dateTime": "2026-03-1%dT11:00:00+01:00" % index},
                },
            )
        for rdv in rdvs:
            rdv.name = rdv.name + " (modifié)"
        refused = self.make_rdv(date=datetime(2026, 3, 20, 8, 0), name="Nouveau")
        rdvs.append(refused)
        self.env.flush_all()
        self.env.cr.execute(REFUSE_ONE_LINK, [str(refused.id)])
        # The refusal is also refused when stored on the RDV (logged as a warning).
        report_logger = "odoo.addons.openfire_google_calendar.services.sync_report"
        with mute_logger("odoo.sql_db", report_logger):
            result = self.sync()
        # Only that item failed: the three events came in, the six edits went out.
        self.assertEqual((result["created"], result["updated"]), (3, 6), result)
        self.assertGreaterEqual(result["errors"], 1)
        self.env.cr.execute("DROP TRIGGER of_test_refuse_link ON of_google_event_link")
        self.sync()
        self.sync()
        events = self.events()
        self.assertEqual(len(events), 10, [event["summary"] for event in events])
        self.assertEqual(len({event["id"] for event in events}), 10)
        self.assertEqual(self.Rdv.search_count([("name", "like", "Téléphone")]), 3)
        self.assertEqual(
            sorted(event["summary"] for event in events if "modifié" in event["summary"]),
            sorted(rdv.name for rdv in rdvs[:6]),
        )
        self.assertEqual(refused.of_google_sync_state, "synced")

    def test_transient_google_failures_are_retried(self):
        for day in range(1, 6):
            self.make_rdv(date=datetime(2026, 4, day, 8, 0))
        self.emulator.set_faults(rate=0.3, seed=3, retry_after=0)
        try:
            self.sync()
            self.sync()
        finally:
            self.emulator.set_faults(rate=0)
        self.sync()
        self.assertEqual(len(self.events()), 5)
        self.assertTrue(any(entry.get("fault") for entry in self.emulator.request_log))

    def test_choose_another_calendar(self):
        rdv = self.make_rdv()
        self.sync()
        dedicated = self.calendar()
        own = self.emulator.add_calendar("jean@example.com", "Travail")
        wizard = (
            self.env["of.google.calendar.choice"]
            .with_user(self.jean)
            .browse(
                self.env["of.google.calendar.choice"].with_user(self.jean).action_open()["res_id"]
            )
        )
        names = {line.name: line for line in wizard.line_ids}
        self.assertTrue(names["Interventions"].current)
        names["Travail"].action_choose()
        self.assertEqual(
            (self.jean_account.calendar_id, self.jean_account.calendar_name), (own, "Travail")
        )
        self.sync()
        self.assertEqual([event["summary"] for event in self.events()], [rdv.name])
        self.assertEqual(len(self.phone().list_events(dedicated)), 1, "the old one keeps its own")

    def test_big_or_unusual_input_from_google_syncs(self):
        self.sync()
        phone = self.phone()
        phone.insert_event(
            self.calendar(),
            {
                "summary": "Règle exotique",
                "recurrence": ["RRULE:FREQ=MONTHLY;BYDAY=MO,TU"],
                "start": {"dateTime": "2026-03-02T10:00:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": "2026-03-02T11:00:00", "timeZone": "Europe/Paris"},
            },
        )
        phone.insert_event(
            self.calendar(),
            {
                "summary": "Normal",
                "description": "x" * 70000,
                "start": {"dateTime": "2026-03-03T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-03T11:00:00+01:00"},
            },
        )
        result = self.sync()
        # "Every Monday and Tuesday of the month" is a rule RFC 5545 allows: a series,
        # its lines kept as Google has them (unreadable rules: test_recurrence_fidelity).
        self.assertEqual((result["created"], result["errors"]), (2, 0))
        self.assertTrue(self.Rdv.search([("name", "=", "Normal")]), "a huge text is capped")
        exotic = self.Rdv.search([("name", "=", "Règle exotique")])
        self.assertEqual(exotic.recurrence_id.rule_lines, "RRULE:FREQ=MONTHLY;BYDAY=MO,TU")
        # Nothing written back, nothing retried: the next sync with nothing new is one request.
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)
