# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A job left started by a worker that died is requeued; one whose worker still
runs it is not, however long it has run. The worker is a real process holding a
real PostgreSQL connection, killed with SIGKILL as prefork kills a worker."""

import json
import logging
import subprocess
import sys
import time
from contextlib import closing, contextmanager

from odoo import SUPERUSER_ID, api, sql_db
from odoo.tests import TransactionCase, tagged

from ..models.of_google_account import identity_key
from ..services import dead_jobs

# A stand-in for the worker running the job: it takes the job's lock in an open
# transaction, as queue_job's controller runs the job, says so and waits.
WORKER = """
import json, sys, time
import psycopg2
connection = psycopg2.connect(**json.loads(sys.argv[1]))
cursor = connection.cursor()
cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [int(sys.argv[2]), int(sys.argv[3])])
print("running", flush=True)
time.sleep(600)
"""


@contextmanager
def requeue_warnings():
    """The sweep's warnings (one per job it requeues or fails, as an administrator
    reads them in the log) collected for the test instead of its log, which must
    hold no warning about our addons."""
    logger = logging.getLogger(dead_jobs.__name__)
    records = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = records.append
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


@tagged("post_install", "-at_install")
class TestDeadJobs(TransactionCase):
    def setUp(self):
        super().setUp()
        self.user = self.env.ref("base.user_admin")
        self.Account = self.env["of.google.account"]

    def job(self, state="started", seconds_ago=300, retry=0, user=None):
        """One of the connector's jobs, left in ``state`` since ``seconds_ago``."""
        user = user or self.user
        delayed = self.Account.with_delay(identity_key=identity_key(user.id))._job_sync_user(
            user.id
        )
        record = self.env["queue.job"].search([("uuid", "=", delayed.uuid)])
        self.mark(record, state, seconds_ago, retry)
        return record

    def mark(self, record, state, seconds_ago=300, retry=0):
        """As queue_job's runner and controller leave a job they handed to a worker."""
        record.flush_recordset()
        self.env.cr.execute(
            """
            UPDATE queue_job
               SET state = %s, retry = %s, worker_pid = 4242,
                   date_enqueued = (now() AT TIME ZONE 'UTC') - make_interval(secs => %s + 1),
                   date_started = CASE WHEN %s = 'started'
                       THEN (now() AT TIME ZONE 'UTC') - make_interval(secs => %s) END
             WHERE id = %s
            """,
            [state, retry, seconds_ago, state, seconds_ago, record.id],
        )
        record.invalidate_recordset()

    def worker(self, record):
        """A process running ``record``: it holds the job's lock until it ends."""
        _db, params = sql_db.connection_info_for(self.env.cr.dbname)
        proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                WORKER,
                json.dumps(params),
                str(dead_jobs.JOB_LOCK),
                str(record.id),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(proc.wait, 30)
        self.addCleanup(proc.kill)
        self.assertEqual(proc.stdout.readline().strip(), "running")
        return proc

    def lock_free(self, record, seconds=20):
        """Whether PostgreSQL released the job's lock within ``seconds`` (the
        backend of a killed client ends when it reads the closed socket)."""
        deadline = time.monotonic() + seconds
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            while time.monotonic() < deadline:
                other.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                    "AND classid = %s AND objid = %s AND granted",
                    [dead_jobs.JOB_LOCK, record.id],
                )
                if not other.fetchone()[0]:
                    return True
                other.rollback()
                time.sleep(0.1)
        return False

    def requeue(self):
        """dead_jobs.requeue, which warns once per job it takes."""
        with requeue_warnings() as warnings:
            result = dead_jobs.requeue(self.env)
        self.assertEqual(len(warnings), len(result), [w.getMessage() for w in warnings])
        return result

    def test_a_job_whose_worker_died_is_requeued(self):
        record = self.job()
        self.assertEqual(self.requeue(), {record.id: "pending"})
        self.assertEqual(record.state, "pending")
        self.assertEqual(record.retry, 1, "the dead run was a try")
        self.assertFalse(record.date_started)
        self.assertFalse(record.worker_pid)
        self.assertIn("4242", record.result)
        self.assertIn("runs again from the start", record.result)
        self.assertEqual(record.identity_key, identity_key(self.user.id))
        self.assertEqual(self.requeue(), {}, "once")

    def test_a_job_still_running_is_left_alone_until_its_worker_is_killed(self):
        record = self.job(seconds_ago=3600)  # a sync that runs for an hour
        proc = self.worker(record)
        self.assertEqual(self.requeue(), {}, "its worker holds it")
        self.assertEqual(record.state, "started")
        self.assertEqual(record.retry, 0)
        proc.kill()  # SIGKILL, as prefork kills a worker
        proc.wait(30)
        self.assertTrue(self.lock_free(record), "PostgreSQL releases a dead client's locks")
        self.assertEqual(self.requeue(), {record.id: "pending"})
        self.assertEqual(record.state, "pending")

    def test_a_job_just_started_is_not_judged_yet(self):
        """Between queue_job committing it started and the job taking its lock."""
        record = self.job(seconds_ago=2)
        self.assertEqual(self.requeue(), {})
        self.assertEqual(record.state, "started")

    def test_an_enqueued_job_no_worker_took_is_requeued_without_a_try(self):
        record = self.job(state="enqueued", retry=2)
        self.assertEqual(self.requeue(), {record.id: "pending"})
        self.assertEqual((record.state, record.retry), ("pending", 2))
        self.assertFalse(record.date_enqueued)
        self.assertIn("no worker took", record.result)

    def test_a_job_that_kills_its_worker_every_time_ends_failed(self):
        record = self.job()
        self.mark(record, "started", retry=record.max_retries - 1)
        self.assertEqual(self.requeue(), {record.id: "failed"})
        self.assertEqual(record.state, "failed")
        self.assertEqual(record.exc_name, dead_jobs.DEAD)
        self.assertIn("4242", record.exc_info)

    def test_other_jobs_are_queue_jobs_business(self):
        other = self.env["queue.job"].with_delay()._test_job()
        record = self.env["queue.job"].search([("uuid", "=", other.uuid)])
        self.mark(record, "started")
        ours = self.job()
        self.assertEqual(self.requeue(), {ours.id: "pending"})
        self.assertEqual(record.state, "started")

    def test_the_job_holds_its_lock_while_it_runs(self):
        """The job's transaction holds the lock: another connection cannot take it,
        so the sweeper of another worker or server sees the job alive."""
        record = self.job()
        existed = self.Account.sudo().search([("user_id", "=", self.user.id)])
        if not existed:  # the session makes the account row of a user who never connected
            self.addCleanup(self.delete_account, self.user)
        self.Account.with_context(job_uuid=record.uuid)._job_sync_user(self.user.id)
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            other.execute(
                "SELECT pg_try_advisory_xact_lock(%s, %s)", [dead_jobs.JOB_LOCK, record.id]
            )
            self.assertFalse(other.fetchone()[0], "held by the job's transaction")

    def delete_account(self, user):
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as admin:
            admin.execute("DELETE FROM of_google_account WHERE user_id = %s", [user.id])
            admin.commit()  # pylint: disable=invalid-commit


