# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""With queue_job: the cron enqueues a job per user (and per technician
without a login), a burst of notifications is one job (identity key), and the
job retries what Google's quotas left."""

import json
from datetime import datetime, timedelta

from odoo.tests import tagged

from odoo.addons.openfire_google_calendar.services import service_account
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

    def test_without_the_runner_the_cron_syncs_itself(self):
        self.make_rdv()
        Account = self.env["of.google.account"].with_context(of_google_queue_job=False)
        with trap_jobs() as trap:
            Account._cron_sync_all()
            trap.assert_jobs_count(0)
        self.assertEqual(len(self.events()), 1)

    def test_the_cron_enqueues_one_job_per_user_on_the_channel(self):
        Account = self.env["of.google.account"]
        self.emulator.clear_log()
        with trap_jobs() as trap:
            self.assertEqual(Account._cron_sync_all(), 2)
            trap.assert_jobs_count(2, only=Account._job_sync_user)
            for user in (self.jean, self.sophie):
                trap.assert_enqueued_job(
                    Account._job_sync_user,
                    args=(user.id,),
                    properties={"channel": CHANNEL, "identity_key": identity_key(user.id)},
                )
        self.assertEqual(self.emulator.http_round_trips(), 0, "nothing synced in the cron")

    def test_a_burst_of_notifications_is_one_job(self):
        self.env["ir.config_parameter"].set_param(
            "openfire_google_calendar.push_base_url", self.base_url()
        )
        self.sync()
        self.sync()  # the channel opens from the second sync on
        self.emulator.wait_for_push()  # its "sync" message, before this test uses the cursor
        account = self.jean_account
        self.assertTrue(account.channel_id)
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

    def test_the_job_syncs_and_retries_what_quotas_left(self):
        Account = self.env["of.google.account"]
        self.env["ir.config_parameter"].set_param("openfire_google_calendar.quota_per_user", "100")
        self.env.cr.execute("DELETE FROM of_google_quota_use")
        for index in range(120):
            self.make_rdv(
                name="RDV %d" % index, date=datetime(2026, 3, 2, 6, 0) + timedelta(hours=index)
            )
        # Not assertRaises: its savepoint would undo what the sync committed in
        # the cursor it shares with the test.
        try:
            Account._job_sync_user(self.jean.id)  # 90 calls: one batch, the rest later
        except RetryableJobError as exc:
            retry = exc
        else:
            retry = None
        self.assertTrue(retry and retry.ignore_retry and retry.seconds >= 30, retry)
        self.assertEqual(len(self.events()), 50)
        self.env["ir.config_parameter"].set_param("openfire_google_calendar.quota_per_user", "600")
        self.env.cr.execute("DELETE FROM of_google_quota_use")
        self.assertEqual(Account._job_sync_user(self.jean.id), "no_new_event_from_google")
        self.assertEqual(len(self.events()), 120)

    def test_technicians_without_login_get_a_job_each(self):
        """Issue 12: a technician synced by Workspace delegation has no user:
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
