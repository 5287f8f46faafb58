# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The administrators' view of every user's sync: a
user in error and a revoked user, the filters, retry / stop / restart."""

import re

from odoo.exceptions import AccessError
from odoo.release import version_info
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..services.sync_runner import run_sync
from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestSyncAdmin(SyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the RDVs of sync_common are in March 2026: no sync window
        cls.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.sync_window_days", "0"
        )

    def listed(self, filter_name=None):
        """The users the action lists (with one of its search filters)."""
        action = self.env.ref("openfire_google_calendar.action_of_google_sync_users")
        domain = list(safe_eval(action.domain))
        if filter_name:
            search = self.env.ref("openfire_google_calendar.view_of_google_sync_users_search")
            match = re.search(r'name="%s"[^>]*domain="([^"]*)"' % filter_name, search.arch_db)
            self.assertTrue(match, filter_name)
            domain += safe_eval(match.group(1).replace("&gt;", ">"))
        return self.env["res.users"].with_context(active_test=False).search(domain)

    def test_admin_list_shows_trouble_and_its_actions_work(self):
        rdv = self.make_rdv()
        self.sync()
        link = self.env["of.google.event.link"].search([("intervention_id", "=", rdv.id)])
        link.write(
            {"sync_state": "error", "sync_error": "403 rateLimitExceeded: Rate Limit Exceeded"}
        )
        self.sophie_account._disconnect("Google refused the connection", state="revoked")

        self.assertEqual(self.listed(), self.jean | self.sophie)
        self.assertEqual(self.listed("in_trouble"), self.jean | self.sophie)
        self.assertEqual(self.listed("revoked"), self.sophie)
        self.assertEqual(self.listed("with_errors"), self.jean)
        self.assertFalse(self.listed("stopped"))
        self.assertEqual(self.jean.of_google_error_count, 1)
        self.assertEqual(self.jean.of_google_quota_count, 1)
        self.assertEqual(self.jean.of_google_calendar_name, "Interventions")
        self.assertTrue(self.jean.of_google_last_sync)
        self.assertEqual(self.sophie.of_google_state, "revoked")
        self.assertTrue(self.sophie.of_google_in_trouble)
        # the view renders with its fields
        views = self.env["res.users"].get_views(
            [
                (
                    self.env.ref("openfire_google_calendar.view_of_google_sync_users_tree").id,
                    "list" if version_info[0] >= 18 else "tree",
                )
            ]
        )
        self.assertIn("of_google_quota_count", str(views))

        # Retry: the RDVs in error are pending, a push row wakes the cron for Jean
        Push = self.env["of.google.push"].sudo()
        cron = self.env.ref("openfire_google_calendar.ir_cron_of_google_sync")
        triggers = self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)])
        self.jean.action_of_google_admin_retry()
        self.assertEqual(link.sync_state, "pending")
        self.assertEqual(Push.search_count([("account_id", "=", self.jean_account.id)]), 1)
        self.assertEqual(self.jean.of_google_pending_count, 1)
        self.assertGreater(
            self.env["ir.cron.trigger"].sudo().search_count([("cron_id", "=", cron.id)]), triggers
        )
        self.sync()
        self.assertEqual(link.sync_state, "synced")
        self.assertEqual(self.jean.of_google_error_count, 0)

        # Stop, then restart
        self.jean.action_of_google_admin_stop()
        self.assertEqual(self.listed("stopped"), self.jean)
        self.assertEqual(run_sync(self.env, self.jean.id).as_dict()["status"], "sync_stopped")
        self.jean.action_of_google_admin_restart()
        self.assertFalse(self.jean_account.sync_stopped)
        # the figures of other users are for administrators only
        self.sophie_account._disconnect("Google refused the connection", state="revoked")
        self.assertTrue(self.sophie.of_google_in_trouble)
        self.assertFalse(self.sophie.with_user(self.jean).of_google_in_trouble)
        self.assertFalse(self.jean_account.last_error)
        self.sync()
        self.assertNotIn(self.jean, self.listed("in_trouble"))

    def test_only_administrators(self):
        with self.assertRaises(AccessError):
            self.jean.with_user(self.jean).action_of_google_admin_stop()
        self.assertFalse(self.jean_account.sync_stopped)
        # the figures of other users are for administrators only
        self.sophie_account._disconnect("Google refused the connection", state="revoked")
        self.assertTrue(self.sophie.of_google_in_trouble)
        self.assertFalse(self.sophie.with_user(self.jean).of_google_in_trouble)
