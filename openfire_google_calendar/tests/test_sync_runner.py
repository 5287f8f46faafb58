# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The sync's one entry point as it runs in a server: its own cursor, the
user's lock, push notifications, the cron, and what a user is told."""

from contextlib import closing
from datetime import datetime, timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import TransactionCase, tagged
from odoo.tools import config, mute_logger

from ..services.sync_cron import cron_budget
from ..services.sync_runner import run_sync
from ..services.sync_session import LOCK_NAMESPACE, CallerWroteError, _check_caller
from .sync_common import SyncCase

CRON = "openfire_google_calendar.ir_cron_of_google_sync"


@tagged("post_install", "-at_install")
class TestSyncRunner(SyncCase):
    def other_connection(self):
        """A real second connection to the database, as another worker has."""
        cursor = sql_db.db_connect(self.env.cr.dbname).cursor()
        self.addCleanup(cursor.close)
        # A pooled connection keeps its session locks: never leave one behind.
        self.addCleanup(cursor.execute, "SELECT pg_advisory_unlock_all()")
        return cursor

    def triggers(self):
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.env.ref(CRON).id)])

    def test_retry_marks_and_wakes_the_cron_without_syncing_in_the_request(self):
        rdv = self.make_rdv()
        self.sync()
        link = rdv.of_google_link_ids
        link.write({"sync_state": "error", "sync_error": "503 backendError"})
        self.emulator.clear_log()
        self.triggers().unlink()
        self.authenticate("jean_sync", "jean_sync")
        started = datetime.now()
        answer = self.make_jsonrpc_request(
            "/web/dataset/call_button",
            {
                "model": "of.planning.intervention",
                "method": "action_of_google_retry",
                "args": [[rdv.id]],
                "kwargs": {},
            },
        )
        self.assertLess(datetime.now() - started, timedelta(seconds=2))
        self.assertEqual(answer["tag"], "display_notification")
        self.assertEqual(self.emulator.http_round_trips(), 0, "no Google call in the request")
        self.assertEqual(link.sync_state, "pending")
        self.assertTrue(self.triggers(), "the cron is woken")
        self.assertIn(self.jean_account.id, self.env["of.google.push"]._notified_accounts())
        self.env["of.google.account"]._cron_sync_all()
        self.assertEqual(link.sync_state, "synced")
        self.assertFalse(self.jean_account.push_ids)

    def test_a_running_session_elsewhere_answers_already_running_and_keeps_notifications(self):
        self.sync()
        self.env["of.google.push"].create({"account_id": self.jean_account.id})
        self.env.flush_all()
        other = self.other_connection()
        other.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, self.jean_account.id])
        result = run_sync(self.env, self.jean.id).as_dict()
        self.assertEqual(result["status"], "already_running")
        self.assertEqual(
            len(self.jean_account.push_ids),
            1,
            "a notification waits for the sync that holds the lock",
        )
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, self.jean_account.id])
        self.assertEqual(
            run_sync(self.env, self.jean.id).as_dict()["status"], "no_new_event_from_google"
        )
        self.assertFalse(self.jean_account.push_ids)

    def test_a_notification_that_came_during_a_sync_stays_for_the_next(self):
        Push = self.env["of.google.push"]
        Push.create({"account_id": self.jean_account.id})
        seen = Push._last_seen(self.jean_account)
        late = Push.create({"account_id": self.jean_account.id})  # during the listing
        Push._forget_until(self.jean_account, seen)
        self.assertEqual(self.jean_account.push_ids, late)

    def test_channel_renewal_keeps_the_new_channel_when_the_old_one_is_gone(self):
        self.env["ir.config_parameter"].set_param(
            "openfire_google_calendar.push_base_url", self.base_url()
        )
        self.sophie_account.sync_stopped = True
        account = self.jean_account
        self.sync()
        self.sync()
        self.wait_for_push()
        old = account.channel_id
        self.assertTrue(old)
        # Google forgot the old channel: its channels.stop will answer 404.
        client = account._client()
        client.stop_channel(old, account.channel_resource_id)
        account.channel_expiration = datetime.now() + timedelta(hours=2)
        self.sync()
        self.wait_for_push()
        self.assertTrue(account.channel_id)
        self.assertNotEqual(account.channel_id, old)
        self.assertGreater(account.channel_expiration, datetime.now() + timedelta(days=2))

    def test_cron_honours_odoo_pause(self):
        self.make_rdv()
        self.env["ir.config_parameter"].set_param("google_calendar_sync_paused", "True")
        self.emulator.clear_log()
        self.assertEqual(self.env["of.google.account"]._cron_sync_all(), 0)
        self.assertEqual(self.emulator.http_round_trips(), 0)

    def test_cron_budget_comes_from_odoo_limits_and_the_rest_is_triggered(self):
        Account = self.env["of.google.account"]
        with patch.dict(config.options, {"limit_time_real_cron": -1, "limit_time_real": 120}):
            self.assertEqual(cron_budget(), 60)
        with patch.dict(config.options, {"limit_time_real_cron": 30, "limit_time_real": 120}):
            self.assertEqual(cron_budget(), 15)
        self.triggers().unlink()
        self.assertEqual(Account._cron_sync_all(time_budget=0), 1, "one user at least")
        self.assertTrue(self.triggers(), "the others are synced by the next run, at once")
        self.assertEqual(Account._cron_sync_all(), 2)

    def test_conflict_on_a_deleted_rdv_is_told_to_the_user(self):
        rdv = self.make_rdv()
        self.sync()
        event = self.event_of(rdv)
        self.phone().patch_event(self.calendar(), event["id"], {"summary": "Vu au téléphone"})
        rdv.unlink()
        result = self.sync()
        self.assertEqual(result["conflicts"], 1)
        self.assertIn("Conflict on a deleted RDV", self.jean_account.last_error)
        self.assertTrue(result["notes"])

    def test_an_empty_google_calendar_asks_before_cancelling_everything(self):
        rdvs = [self.make_rdv(date=datetime(2026, 3, 2 + day, 8, 0)) for day in range(6)]
        self.sync()
        for event in self.events():
            self.phone().delete_event(self.calendar(), event["id"])
        result = run_sync(self.env, self.jean.id).as_dict()
        self.assertEqual(result["status"], "confirm_needed")
        self.assertIn("6", result["message"])
        self.assertTrue(all(rdv.state == "confirm" for rdv in rdvs), "nothing changed")
        # The user confirmed: the route passes force.
        self.authenticate("jean_sync", "jean_sync")
        answer = self.make_jsonrpc_request(
            "/google_calendar/sync_data", {"model": "of.planning.intervention", "force": True}
        )
        self.assertEqual(answer["status"], "need_refresh")
        self.assertTrue(all(rdv.state == "cancel" for rdv in rdvs))

    def test_chatter_notes_of_a_sync_are_the_technicians(self):
        self.sync()
        self.phone().insert_event(
            self.calendar(),
            {
                "summary": "Posé par Jean",
                "start": {"dateTime": "2026-03-05T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-05T11:00:00+01:00"},
            },
        )
        self.sync()
        rdv = self.Rdv.search([("name", "=", "Posé par Jean")])
        self.assertEqual(rdv.create_uid, self.jean)
        self.assertEqual(rdv.company_id, self.jean.company_id)
        self.assertEqual(rdv.message_ids[:1].author_id, self.jean.partner_id)

    def test_a_sync_sends_no_mail(self):
        self.sync()
        for index in range(3):
            self.phone().insert_event(
                self.calendar(),
                {
                    "summary": "Sans mail %d" % index,
                    "start": {"dateTime": "2026-03-0%dT10:00:00+01:00" % (index + 2)},
                    "end": {"dateTime": "2026-03-0%dT11:00:00+01:00" % (index + 2)},
                },
            )
        mails = self.env["mail.mail"].search_count([])
        notifications = self.env["mail.notification"].search_count([])
        self.sync()
        self.assertEqual(self.Rdv.search_count([("name", "like", "Sans mail")]), 3)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        self.assertEqual(self.env["mail.notification"].search_count([]), notifications)

    def test_calendar_choice_keeps_the_disconnection_google_forced(self):
        self.sync()
        self.emulator.revoke("jean@example.com")
        self.jean_account.token_expiry = datetime(2020, 1, 1)
        self.authenticate("jean_sync", "jean_sync")
        with mute_logger("odoo.addons.openfire_google_calendar.models.of_google_account"):
            answer = self.make_jsonrpc_request(
                "/web/dataset/call_kw",
                {
                    "model": "of.google.calendar.choice",
                    "method": "action_open",
                    "args": [],
                    "kwargs": {},
                },
            )
        self.assertEqual(answer["tag"], "display_notification")
        self.assertIn("Sync. with Google", answer["params"]["message"])
        self.assertEqual(self.jean_account.state, "revoked")
        self.assertFalse(self.jean_account.refresh_token)


