# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo.tests import tagged

from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestCronAndPush(SyncCase):
    """The scheduled action and Google's push notifications, with Odoo's HTTP
    server up so the emulator can reach it."""

    def test_cron_goes_on_when_one_user_is_revoked(self):
        jean_rdv = self.make_rdv(name="Chez Jean")
        sophie_rdv = self.make_rdv(name="Chez Sophie", employees=self.sophie_emp)
        self.emulator.revoke("jean@example.com")
        self.emulator.expire_access_tokens("jean@example.com")
        self.jean_account.sudo().token_expiry = datetime(2020, 1, 1)
        done = self.env["of.google.account"]._cron_sync_all()
        self.assertEqual(done, 2)
        self.assertEqual(self.jean_account.state, "revoked")
        self.assertIn("Sync. with Google", self.jean_account.last_error)
        self.assertEqual(self.sophie_account.state, "connected")
        self.assertEqual(self.event_of(sophie_rdv, self.sophie_account)["summary"], "Chez Sophie")
        self.assertFalse(jean_rdv.of_google_link_ids)

    def test_push_notification_triggers_the_sync(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.push_base_url", self.base_url()
        )
        rdv = self.make_rdv()
        account = self.jean_account
        self.sync(account)
        self.assertFalse(account.channel_id, "the first sync keeps to its round-trips")
        self.sync(account)
        self.wait_for_push()
        self.assertTrue(account.channel_id)
        self.assertGreater(account.channel_expiration, datetime.now())
        self.assertFalse(account.push_ids, "the 'sync' message only opens the channel")
        event = self.event_of(rdv)
        self.phone().patch_event(self.calendar(), event["id"], {"summary": "Vu au téléphone"})
        self.wait_for_push()
        self.assertEqual(
            [(push["state"], push["status"]) for push in self.emulator.push_deliveries][-1],
            ("exists", 200),
        )
        account.invalidate_recordset(["push_ids"])
        self.assertEqual(len(account.push_ids), 1, "no notification reached Odoo")
        trigger = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref("openfire_google_calendar.ir_cron_of_google_sync").id)]
        )
        self.assertTrue(trigger)
        # Only Jean's calendar here: a sync of Sophie's would open her channel, and the
        # emulator's hello would reach Odoo's test server while this thread works.
        self.sophie_account.sync_stopped = True
        self.env["of.google.account"]._cron_sync_all()
        rdv.invalidate_recordset()
        self.assertEqual(rdv.name, "Vu au téléphone")
        account.invalidate_recordset(["push_ids"])
        self.assertFalse(account.push_ids)

    def test_notification_with_a_wrong_token_is_refused(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.push_base_url", self.base_url()
        )
        self.sync()
        self.sync()
        self.wait_for_push()
        response = self.url_open(
            "/google_calendar/notifications",
            data=b"{}",
            headers={
                "X-Goog-Channel-ID": self.jean_account.channel_id,
                "X-Goog-Channel-Token": "forged",
                "X-Goog-Resource-State": "exists",
            },
        )
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.jean_account.push_ids)
