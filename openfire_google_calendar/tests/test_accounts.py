# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..services.google_oauth import SCOPES
from ..services.sync_session import GoogleAccessLost
from .common import CLIENT_ID, GoogleEmulatorCase


@tagged("post_install", "-at_install")
class TestAccounts(GoogleEmulatorCase):
    def connect(self, user):
        tokens = self.emulator.mint_token(user.email, client_id=CLIENT_ID, scopes=list(SCOPES))
        account = self.env["of.google.account"]._for_user(user)
        account._store_tokens(tokens)
        return account

    def test_a_user_cannot_read_tokens_orm(self):
        mine, theirs = self.connect(self.tech), self.connect(self.other)
        Account = self.env["of.google.account"].with_user(self.tech)
        self.assertEqual(Account.search([]), mine)
        with self.assertRaises(AccessError):
            theirs.with_user(self.tech).read(["state"])
        with self.assertRaises(AccessError):
            mine.with_user(self.tech).read(["refresh_token"])
        with self.assertRaises(AccessError):
            mine.with_user(self.tech).read(["access_token"])
        self.assertEqual(mine.with_user(self.tech).read(["state"])[0]["state"], "connected")
        with self.assertRaises(AccessError):
            mine.with_user(self.tech).write({"refresh_token": "mine now"})

    @mute_logger("odoo.http", "odoo.models")
    def test_a_user_cannot_read_tokens_rpc(self):
        theirs = self.connect(self.other)
        self.connect(self.tech)
        self.login(self.tech)
        for fields in (["refresh_token"], ["access_token", "state"]):
            with self.assertRaises(Exception) as caught:
                self.make_jsonrpc_request(
                    "/web/dataset/call_kw",
                    {
                        "model": "of.google.account",
                        "method": "read",
                        "args": [[theirs.id], fields],
                        "kwargs": {},
                    },
                )
            self.assertIn("AccessError", str(caught.exception.args) + repr(caught.exception))
        found = self.make_jsonrpc_request(
            "/web/dataset/call_kw",
            {
                "model": "of.google.account",
                "method": "search_read",
                "args": [[], ["state", "user_id"]],
                "kwargs": {},
            },
        )
        self.assertEqual([row["user_id"][0] for row in found], [self.tech.id])

    def test_expired_access_token_is_refreshed(self):
        account = self.connect(self.tech)
        account.sudo().token_expiry = datetime.now() - timedelta(minutes=5)
        old_token = account.sudo().access_token
        creds = account._credentials()
        self.assertNotEqual(creds.token, old_token)
        self.assertEqual(account.sudo().access_token, creds.token)
        self.assertGreater(account.sudo().token_expiry, datetime.now())

    def test_revoked_access_disconnects_that_user_only(self):
        mine, theirs = self.connect(self.tech), self.connect(self.other)
        self.emulator.revoke(self.tech.email)
        mine.sudo().token_expiry = datetime.now() - timedelta(minutes=5)
        # Not assertRaises: its savepoint would undo the disconnection the
        # sync relies on.
        try:
            mine._credentials()
        except GoogleAccessLost as exc:
            self.assertEqual(exc.oauth_error, "invalid_grant")
        else:
            self.fail("a revoked refresh token must raise GoogleAccessLost")
        self.assertEqual(mine.state, "revoked")
        self.assertFalse(mine.sudo().refresh_token)
        self.assertIn("Sync. with Google", mine.last_error)
        self.assertEqual(theirs.state, "connected")
        self.assertTrue(theirs.sudo().refresh_token)
        self.login(self.tech)
        status = self.sync_data()
        self.assertEqual(status["status"], "need_auth")
        self.assertIn("refused", status["message"])

    def test_remove_references_touches_only_the_caller(self):
        mine, theirs = self.connect(self.tech), self.connect(self.other)
        Link = self.env["of.google.event.link"].sudo()
        employee = self.env["hr.employee"].create({"name": "E", "user_id": self.tech.id})
        rdv = self.env["of.planning.intervention"].create(
            {
                "name": "R",
                "employee_ids": [Command.set(employee.ids)],
                "date": datetime(2030, 1, 1, 8),
            }
        )
        for account in (mine, theirs):
            Link.create(
                {
                    "account_id": account.id,
                    "intervention_id": rdv.id,
                    "rdv_key": str(rdv.id),
                    "google_event_id": "ev%d" % account.id,
                    "etag": '"1"',
                }
            )
        mine.sudo().write(
            {
                "sync_token": "tok",
                "calendar_id": "cal",
                "channel_id": "chan",
                "channel_expiration": datetime(2030, 1, 1),
            }
        )
        self.login(self.tech)
        result = self.make_jsonrpc_request(
            "/google_calendar/remove_references", {"model": "of.planning.intervention"}
        )
        self.assertEqual(result["status"], "success")
        self.assertFalse(Link.search([("account_id", "=", mine.id)]))
        self.assertEqual(len(Link.search([("account_id", "=", theirs.id)])), 1)
        self.assertFalse(mine.sudo().refresh_token)
        self.assertFalse(mine.sudo().sync_token)
        self.assertFalse(
            mine.calendar_id or mine.channel_id or mine.channel_expiration,
            "the old account's calendar and push channel are forgotten too",
        )
        self.assertEqual(theirs.state, "connected")
        self.assertTrue(theirs.sudo().refresh_token)

    def test_change_account_from_preferences(self):
        mine = self.connect(self.tech)
        self.tech.with_user(self.tech).action_of_google_change_account()
        self.assertEqual(mine.state, "disconnected")
        # Not on someone else's behalf.
        theirs = self.connect(self.other)
        self.other.with_user(self.tech).action_of_google_change_account()
        self.assertEqual(theirs.state, "connected")

    def test_statuses(self):
        self.login(self.tech)
        set_param = self.env["ir.config_parameter"].sudo().set_param
        set_param("google_calendar_client_secret", "")
        self.assertEqual(self.sync_data()["status"], "need_config_from_admin")
        self.assertEqual(self.sync_data()["action"], "")
        set_param("google_calendar_client_secret", "odoo-test-secret")
        set_param("google_calendar_sync_paused", "True")
        self.assertEqual(self.sync_data()["status"], "sync_paused")
        set_param("google_calendar_sync_paused", "")
        self.connect(self.tech).sync_stopped = True
        self.assertEqual(self.sync_data()["status"], "sync_stopped")
        self.account(self.tech).sync_stopped = False
        self.assertEqual(self.sync_data()["status"], "no_new_event_from_google")
        # Another model is Odoo's own google_calendar route.
        other = self.make_jsonrpc_request("/google_calendar/sync_data", {"model": "res.partner"})
        self.assertEqual(other["status"], "success")
