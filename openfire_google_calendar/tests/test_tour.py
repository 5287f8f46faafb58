from datetime import datetime

from odoo import Command
from odoo.tests import new_test_user, tagged

from .common import GoogleEmulatorCase


@tagged("post_install", "-at_install")
class TestSyncButtonTour(GoogleEmulatorCase):

    def test_sync_button_through_consent_and_back(self):
        user = new_test_user(self.env, login="tour_tech", password="tour_tech",
                             email="tour.tech@example.com", tz="Europe/Paris",
                             groups="base.group_user,openfire_planning.group_of_planning_user")
        employee = self.env["hr.employee"].create({
            "name": "Tour Tech", "user_id": user.id, "work_email": "tour.tech@example.com"})
        self.emulator.add_account("tour.tech@example.com")
        self.env["of.planning.intervention"].create({
            "name": "RDV du tour", "employee_ids": [Command.set(employee.ids)],
            "date": datetime(2026, 3, 2, 8, 0), "duree": 1.0, "state": "confirm"})
        self.emulator.oauth.auto_consent = True
        self.addCleanup(setattr, self.emulator.oauth, "auto_consent", False)
        self.start_tour("/web", "openfire_google_calendar_sync_tour", login="tour_tech")
        account = self.account(user)
        self.assertEqual(account.state, "connected")
        events = self.emulator.phone("tour.tech@example.com").list_events(account.calendar_id)
        self.assertEqual([event["summary"] for event in events], ["RDV du tour"])
