# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The connector's calendar deleted in Google (by the technician, or his
Workspace administrator): the dedicated calendar is made again and filled
once, a calendar the user had chosen is asked for again; no RDV is
cancelled in Odoo, and the administrators' list says what happened."""

from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from ..services.sync_runner import run_sync
from .technician_common import TechnicianCase

try:  # the tests' own requirement (tests/common.py says how to install it)
    from google_emulator.errors import ApiError
except ImportError:  # pragma: no cover
    ApiError = None


@tagged("post_install", "-at_install")
class TestCalendarGone(TechnicianCase):
    def live(self, account):
        """The summaries of the live events of the account's calendar."""
        owner = account.owner_account_id or account
        email = owner.user_id.email or owner.google_email
        return sorted(
            event.get("summary")
            for event in self.emulator.phone(email).list_events(account.calendar_id)
            if event.get("status") != "cancelled"
        )

    def test_dedicated_calendar_deleted_is_made_again_and_refilled(self):
        rdv = self.make_rdv(name="Chez Durand")
        other = self.make_rdv(name="Chez Martin", date=datetime(2026, 3, 3, 8, 0))
        self.sync()
        old = self.jean_account.calendar_id
        self.assertEqual(self.live(self.jean_account), ["Chez Durand", "Chez Martin"])
        self.emulator.service.delete_calendar("jean@example.com", old)
        result = self.sync()
        account = self.jean_account
        self.assertNotEqual(account.calendar_id, old)
        self.assertEqual(account.state, "connected")
        self.assertEqual(self.live(account), ["Chez Durand", "Chez Martin"])
        self.assertEqual((rdv.state, other.state), ("confirm", "confirm"))
        self.assertEqual(result.get("cancelled"), 0, result)
        # the administrators' list says what happened
        self.assertIn("was deleted in Google", account.last_error)
        self.assertIn(account.calendar_name, account.last_error)
        self.assertIn(account.id, self.jean._trouble_account_ids())
        # settled: nothing more to do, and no duplicate
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)
        self.assertEqual(self.live(account), ["Chez Durand", "Chez Martin"])

    def test_chosen_calendar_deleted_asks_to_choose_again(self):
        rdv = self.make_rdv(name="Chez Durand")
        mine = self.emulator.add_calendar("jean@example.com", "Mes chantiers")
        self.jean_account._use_calendar(mine, "Mes chantiers")
        self.sync()
        self.assertEqual(self.live(self.jean_account), ["Chez Durand"])
        calendars_before = len(self.emulator.service.calendars_of("jean@example.com"))
        self.emulator.service.delete_calendar("jean@example.com", mine)
        outcome = run_sync(self.env, self.jean.id)
        self.assertEqual(outcome.status.value, "error")
        self.assertIn("Mes chantiers", outcome.message)
        self.assertIn("choose", outcome.message)
        account = self.jean_account
        self.assertEqual(account.last_error, outcome.message)
        # nothing was made behind his back, nothing cancelled
        self.assertEqual(account.calendar_id, mine)
        owned = self.emulator.service.calendars_of("jean@example.com")
        self.assertEqual(len(owned), calendars_before - 1)
        self.assertEqual(rdv.state, "confirm")
        # he chooses another: the RDV goes there, once
        other = self.emulator.add_calendar("jean@example.com", "Travail")
        self.jean_account._use_calendar(other, "Travail")
        self.sync()
        self.assertEqual(self.live(self.jean_account), ["Chez Durand"])
        self.assertFalse(self.jean_account.last_error)

    def test_shared_technician_calendar_deleted_is_made_again_others_go_on(self):
        self.calendars_shared_by_jean()
        self.make_rdv(name="Chez Marc", employees=self.marc)
        self.make_rdv(name="Chez Julie", employees=self.julie)
        self.cron()
        marc = self.account_of(self.marc)
        old = marc.calendar_id
        self.emulator.service.delete_calendar("jean@example.com", old)
        self.make_rdv(name="Encore Julie", employees=self.julie, date=datetime(2026, 3, 4, 8, 0))
        self.cron()
        self.assertNotEqual(marc.calendar_id, old)
        self.assertEqual(self.live(marc), ["Chez Marc"])
        self.assertIn("was deleted in Google", marc.last_error)
        # shared again with Marc, who sees it
        self.assertEqual(self.summaries(self.marc), ["Chez Marc"])
        self.assertEqual(self.live(self.account_of(self.julie)), ["Chez Julie", "Encore Julie"])
        self.cron()
        self.assertEqual(self.summaries(self.marc), ["Chez Marc"])

    def test_shared_technician_calendar_unshared_is_shared_again(self):
        self.calendars_shared_by_jean()
        self.make_rdv(name="Chez Marc", employees=self.marc)
        self.make_rdv(name="Chez Julie", employees=self.julie)
        self.cron()
        marc = self.account_of(self.marc)
        calendar = marc.calendar_id
        self.emulator.service.delete_acl("jean@example.com", calendar, marc.shared_rule_id)
        with self.assertRaises(ApiError):  # Marc's phone no longer reads it
            self.summaries(self.marc)
        # read back from Google once a day: a day later
        (self.account_of(self.marc) | self.account_of(self.julie)).write(
            {"shared_checked": fields.Datetime.now() - timedelta(days=2)}
        )
        self.make_rdv(name="Encore Marc", employees=self.marc, date=datetime(2026, 3, 4, 8, 0))
        self.cron()
        self.assertEqual(marc.calendar_id, calendar)
        self.assertIn("was no longer shared with marc@acme.fr", marc.last_error)
        self.assertEqual(self.summaries(self.marc), ["Chez Marc", "Encore Marc"])
        julie = self.account_of(self.julie)
        self.assertFalse(julie.last_error)
        self.assertEqual(self.summaries(self.julie), ["Chez Julie"])
        # said once; the next syncs check nothing more today
        self.emulator.clear_log()
        self.cron()
        self.assertFalse(marc.last_error)
        self.assertEqual(self.summaries(self.marc), ["Chez Marc", "Encore Marc"])

    def test_sharing_check_interval_is_a_system_parameter(self):
        self.calendars_shared_by_jean()
        self.make_rdv(name="Chez Marc", employees=self.marc)
        self.cron()
        marc = self.account_of(self.marc)
        self.emulator.service.delete_acl("jean@example.com", marc.calendar_id, marc.shared_rule_id)
        two_hours_ago = fields.Datetime.now() - timedelta(hours=2)
        marc.write({"shared_checked": two_hours_ago})
        self.cron()  # a day by default: not read back yet
        self.assertFalse(marc.last_error)
        with self.assertRaises(ApiError):
            self.summaries(self.marc)
        self.set_param("openfire_google_calendar.sharing_check_hours", "1")
        self.cron()
        self.assertIn("was no longer shared with marc@acme.fr", marc.last_error)
        self.assertEqual(self.summaries(self.marc), ["Chez Marc"])

    def test_delegated_technician_calendar_deleted_is_made_again(self):
        self.make_rdv(name="Chez Marc", employees=self.marc)
        self.cron()
        marc = self.account_of(self.marc)
        old = marc.calendar_id
        self.emulator.service.delete_calendar("marc@acme.fr", old)
        self.cron()
        self.assertNotEqual(marc.calendar_id, old)
        self.assertEqual(self.summaries(self.marc), ["Chez Marc"])
        self.assertIn("was deleted in Google", marc.last_error)
        self.cron()
        self.assertEqual(self.summaries(self.marc), ["Chez Marc"])
