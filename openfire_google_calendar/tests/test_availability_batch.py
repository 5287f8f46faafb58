# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The technicians' availability read in batches and from the calendars
chosen besides the primary one: the technicians of one Workspace domain, or
of one planner's shared calendars, are read together, up to 50 calendars a
freeBusy query; a calendar Google does not answer is that technician's
error only; the other calendars chosen count, the connector's never; bad
input (a removed calendar, an absurd window, no working hours) is said on
the technician's line and in the administrators' lists, in his language,
and his RDVs' sync goes on."""

from datetime import datetime

from odoo.tests import tagged

from ..services import google_oauth
from .common import CLIENT_ID
from .technician_common import TechnicianCase
from .test_availability_refresh import at, iso, naive


@tagged("post_install", "-at_install")
class TestAvailabilityBatch(TechnicianCase):
    def setUp(self):
        super().setUp()
        self.set_param("openfire_google_calendar.availability", "1")
        self.jean_account._store_tokens(
            self.emulator.mint_token(
                "jean@example.com",
                client_id=CLIENT_ID,
                scopes=[*google_oauth.SCOPES, google_oauth.FREEBUSY_SCOPE],
            )
        )

    def blocks(self, employee, kind="busy"):
        return [
            (block.start, block.stop)
            for block in self.env["of.google.busy"].search(
                [("employee_id", "=", employee.id), ("kind", "=", kind)]
            )
        ]

    def row(self, employee):
        return self.env["of.google.availability"].search([("employee_id", "=", employee.id)])

    def free_busy_queries(self, email_suffix):
        """The freeBusy queries sent with the token of an account ending so."""
        return [
            entry
            for entry in self.emulator.request_log
            if entry["path"]
            and entry["path"].endswith("/freeBusy")
            and (entry["email"] or "").endswith(email_suffix)
        ]

    def busy_event(self, email, calendar, day, hour, summary="Perso"):
        """An hour busy in ``calendar``; gone after the test (the emulator
        outlives the test's rollback, and other tests read these calendars)."""
        phone = self.emulator.phone(email)
        event = phone.insert_event(
            calendar,
            {
                "summary": summary,
                "start": {"dateTime": iso(at(day, hour))},
                "end": {"dateTime": iso(at(day, hour + 1))},
            },
        )
        self.addCleanup(self.forget, phone, calendar, event["id"])
        return event

    @staticmethod
    def forget(phone, calendar, event_id):
        """Delete the event, unless its calendar went with it."""
        if any(entry["id"] == calendar for entry in phone.list_calendars(show_hidden=True)):
            if any(event["id"] == event_id for event in phone.list_events(calendar)):
                phone.delete_event(calendar, event_id)

    def test_delegated_technicians_in_one_query(self):
        """Three technicians of the Workspace domain (whose users see each
        other's free/busy time, Google's default): one freeBusy query for
        the three, each his own busy time and his own absence."""
        team = self.marc | self.julie | self.karim
        for hour, employee in enumerate(team):
            email = employee.work_email
            # Workspace's default sharing: free/busy seen inside the organisation
            self.phone_of(employee).share_calendar(email, self.DOMAIN, scope_type="domain")
            self.busy_event(email, email, 1, 9 + hour)
        absence = self.phone_of(self.julie).set_out_of_office(iso(at(3, 0)), iso(at(4, 0)))
        self.addCleanup(self.forget, self.phone_of(self.julie), "julie@acme.fr", absence["id"])
        self.make_rdv(employees=team, date=naive(at(2, 8)))
        self.emulator.clear_log()
        self.cron()
        for hour, employee in enumerate(team):
            self.assertEqual(self.row(employee).state, "known", self.row(employee).error)
            self.assertIn((naive(at(1, 9 + hour)), naive(at(1, 10 + hour))), self.blocks(employee))
        self.assertEqual(self.blocks(self.julie, "absence"), [(naive(at(3, 0)), naive(at(4, 0)))])
        self.assertNotIn((naive(at(3, 0)), naive(at(4, 0))), self.blocks(self.julie))
        queries = self.free_busy_queries("@" + self.DOMAIN)
        self.assertEqual(len(queries), 1, queries)  # 4 weeks: one range, 3 calendars

    def test_a_colleague_google_does_not_answer_is_his_error_only(self):
        """Karim's calendar is not shared inside the domain: the batch reads
        Marc and Julie, and leaves Karim to his own session, which reads his
        busy time as himself."""
        for employee in self.marc | self.julie:
            self.phone_of(employee).share_calendar(
                employee.work_email, self.DOMAIN, scope_type="domain"
            )
        self.busy_event("karim@acme.fr", "karim@acme.fr", 2, 14)
        self.make_rdv(employees=self.marc | self.julie | self.karim, date=naive(at(2, 8)))
        self.cron()
        for employee in self.marc | self.julie | self.karim:
            self.assertEqual(self.row(employee).state, "known", self.row(employee).error)
        self.assertEqual(self.blocks(self.karim), [(naive(at(2, 14)), naive(at(2, 15)))])

    def test_shared_technicians_in_one_query(self):
        self.calendars_shared_by_jean(google_oauth.FREEBUSY_SCOPE)
        nina = self.field_employee("Nina Roux", "nina.roux@gmail.test")
        theo = self.field_employee("Théo Blanc", "theo.blanc@gmail.test")
        lea = self.field_employee("Léa Petit", "lea.petit@gmail.test")
        for employee in nina | lea:
            self.phone_of(employee).share_calendar(employee.work_email, "jean@example.com")
            self.busy_event(employee.work_email, employee.work_email, 1, 9)
        self.make_rdv(employees=nina | theo | lea, date=naive(at(2, 8)))
        self.emulator.clear_log()
        self.cron()
        for employee in nina | lea:
            self.assertEqual(self.blocks(employee), [(naive(at(1, 9)), naive(at(1, 10)))])
            self.assertEqual(self.row(employee).state, "known")
        self.assertEqual(self.row(theo).state, "unknown")
        self.assertIn("does not share its free/busy time", self.row(theo).error)
        self.assertIn("does not share its free/busy time", theo.of_google_availability_message)
        # Jean's own availability, and one for the three technicians
        self.assertEqual(len(self.free_busy_queries("jean@example.com")), 2)
        # his RDVs are synced all the same
        self.assertTrue(self.events_of(theo, "jean@example.com"))

    def test_a_users_other_calendar_counts_and_the_rdvs_never(self):
        perso = self.emulator.add_calendar("jean@example.com", "Perso")
        self.busy_event("jean@example.com", perso, 1, 10)
        self.make_rdv(date=naive(at(1, 14)), duree=1.0)
        self.sync()  # the dedicated calendar exists now
        action = self.env["of.google.busy.calendar.choice"].action_open(user=self.jean)
        wizard = self.env["of.google.busy.calendar.choice"].browse(action["res_id"])
        offered = wizard.line_ids.mapped("calendar_id")
        self.assertIn(perso, offered)
        self.assertNotIn(self.jean_account.calendar_id, offered)  # the RDVs' calendar
        self.assertNotIn("jean@example.com", offered)  # the primary always counts
        wizard.line_ids.filtered(lambda line: line.calendar_id == perso).selected = True
        wizard.action_apply()
        self.assertEqual(self.jean.of_google_busy_calendar_ids.calendar_id, perso)
        self.assertTrue(self.row(self.jean_emp).to_read)
        self.sync()
        self.assertEqual(self.blocks(self.jean_emp), [(naive(at(1, 10)), naive(at(1, 11)))])
        self.assertFalse(self.row(self.jean_emp).to_read)
        # the calendar is removed in Google: said on his line, never free, RDVs synced
        self.emulator.service.delete_calendar("jean@example.com", perso)
        rdv = self.make_rdv(date=naive(at(3, 14)), duree=1.0)
        self.row(self.jean_emp).to_read = True
        result = self.sync()
        self.assertEqual(result["created"], 1)
        self.assertTrue(self.event_of(rdv))
        row = self.row(self.jean_emp)
        self.assertEqual(row.state, "unknown")
        self.assertIn("Perso", row.error)
        self.assertIn("is removed, or not shared", row.error)
        self.assertIn("Perso", self.jean.of_google_availability_message)
        self.assertIn("Perso", self.jean.of_google_busy_calendar_ids.error)
        # the wizard shows it as gone, to untick
        action = self.env["of.google.busy.calendar.choice"].action_open(user=self.jean)
        wizard = self.env["of.google.busy.calendar.choice"].browse(action["res_id"])
        gone = wizard.line_ids.filtered("missing")
        self.assertEqual(gone.calendar_id, perso)
        gone.selected = False
        wizard.action_apply()
        self.assertFalse(self.jean.of_google_busy_calendar_ids)
        self.sync()
        self.assertEqual(self.row(self.jean_emp).state, "known")

    def test_an_administrator_chooses_for_a_delegated_technician(self):
        formations = self.emulator.add_calendar("marc@acme.fr", "Formations")
        self.busy_event("marc@acme.fr", formations, 2, 9)
        self.env["of.google.busy.calendar"].create(
            {"employee_id": self.marc.id, "calendar_id": formations, "name": "Formations"}
        )
        # Julie's: an ID Google does not know, typed in by hand
        self.env["of.google.busy.calendar"].create(
            {"employee_id": self.julie.id, "calendar_id": "typo@group.calendar.google.com"}
        )
        self.make_rdv(employees=self.marc | self.julie, date=naive(at(1, 8)))
        self.cron()
        self.assertEqual(self.row(self.marc).state, "known", self.row(self.marc).error)
        self.assertEqual(self.blocks(self.marc), [(naive(at(2, 9)), naive(at(2, 10)))])
        # her error only, said with the calendar; her RDVs synced all the same
        self.assertEqual(self.row(self.julie).state, "unknown")
        self.assertIn("typo@group.calendar.google.com", self.row(self.julie).error)
        self.assertIn("typo@group.calendar.google.com", self.julie.of_google_availability_message)
        self.assertTrue(self.events_of(self.julie))
        self.assertEqual(self.account_of(self.julie).state, "connected")

    def test_absurd_window_and_no_working_hours_are_said_in_french(self):
        self.french()
        self.marc.lang = "fr_FR"
        self.set_param("openfire_google_calendar.availability_weeks", "500")
        self.marc.resource_calendar_id = False
        self.marc.company_id.resource_calendar_id.attendance_ids = False
        self.make_rdv(employees=self.marc, date=naive(at(1, 8)))
        self.cron()
        row = self.row(self.marc)
        self.assertEqual(row.state, "known", row.error)
        self.assertIn("500", row.warning)
        self.assertIn("26", row.warning)
        self.assertIn("Marc Petit", row.warning)
        self.assertGreaterEqual((row.known_until - row.known_from).days, 26 * 7 - 1)
        self.assertIn("500", self.marc.of_google_availability_message)
        self.assertIn("semaines", row.warning)
        self.assertIn("horaires", row.warning)
        self.assertEqual(self.account_of(self.marc).state, "connected")
        self.assertTrue(self.events_of(self.marc))

    def test_a_change_in_the_primary_calendar_is_pushed(self):
        """Jean's availability is read from his primary calendar, which a
        channel watches: a dentist entered on his phone marks it to read and
        wakes his sync; the next sync reads it, sooner than the next round."""
        self.set_param("openfire_google_calendar.push_base_url", self.base_url())
        self.sophie_account.sync_stopped = True  # Jean's channels only
        self.make_rdv(date=naive(at(1, 14)), duree=1.0)
        self.sync()
        self.sync()
        self.wait_for_push()
        account = self.jean_account
        self.assertTrue(account.busy_channel_id)
        self.assertNotEqual(account.busy_channel_id, account.channel_id)
        self.assertGreater(account.busy_channel_expiration, datetime.now())
        row = self.row(self.jean_emp)
        self.assertEqual(row.state, "known")
        self.assertFalse(row.to_read)
        self.busy_event("jean@example.com", "jean@example.com", 2, 10, summary="Dentiste")
        self.wait_for_push()
        row.invalidate_recordset()
        self.assertTrue(row.to_read, "the change in his primary calendar was not notified")
        account.invalidate_recordset(["push_ids"])
        self.assertEqual(len(account.push_ids), 1)
        self.env["of.google.account"]._cron_sync_all()
        self.assertIn((naive(at(2, 10)), naive(at(2, 11))), self.blocks(self.jean_emp))
        row.invalidate_recordset()
        self.assertFalse(row.to_read)
        # the availability no longer read: the channel is stopped at the next sync
        self.set_param("openfire_google_calendar.availability", "0")
        self.sync()
        self.assertFalse(account.busy_channel_id)

    def test_the_demo_holds_a_weekly_series(self):
        """ "RDVs réguliers": the demo shows a weekly series at once."""
        first = self.env.ref("openfire_planning.demo_rdv_series", raise_if_not_found=False)
        if not first:
            self.skipTest("no demo data")
        series = first.recurrence_id
        self.assertTrue(series)
        self.assertIn("FREQ=WEEKLY", series.rrule)
        self.assertGreaterEqual(len(series.intervention_ids), 4)