@tagged("post_install", "-at_install")
class TestDeadJobsCron(TransactionCase):
    """The scheduled action requeues the dead jobs first, in a transaction of its
    own that it commits, so the job runner sees them pending at once."""

    def test_the_scheduled_action_requeues_dead_jobs(self):
        registry = self.env.registry
        user = self.env.ref("base.user_admin")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            job = env["of.google.account"].with_delay()._job_sync_user(user.id)
            cr.execute(
                "UPDATE queue_job SET state = 'started', worker_pid = 4242, "
                "date_started = (now() AT TIME ZONE 'UTC') - interval '5 minutes' "
                "WHERE uuid = %s",
                [job.uuid],
            )
        self.addCleanup(self.delete_job, job.uuid)
        Account = self.env["of.google.account"].with_context(of_google_queue_job=True)
        with requeue_warnings() as warnings:
            Account._cron_sync_all()
        self.assertEqual(len(warnings), 1)
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            other.execute("SELECT state, retry FROM queue_job WHERE uuid = %s", [job.uuid])
            self.assertEqual(other.fetchone(), ("pending", 1))

    def delete_job(self, uuid):
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as admin:
            admin.execute("DELETE FROM queue_job WHERE uuid = %s", [uuid])
            admin.commit()  # pylint: disable=invalid-commit
