# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The connector's jobs left running by a worker that died.

A prefork worker killed in the middle of a job (SIGKILL, the server's
limit_time_real, the host gone) leaves the job ``started`` for good: queue_job's
runner counts it among the running jobs of the channel, so the connector's
channel, whose capacity is a job or two, never runs another sync. Some queue_job
releases requeue such jobs (their runner tests the lock of ``queue_job_lock``), some
do not, and their garbage collector leaves started jobs alone unless told a delay
after which any started job is requeued, which would also requeue a long sync
still running.

The test here is sure instead: while it runs, each of the connector's jobs holds
a transaction-level advisory lock keyed by its id, in the transaction queue_job
runs it in. PostgreSQL releases that lock when the transaction ends, which is
when the job ends or when the connection of the process that ran it is gone. A
started job whose lock is free is dead, however long it has run; one whose lock
is held is running, however long it takes. Syncs are idempotent: a dead one is
simply run again from the start."""

import logging
from datetime import timedelta

from psycopg2.errors import SerializationFailure

from odoo import _, fields

from odoo.addons.queue_job.job import ENQUEUED, STARTED, Job

_logger = logging.getLogger(__name__)

JOB_LOCK = 0x0F6E  # first key of the advisory lock; the job's id is the second
MODEL = "of.google.account"
METHODS = ("_job_sync_user", "_job_sync_account")
# A job takes its lock a few milliseconds after queue_job committed it started, and
# queue_job's runner sends a job to a worker within a second of marking it enqueued:
# neither is judged before this many seconds.
GRACE_SECONDS = 30
DEAD = "JobFoundDead"


def hold(env):
    """Take the running job's lock in the transaction queue_job runs it in (the
    job is known by the ``job_uuid`` of the context queue_job calls it with);
    nothing outside a job. The lock lives as long as the transaction: the job's,
    or the dead worker's connection."""
    uuid = env.context.get("job_uuid")
    if not uuid:
        return False
    env.cr.execute("SELECT id FROM queue_job WHERE uuid = %s", [uuid])
    row = env.cr.fetchone()
    if not row:  # a job performed in memory (tests), never stored
        return False
    env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [JOB_LOCK, row[0]])
    held = env.cr.fetchone()[0]
    if not held:
        # the same job in another process too (requeued while it started):
        # the sync's own lock of the account keeps the two apart
        _logger.info("Google Calendar: job %s is already running elsewhere", uuid)
    return held


def _candidates(env, grace):
    """Ids of the connector's jobs started (or enqueued) more than ``grace``
    seconds ago, whose row nobody is writing."""
    env.cr.execute(
        """
        SELECT id, state FROM queue_job
         WHERE model_name = %(model)s AND method_name = ANY(%(methods)s)
           AND ((state = %(started)s AND date_started < %(before)s)
             OR (state = %(enqueued)s AND date_enqueued < %(before)s))
         ORDER BY id
           FOR UPDATE SKIP LOCKED
        """,
        {
            "model": MODEL,
            "methods": list(METHODS),
            "started": STARTED,
            "enqueued": ENQUEUED,
            "before": fields.Datetime.now() - timedelta(seconds=grace),
        },
    )
    return env.cr.fetchall()


def _is_dead(env, job_id):
    """The job's lock is free: no transaction runs the job. The sweeper's
    transaction keeps it until it commits, when the job is pending again."""
    env.cr.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [JOB_LOCK, job_id])
    return env.cr.fetchone()[0]


def requeue(env, grace=GRACE_SECONDS):
    """Requeue the connector's dead jobs, in ``env``'s transaction: a started one
    whose lock is free, an enqueued one that no worker took (its runner died
    before it reached one). A started one counts as a try: a job that kills its
    worker each time (its memory, the time limit) ends failed after queue_job's
    limit of tries instead of running forever. Returns {job id: new state}."""
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    done = {}
    try:
        with env.cr.savepoint():
            env["queue.job"].flush_model()
            dead = [
                (job_id, state)
                for job_id, state in _candidates(env, grace)
                if state == ENQUEUED or _is_dead(env, job_id)
            ]
            for job_id, state in dead:
                record = env["queue.job"].sudo().browse(job_id)
                job = Job.load(env, record.uuid)
                worker = job.worker_pid
                if state == STARTED:
                    job.retry += 1
                if state == ENQUEUED:
                    message = _(
                        "Requeued: no worker took this Google Calendar sync "
                        "(its job runner stopped); it runs as soon as one is free."
                    )
                    job.set_pending(result=message, reset_retry=False)
                elif job.max_retries and job.retry >= job.max_retries:
                    message = _(
                        "The worker running this Google Calendar sync (process %(pid)s) "
                        "was gone, and the job has used its %(tries)s tries: it stops here.",
                        pid=worker or "-",
                        tries=job.retry,
                    )
                    job.set_failed(exc_name=DEAD, exc_message=message, exc_info=message)
                else:
                    message = _(
                        "Requeued: the worker running this Google Calendar sync "
                        "(process %(pid)s) was gone; the sync runs again from the start.",
                        pid=worker or "-",
                    )
                    job.set_pending(result=message, reset_retry=False)
                job.store()
                done[job_id] = job.state
                _logger.warning(
                    "Google Calendar: requeued dead job %s (%s%s, was %s, worker %s): %s",
                    job.uuid,
                    job.method_name,
                    tuple(job.args),
                    state,
                    worker,
                    job.state,
                )
            env["queue.job"].flush_model()
    except SerializationFailure:
        # queue_job's own runner requeued the same job meanwhile (the releases
        # that test queue_job_lock): nothing left to do
        _logger.info("Google Calendar: a dead job was requeued by queue_job meanwhile")
        env["queue.job"].invalidate_model()
        return {}
    return done
