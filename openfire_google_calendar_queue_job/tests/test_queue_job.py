# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""With queue_job: the cron enqueues a job per user (and per technician
without a login), its polls spread over the interval; a burst of
notifications is one job (identity key), on the connector's channel; a job
retries what Google's quotas and rate limits left, when the session says, and
Google's transient errors with the retry pattern; without queue_job's runner
the cron syncs by itself."""

import json
from contextlib import closing
from datetime import datetime, timedelta

from odoo import sql_db
from odoo.tests import TransactionCase, tagged

from odoo.addons.openfire_google_calendar.services import quota, service_account, sync_cron
from odoo.addons.openfire_google_calendar.tests.sync_common import SyncCase
from odoo.addons.openfire_google_calendar.tests.technician_common import make_service_account
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.tests.common import trap_jobs

from ..models.of_google_account import CHANNEL, identity_key


@tagged("post_install", "-at_install")
class TestQueueJob(SyncCase):
    def setUp(self):
        super().setUp()
        # As with --load=web,queue_job (the runner started)
        self.env = self.env(context=dict(self.env.context, of_google_queue_job=True))
        self.Account = self.env["of.google.account"]
        self.env.cr.execute("DELETE FROM of_google_quota_use")
        self.env.cr.execute("DELETE FROM of_google_not_before")
        self.env.cr.execute("DELETE FROM of_google_push")
        self.addCleanup(self.emulator.set_rate_limits, per_user=600, status=403, retry_after=False)
        self.addCleanup(self.emulator.set_faults, rate=0)

    def job_error(self, user):
        """Run the job's method as queue_job's runner would; the RetryableJobError
        it raised (None when it finished). Not assertRaises: its savepoint would
        undo what the sync committed in the cursor it shares with the test."""
        try:
            self.Account._job_sync_user(user.id)
        except RetryableJobError as exc:
            return exc
        return None

    def test_without_the_runner_the_cron_syncs_itself(self):
        self.make_rdv()
        Account = self.Account.with_context(of_google_queue_job=False)
        with trap_jobs() as trap:
            Account._cron_sync_all()
            trap.assert_jobs_count(0)
        self.assertEqual(len(self.events()), 1)

    def test_the_runner_is_queue_jobs_server_wide_module(self):
        from odoo.tools import config

        from ..models.of_google_account import uses_queue

        env = self.env(context={})
        wide = config["server_wide_modules"]
        self.addCleanup(config.__setitem__, "server_wide_modules", wide)
        config["server_wide_modules"] = ["base", "web"]
        self.assertFalse(uses_queue(env), "installed but not loaded: the cron syncs")
        config["server_wide_modules"] = ["base", "web", "queue_job"]
        self.assertTrue(uses_queue(env))

    def test_the_cron_enqueues_one_job_per_user_on_the_channel(self):
        self.emulator.clear_log()
        with trap_jobs() as trap:
            self.assertEqual(self.Account._cron_sync_all(), 2)
            trap.assert_jobs_count(2, only=self.Account._job_sync_user)
            for user in (self.jean, self.sophie):
                trap.assert_enqueued_job(
                    self.Account._job_sync_user,
                    args=(user.id,),
                    properties={"channel": CHANNEL, "identity_key": identity_key(user.id)},
                )
        self.assertEqual(self.emulator.http_round_trips(), 0, "nothing synced in the cron")

    def test_the_cron_spreads_the_polls_and_waits_for_holds(self):
        """Polls start at random moments over the first half of the interval (jitter);
        a user with work waiting starts now; a user Google's rate limits hold starts
        when the hold ends; a user synced less than half an interval ago is left for
        the next run (a run woken for others does not poll everyone)."""
        technicians = [self.technician("tech%d" % index) for index in range(10)]
        users = [user for user, _employee, _account in technicians[:8]]
        for _user, _employee, account in technicians[:8]:
            account.last_sync = datetime.now() - timedelta(minutes=10)
        newcomer = technicians[8][0]  # never synced: his first sync now
        recent, _employee, account = technicians[9]
        account.last_sync = datetime.now() - timedelta(minutes=1)  # polled a minute ago
        self.env["of.google.push"]._wake(self.jean_account)  # deferred work: now
        until = quota.hold(self.env, self.sophie_account.id, 120)
        now = datetime.now().replace(microsecond=0)
        with trap_jobs() as trap:
            self.assertEqual(self.Account._cron_sync_all(), 11)
        etas = {job.args[0]: job.eta for job in trap.enqueued_jobs}
        self.assertNotIn(recent.id, etas, "synced a minute ago: not polled again yet")
        self.assertIsNone(etas[self.jean.id], "work waiting: no delay")
        self.assertIsNone(etas[newcomer.id], "a first sync: no delay")
        self.assertLess(abs((etas[self.sophie.id] - until).total_seconds()), 3)
        interval = sync_cron.poll_interval(self.env)
        self.assertEqual(interval, 600)
        polls = [(etas[user.id] - now).total_seconds() for user in users]
        self.assertTrue(all(0 <= delay <= interval / 2 + 2 for delay in polls), polls)
        self.assertGreater(len({round(delay) for delay in polls}), 4, "not all at once")
        self.env["ir.config_parameter"].set_param(
            "openfire_google_calendar.poll_spread_seconds", "0"
        )
        with trap_jobs() as trap:
            self.Account._cron_sync_all()
        etas = [job.eta for job in trap.enqueued_jobs if job.args[0] != self.sophie.id]
        self.assertEqual(etas, [None] * 10, "no spread: every poll now")

    def test_a_burst_of_notifications_is_one_job(self):
        self.env["ir.config_parameter"].set_param(
            "openfire_google_calendar.push_base_url", self.base_url()
        )
        self.sync()
        self.sync()  # the channel opens from the second sync on
        self.wait_for_push()  # its "sync" message, before this test uses the cursor
        account = self.jean_account
        self.assertTrue(account.channel_id)
        # The regular poll of Jean waits for its moment, four minutes from now.
        account._enqueue({account.id: 240})
        Push = self.env["of.google.push"].with_context(of_google_queue_job=True)
        for _notification in range(5):
            self.assertTrue(
                Push._receive(account.channel_id, account.sudo().channel_token, "exists")
            )
        jobs = self.env["queue.job"].search(
            [("identity_key", "=", identity_key(self.jean.id)), ("state", "=", "pending")]
        )
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.channel, CHANNEL)
        self.assertFalse(jobs.eta, "the notification brought the poll forward")

    def test_the_job_syncs_and_retries_what_quotas_left(self):
        self.env["ir.config_parameter"].set_param("openfire_google_calendar.quota_per_user", "100")
        for index in range(120):
            self.make_rdv(
                name="RDV %d" % index, date=datetime(2026, 3, 2, 6, 0) + timedelta(hours=index)
            )
        retry = self.job_error(self.jean)  # 90 calls: one batch, the rest later
        self.assertTrue(retry and retry.ignore_retry and retry.seconds >= 30, retry)
        self.assertEqual(len(self.events()), 50)
        self.env["ir.config_parameter"].set_param("openfire_google_calendar.quota_per_user", "600")
        self.env.cr.execute("DELETE FROM of_google_quota_use")
        self.assertIsNone(self.job_error(self.jean))
        self.assertEqual(len(self.events()), 120)

    def test_technicians_without_login_get_a_job_each(self):
        """A technician synced by Workspace delegation has no user:
        his job is his account's, and it syncs his calendar."""
        key = make_service_account(self.emulator, domain="acme.fr")
        set_param = self.env["ir.config_parameter"].sudo().set_param
        set_param(service_account.KEY_PARAM, json.dumps(key))
        set_param(service_account.DOMAIN_PARAM, "acme.fr")
        set_param(service_account.MODE_PARAM, "delegated")
        self.emulator.add_account("marc@acme.fr")
        marc = self.env["hr.employee"].create({"name": "Marc", "work_email": "marc@acme.fr"})
        self.make_rdv(employees=marc, name="Chez Marc")
        Account = self.env["of.google.account"]
        with trap_jobs() as trap:
            self.assertEqual(Account._cron_sync_all(), 3)
            trap.assert_jobs_count(2, only=Account._job_sync_user)
            trap.assert_jobs_count(1, only=Account._job_sync_account)
            account = Account.sudo().search([("employee_id", "=", marc.id)])
            trap.assert_enqueued_job(Account._job_sync_account, args=(account.id,))
            trap.perform_enqueued_jobs()
        self.assertEqual(
            [
                event["summary"]
                for event in self.emulator.phone("marc@acme.fr").list_events(account.calendar_id)
            ],
            ["Chez Marc"],
        )

    def test_a_429_holds_the_user_and_the_job_comes_back_when_google_said(self):
        for index in range(5):
            self.make_rdv(name="RDV %d" % index, date=datetime(2026, 3, 2, 6 + index, 0))
        self.emulator.set_rate_limits(per_user=3, status=429, retry_after=True)
        retry = self.job_error(self.jean)
        self.assertTrue(retry and retry.ignore_retry, "not a failed try: %s" % retry)
        self.assertTrue(55 <= retry.seconds <= 72, "Retry-After ~60: %s" % retry.seconds)
        # A job of Jean's during the hold (a notification, say) sends nothing.
        self.emulator.clear_log()
        again = self.job_error(self.jean)
        self.assertTrue(again and again.seconds <= retry.seconds, again)
        self.assertEqual(self.emulator.request_log, [])
        self.assertEqual(len(self.events()), 1)
        # Then Google's window moved and the hold ended: the job finishes.
        self.env.cr.execute("UPDATE of_google_not_before SET until = until - interval '2 min'")
        self.emulator.advance_clock(61)
        self.emulator.set_rate_limits(per_user=600, status=403, retry_after=False)
        self.assertIsNone(self.job_error(self.jean))
        self.assertEqual(len(self.events()), 5)

    def test_google_errors_are_retried_with_the_pattern(self):
        self.make_rdv()
        self.emulator.set_faults(rate=1.0, kinds=("503",), targets=("request",))
        retry = self.job_error(self.jean)
        self.emulator.set_faults(rate=0)
        self.assertTrue(retry and not retry.ignore_retry, "a try that counts: %s" % retry)
        function = self.env.ref("openfire_google_calendar_queue_job.job_function_sync_user")
        self.assertEqual(function.channel_id.complete_name, CHANNEL)
        with trap_jobs() as trap:
            self.jean_account._enqueue()
        (job,) = trap.enqueued_jobs
        waits = []
        for tries in (1, 2, 3, 6, 10):
            job.retry = tries
            waits.append(job._get_retry_seconds())
        self.assertEqual(waits, [30, 30, 60, 300, 900], "backoff: 30 s, 1 min, 5, 15")
        self.assertIsNone(self.job_error(self.jean))
        self.assertEqual(len(self.events()), 1)

    def test_the_outcome_decides_the_retry_not_its_words(self):
        """Google's daily quota (403 quotaExceeded) is a try the pattern retries;
        a refusal that would fail the same way again (404: the calendar the
        user chose is gone, he must choose again) ends the job."""
        self.make_rdv()
        self.addCleanup(self.emulator.set_quota, "jean@example.com", None)
        self.emulator.set_quota("jean@example.com", 0)
        retry = self.job_error(self.jean)
        self.assertTrue(retry and not retry.ignore_retry, "a try that counts: %s" % retry)
        self.assertIsNone(retry.seconds, "Google said not when: the retry pattern's")
        self.emulator.set_quota("jean@example.com", None)
        self.assertIsNone(self.job_error(self.jean))
        self.jean_account.write(
            {"calendar_id": "gone@group.calendar.google.com", "calendar_name": "Chantiers"}
        )
        self.assertEqual(self.Account._job_sync_user(self.jean.id), "error")
        self.assertEqual(self.jean_account.last_error_kind, "refused")

    def test_each_job_function_is_declared_with_its_retries_and_action(self):
        Function = self.env["queue.job.function"]
        for method in ("_job_sync_user", "_job_sync_account"):
            config = Function.job_config(Function.job_function_name("of.google.account", method))
            self.assertTrue(config.job_function_id, "declared: %s" % method)
            self.assertEqual(config.channel, CHANNEL, method)
            self.assertEqual(config.retry_pattern, {1: 30, 3: 60, 6: 300, 10: 900}, method)
            self.assertEqual(config.related_action_func_name, "related_action_of_google_sync")
        # The job's "Related" button opens the person the sync is for.
        self.jean_account._enqueue()
        job = self.env["queue.job"].search([("identity_key", "=", identity_key(self.jean.id))])
        action = job.open_related_action()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.users", self.jean.id))