@tagged("post_install", "-at_install")
class TestSessionGuard(TransactionCase):
    """Without Odoo's HTTP test mode, a session takes a real connection of
    its own, as in a server: the case where a caller's locks could hang it."""

    def test_a_caller_that_wrote_is_refused_at_once(self):
        self.env["ir.config_parameter"].set_param("openfire_google_calendar.test_guard", "1")
        started = datetime.now()
        with self.assertRaises(CallerWroteError):
            run_sync(self.env, self.env.uid)
        self.assertLess(datetime.now() - started, timedelta(seconds=2))

    def test_a_caller_that_only_read_may_start_one(self):
        with (
            closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as caller,
            closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as session,
        ):
            env = api.Environment(caller, SUPERUSER_ID, {})
            env["res.users"].search([], limit=1).read(["login"])
            _check_caller(env, session)  # nothing written: no lock to wait for
            env["ir.config_parameter"].set_param("openfire_google_calendar.test_guard", "1")
            with self.assertRaises(CallerWroteError):
                _check_caller(env, session)
            caller.rollback()

    def test_odoo_device_log_is_not_a_caller_write(self):
        """Odoo 18+ inserts the session's device log in the request's own
        transaction (the first request of a session, then hourly): a sync
        asked for by that request starts; a row lock beside it is refused."""
        if "res.device.log" not in self.env:
            self.skipTest("Odoo 17 keeps no device log")
        with (
            closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as caller,
            closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as session,
        ):
            env = api.Environment(caller, SUPERUSER_ID, {})
            # the statement of res.device.log._update_device, on the request's cursor
            caller.execute(
                "INSERT INTO res_device_log (session_identifier, platform, browser, ip_address,"
                " device_type, user_id, first_activity, last_activity, revoked)"
                " VALUES ('guard-test', 'linux', 'python', '127.0.0.1', 'computer', %s,"
                " now(), now(), false)",
                [SUPERUSER_ID],
            )
            _check_caller(env, session)
            caller.execute("SELECT id FROM res_partner ORDER BY id LIMIT 1 FOR UPDATE")
            with self.assertRaises(CallerWroteError):
                _check_caller(env, session)
            caller.rollback()
