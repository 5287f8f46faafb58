# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import GoogleEmulatorCase
from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestSyncButtonTour(GoogleEmulatorCase):
    def test_sync_button_through_consent_and_back(self):
        user = new_test_user(
            self.env,
            login="tour_tech",
            password="tour_tech",
            email="tour.tech@example.com",
            tz="Europe/Paris",
            groups="base.group_user,openfire_planning.group_of_planning_user",
        )
        employee = self.env["hr.employee"].create(
            {"name": "Tour Tech", "user_id": user.id, "work_email": "tour.tech@example.com"}
        )
        self.emulator.add_account("tour.tech@example.com")
        self.env["of.planning.intervention"].create(
            {
                "name": "RDV du tour",
                "employee_ids": [Command.set(employee.ids)],
                # tomorrow: inside the sync window whatever the day the test runs
                "date": datetime.now().replace(hour=8, minute=0, second=0, microsecond=0)
                + timedelta(days=1),
                "duree": 1.0,
                "state": "confirm",
            }
        )
        self.emulator.oauth.auto_consent = True
        self.addCleanup(setattr, self.emulator.oauth, "auto_consent", False)
        self.start_tour("/web", "openfire_google_calendar_sync_tour", login="tour_tech")
        account = self.account(user)
        self.assertEqual(account.state, "connected")
        events = self.emulator.phone("tour.tech@example.com").list_events(account.calendar_id)
        self.assertEqual([event["summary"] for event in events], ["RDV du tour"])


@tagged("post_install", "-at_install")
class TestSyncStatusesTour(SyncCase):
    """The planning's button on the sync's refusals: the empty-side guard (a dialog,
    then the sync forced) and a database copy (a warning, nothing sent to Google)."""

    def test_empty_google_calendar_is_confirmed_then_synced(self):
        rdvs = [self.make_rdv(date=datetime(2026, 3, 2 + day, 8, 0)) for day in range(6)]
        self.sync()
        for event in self.events():
            self.phone().delete_event(self.calendar(), event["id"])
        self.start_tour("/web", "openfire_google_calendar_confirm_tour", login="jean_sync")
        for rdv in rdvs:
            rdv.invalidate_recordset()
        self.assertEqual({rdv.state for rdv in rdvs}, {"cancel"})

    def test_copy_of_the_database_warns_and_sends_nothing(self):
        rdv = self.make_rdv()
        self.sync()
        summary = self.event_of(rdv)["summary"]
        self.env["ir.config_parameter"].set_param(
            "database.uuid", "11111111-2222-3333-4444-555555555555"
        )
        rdv.name = "Changé dans la copie"
        self.emulator.clear_log()
        self.start_tour("/web", "openfire_google_calendar_copy_tour", login="jean_sync")
        self.assertEqual(self.emulator.http_round_trips(), 0, self.emulator.request_log)
        self.assertEqual(self.event_of(rdv)["summary"], summary)

    def test_a_big_sync_goes_on_in_the_background(self):
        # Google's (the emulator's) quota and Odoo's: 100 calls a minute for the user.
        self.emulator.set_rate_limits(per_user=100)
        self.addCleanup(self.emulator.set_rate_limits, per_user=600)
        self.env["ir.config_parameter"].set_param("openfire_google_calendar.quota_per_user", "100")
        self.env.cr.execute("DELETE FROM of_google_quota_use")
        for index in range(120):
            self.make_rdv(
                name="RDV %d" % index, date=datetime(2026, 3, 2, 6, 0) + timedelta(hours=index)
            )
        self.start_tour("/web", "openfire_google_calendar_background_tour", login="jean_sync")
        self.assertEqual(len(self.events()), 50, "one batch now, the rest by the cron")


@tagged("post_install", "-at_install")
class TestSettingsWordsTour(HttpCase):
    def test_the_words_lead_to_google_credentials(self):
        """Where the Interventions settings say the Client ID and secret are,
        an administrator finds them (once the Google sync is ticked)."""
        self.env["res.config.settings"].create(
            {"group_of_planning_recurring": True, "group_of_planning_google": True}
        ).execute()
        self.start_tour("/web", "openfire_google_calendar_credentials_tour", login="admin")
