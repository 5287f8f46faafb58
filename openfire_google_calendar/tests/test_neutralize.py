# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Staging copies never touch the production calendars: neutralized, or
duplicated with a new database.uuid."""

from odoo.modules.neutralize import neutralize_database
from odoo.tests import tagged

from ..services.database_copy import PARAM_CACHE
from ..services.sync_runner import run_sync
from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestDatabaseCopies(SyncCase):
    def setUp(self):
        super().setUp()
        self.rdv = self.make_rdv()
        self.sync()
        self.event_id = self.event_of(self.rdv)["id"]
        self.emulator.clear_log()

    def assert_no_google_request(self):
        self.assertEqual(self.emulator.http_round_trips(), 0, self.emulator.request_log)

    def test_neutralized_database_has_no_token_and_calls_nothing(self):
        self.env.flush_all()
        neutralize_database(self.env.cr)
        self.env.invalidate_all()
        self.env.registry.clear_cache(PARAM_CACHE)  # a neutralized database starts a new server
        for account in (self.jean_account, self.sophie_account):
            self.assertFalse(account.refresh_token or account.access_token or account.channel_id)
            self.assertEqual(account.state, "disconnected")
        self.rdv.name = "Changé en recette"
        self.assertEqual(run_sync(self.env, self.jean.id).as_dict()["status"], "copy_detected")
        self.env["of.google.account"]._cron_sync_all()
        self.authenticate("jean_sync", "jean_sync")
        answer = self.make_jsonrpc_request(
            "/google_calendar/sync_data", {"model": "of.planning.intervention"}
        )
        self.assertEqual(answer["status"], "copy_detected")
        self.assertIn("neutralized", answer["message"])
        self.assert_no_google_request()

    def test_a_copy_with_a_new_uuid_stops_until_an_administrator_decides(self):
        params = self.env["ir.config_parameter"]
        original = params.get_param("database.uuid")
        params.set_param("database.uuid", "11111111-2222-3333-4444-555555555555")
        self.rdv.name = "Changé dans la copie"
        self.phone().patch_event(self.calendar(), self.event_id, {"summary": "Vu au téléphone"})
        self.emulator.clear_log()
        result = run_sync(self.env, self.jean.id).as_dict()
        self.assertEqual(result["status"], "copy_detected")
        self.assertIn("copy", result["message"])
        self.env["of.google.account"]._cron_sync_all()
        self.assert_no_google_request()
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.of_google_copy_status)
        # "Sync from this database": the same events, under the same names.
        settings.action_of_google_sync_here()
        self.sync()  # Odoo wins the conflict, as the policy says
        events = self.events()
        self.assertEqual([event["id"] for event in events], [self.event_id], "no duplicate")
        self.assertEqual(events[0]["summary"], "Changé dans la copie")
        self.assertEqual(params.get_param("openfire_google_calendar.sync_identity"), original)

    def test_disconnect_this_copy_forgets_every_connection(self):
        self.env["ir.config_parameter"].set_param("database.uuid", "copy-uuid")
        self.env["res.config.settings"].create({}).action_of_google_disconnect_copy()
        for account in (self.jean_account, self.sophie_account):
            self.assertFalse(account.refresh_token or account.calendar_id)
            self.assertFalse(
                account.env["of.google.event.link"].search([("account_id", "=", account.id)])
            )
        self.assertEqual(
            self.env["ir.config_parameter"].get_param("openfire_google_calendar.sync_identity"),
            "copy-uuid",
        )
        self.assertEqual(run_sync(self.env, self.jean.id).as_dict()["status"], "need_auth")
        self.assert_no_google_request()