@tagged("post_install", "-at_install")
class TestJobTransaction(TransactionCase):
    """Outside Odoo's HTTP test mode sessions take real connections, as in a server.
    queue_job's controller runs a job in a transaction holding the job's row lock
    (Job.lock): the job's session must not take that for a caller that wrote (found
    by bench/fleet_sync.py against a real job runner: every job failed)."""

    def test_a_job_holding_its_row_lock_still_syncs(self):
        user = self.env.ref("base.user_admin")
        Account = self.env["of.google.account"]
        job = Account.with_delay(identity_key=identity_key(user.id))._job_sync_user(user.id)
        self.env.cr.execute("SELECT id FROM queue_job WHERE uuid = %s FOR UPDATE", [job.uuid])
        self.env.cr.execute("SELECT txid_current_if_assigned()")
        self.assertIsNotNone(self.env.cr.fetchone()[0], "the job's transaction holds its lock")
        dbname = self.env.cr.dbname
        with closing(sql_db.db_connect(dbname).cursor()) as admin:
            admin.execute("SELECT id FROM of_google_account WHERE user_id = %s", [user.id])
            existed = admin.fetchone()
        try:
            status = Account._job_sync_user(user.id)
        finally:
            if not existed:  # the session made the account row, committed
                with closing(sql_db.db_connect(dbname).cursor()) as admin:
                    admin.execute("DELETE FROM of_google_account WHERE user_id = %s", [user.id])
                    admin.commit()  # pylint: disable=invalid-commit
        self.assertEqual(status, "need_auth", "the session ran: this user never connected")
