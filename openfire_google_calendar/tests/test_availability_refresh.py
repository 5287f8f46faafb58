# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The technicians' availability read from Google (the emulator's freeBusy
and typed events) by their sync: a user, a delegated and a shared
technician each get their busy time; transparent and declined events are
free, out of office is an absence, a working location a place, all-day
events busy or free as set; the connector's own events never block; a
refused consent leaves the sync working and the availability unknown."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from odoo.tests import tagged

from ..services import google_oauth
from .common import CLIENT_ID
from .technician_common import TechnicianCase

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


def monday():
    """Next week's Monday, midnight in Paris: inside the window read."""
    today = datetime.now(PARIS).replace(hour=0, minute=0, second=0, microsecond=0)
    return today + timedelta(days=7 - today.weekday())


def at(day, hour, minute=0):
    return (monday() + timedelta(days=day)).replace(hour=hour, minute=minute)


def iso(moment):
    return moment.isoformat()


def naive(moment):
    return moment.astimezone(UTC).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestAvailabilityRefresh(TechnicianCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.availability", "1"
        )
        self.assertIn(
            google_oauth.FREEBUSY_SCOPE, self.env["of.google.account"]._consent_scopes(self.jean)
        )
        # Jean allowed his availability; Sophie connected before it was asked
        self.jean_account._store_tokens(
            self.emulator.mint_token(
                "jean@example.com",
                client_id=CLIENT_ID,
                scopes=[*google_oauth.SCOPES, google_oauth.FREEBUSY_SCOPE],
            )
        )

    def blocks(self, employee):
        return [
            (block.start, block.stop, block.kind, block.label or False)
            for block in self.env["of.google.busy"].search([("employee_id", "=", employee.id)])
        ]

    def row(self, employee):
        return self.env["of.google.availability"].search([("employee_id", "=", employee.id)])

    def test_a_users_busy_time_absence_and_place(self):
        phone = self.phone()
        primary = "jean@example.com"
        phone.patch_calendar(primary, {"timeZone": "Europe/Paris"})
        phone.insert_event(
            primary,
            {
                "summary": "Dentiste",
                "start": {"dateTime": iso(at(1, 10))},
                "end": {"dateTime": iso(at(1, 11))},
            },
        )
        phone.insert_event(
            primary,
            {
                "summary": "Peut-être",
                "transparency": "transparent",
                "start": {"dateTime": iso(at(1, 14))},
                "end": {"dateTime": iso(at(1, 15))},
            },
        )
        phone.insert_event(
            primary,
            {
                "summary": "Férié",
                "start": {"date": at(5, 0).date().isoformat()},
                "end": {"date": at(6, 0).date().isoformat()},
            },
        )
        phone.set_out_of_office(iso(at(2, 0)), iso(at(3, 0)))
        phone.set_working_location(at(4, 0).date().isoformat())
        # Sophie invites him; he declines: free
        invitation = self.phone(self.sophie_account).insert_event(
            "sophie@example.com",
            {
                "summary": "Réunion",
                "start": {"dateTime": iso(at(1, 16))},
                "end": {"dateTime": iso(at(1, 17))},
                "attendees": [{"email": "jean@example.com"}],
            },
        )
        phone.respond(primary, invitation["id"], "declined")
        # his RDV, in the connector's calendar: never busy time
        self.make_rdv(date=naive(at(1, 8)), duree=1.0)
        self.sync()
        blocks = self.blocks(self.jean_emp)
        self.assertIn((naive(at(1, 10)), naive(at(1, 11)), "busy", False), blocks)
        self.assertIn((naive(at(2, 0)), naive(at(3, 0)), "absence", False), blocks)
        self.assertIn((naive(at(5, 0)), naive(at(6, 0)), "busy", False), blocks)  # all day
        self.assertIn((naive(at(4, 0)), naive(at(5, 0)), "location", "home"), blocks)
        self.assertEqual(len(blocks), 4, blocks)  # transparent, declined, the RDV: free
        row = self.row(self.jean_emp)
        self.assertEqual(row.state, "known", row.error)
        self.assertLessEqual(row.known_from, naive(datetime.now(PARIS)))
        # the window read: four weeks from now, whatever the day of the week
        self.assertGreaterEqual(row.known_until, naive(datetime.now(PARIS)) + timedelta(days=27))
        # all-day events as free: the holiday goes, and a new read replaces the old one
        self.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.availability_all_day", "free"
        )
        self.sync()  # read less than a round ago: not read again
        self.assertEqual(len(self.blocks(self.jean_emp)), 4)
        row.refreshed = datetime.now() - timedelta(hours=1)
        self.sync()
        self.assertNotIn(
            (naive(at(3, 0)), naive(at(4, 0)), "busy", False), self.blocks(self.jean_emp)
        )
        self.assertEqual(len(self.blocks(self.jean_emp)), 3)

    def test_a_refused_consent_keeps_the_sync_and_is_never_free(self):
        rdv = self.make_rdv(employees=self.sophie_emp)
        result = self.sync(self.sophie_account)
        self.assertEqual(result["created"], 1)
        self.assertTrue(self.event_of(rdv, self.sophie_account))
        row = self.row(self.sophie_emp)
        self.assertEqual(row.state, "unknown")
        self.assertIn("has not allowed reading his availability", row.error)
        self.assertFalse(self.blocks(self.sophie_emp))

    def test_a_delegated_technician(self):
        self.phone_of(self.marc).insert_event(
            "marc@acme.fr",
            {
                "summary": "Formation",
                "start": {"dateTime": iso(at(2, 9))},
                "end": {"dateTime": iso(at(2, 12))},
            },
        )
        self.make_rdv(employees=self.marc, date=naive(at(1, 8)))
        self.cron()
        self.assertEqual(self.account_of(self.marc).state, "connected")
        self.assertEqual(
            self.blocks(self.marc), [(naive(at(2, 9)), naive(at(2, 12)), "busy", False)]
        )
        self.assertEqual(self.row(self.marc).state, "known")

    def test_shared_technicians_who_share_their_free_busy(self):
        self.calendars_shared_by_jean(google_oauth.FREEBUSY_SCOPE)
        nina = self.field_employee("Nina Roux", "nina.roux@gmail.test")
        theo = self.field_employee("Théo Blanc", "theo.blanc@gmail.test")
        nina_phone = self.emulator.phone("nina.roux@gmail.test")
        nina_phone.share_calendar("nina.roux@gmail.test", "jean@example.com")
        nina_phone.insert_event(
            "nina.roux@gmail.test",
            {
                "summary": "Kiné",
                "start": {"dateTime": iso(at(1, 9))},
                "end": {"dateTime": iso(at(1, 10))},
            },
        )
        self.make_rdv(employees=nina | theo, date=naive(at(2, 8)))
        self.cron()
        self.assertEqual(self.blocks(nina), [(naive(at(1, 9)), naive(at(1, 10)), "busy", False)])
        self.assertEqual(self.row(nina).state, "known")
        self.assertEqual(self.row(theo).state, "unknown")
        self.assertIn("does not share its free/busy time", self.row(theo).error)
