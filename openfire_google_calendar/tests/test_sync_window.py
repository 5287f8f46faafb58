# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync window in Odoo: RDVs that ended more than
sync_window_days ago are not pushed by the first sync, older events are not
imported; moving either into the window syncs it."""

from datetime import datetime, timedelta

from odoo.tests import tagged

from ..services.sync_runner import WINDOW_PARAM, window_start
from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestSyncWindow(SyncCase):
    def phone_event(self, summary, start):
        return self.phone().insert_event(
            self.calendar(),
            {
                "summary": summary,
                "start": {"dateTime": start.isoformat() + "Z"},
                "end": {"dateTime": (start + timedelta(hours=1)).isoformat() + "Z"},
            },
        )

    def test_the_setting(self):
        Param = self.env["ir.config_parameter"]
        now = datetime(2026, 3, 31)
        Param.set_param(WINDOW_PARAM, False)
        self.assertEqual(window_start(self.env, now), now - timedelta(days=30), "default 30")
        Param.set_param(WINDOW_PARAM, "7")
        self.assertEqual(window_start(self.env, now), now - timedelta(days=7))
        Param.set_param(WINDOW_PARAM, "0")
        self.assertIsNone(window_start(self.env, now), "0: no window")
        settings = self.env["res.config.settings"].create({"of_google_sync_window_days": 45})
        settings.execute()
        self.assertEqual(Param.get_param(WINDOW_PARAM), "45")

    def test_old_rdvs_and_events_stay_on_their_side_until_moved_into_the_window(self):
        self.env["ir.config_parameter"].set_param(WINDOW_PARAM, "30")
        today = datetime.now().replace(hour=8, minute=0, second=0, microsecond=0)
        old = self.make_rdv(name="Vieux RDV", date=today - timedelta(days=40))
        recent = self.make_rdv(name="RDV récent", date=today - timedelta(days=10))
        self.sync()  # creates the calendar; the first push
        summaries = [event["summary"] for event in self.events()]
        self.assertEqual(len(summaries), 1)
        self.assertIn("RDV récent", summaries[0])
        self.assertTrue(recent.of_google_link_ids)
        self.assertFalse(old.of_google_link_ids)
        old_event = self.phone_event("Vieil événement", today - timedelta(days=60))
        self.phone_event("Événement récent", today + timedelta(days=3))
        self.sync()
        names = set(self.Rdv.search([("employee_ids", "in", self.jean_emp.ids)]).mapped("name"))
        self.assertIn("Événement récent", names)
        self.assertNotIn("Vieil événement", names)
        # Moved into the window on each side: the next sync pairs them.
        old.date = today + timedelta(days=1)
        self.phone().patch_event(
            self.calendar(),
            old_event["id"],
            {
                "start": {"dateTime": (today + timedelta(days=2)).isoformat() + "Z"},
                "end": {"dateTime": (today + timedelta(days=2, hours=1)).isoformat() + "Z"},
            },
        )
        self.sync()
        self.assertTrue(old.of_google_link_ids)
        self.assertTrue(any("Vieux RDV" in event["summary"] for event in self.events()))
        self.assertTrue(self.Rdv.search([("name", "=", "Vieil événement")]))
