# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import math
from datetime import timedelta

from psycopg2.errors import SerializationFailure

from odoo import api, fields, models
from odoo.tools import config

from odoo.addons.openfire_google_calendar.services import (
    quota,
    sync_cron,
    technician_accounts,
)
from odoo.addons.openfire_google_calendar.services.sync_runner import run_sync
from odoo.addons.queue_job.exception import RetryableJobError

from ..services import dead_jobs

_logger = logging.getLogger(__name__)
CHANNEL = "root.google_calendar"


def identity_key(user_id):
    """One job per user at a time: a burst of push notifications is one sync."""
    return "openfire_google_calendar.sync_user:%d" % user_id


def account_identity_key(account_id):
    """The same for a technician without a login (his account's job)."""
    return "openfire_google_calendar.sync_account:%d" % account_id


def uses_queue(env):
    """True when jobs run: queue_job's runner starts only with the server-wide
    module (--load=web,queue_job). Installed without it, jobs would wait
    forever, so the connector's own cron goes on syncing. The context key
    of_google_queue_job forces either way (tests)."""
    forced = env.context.get("of_google_queue_job")
    if forced is not None:
        return bool(forced)
    return "queue_job" in config["server_wide_modules"]


class OfGoogleAccount(models.Model):
    _inherit = "of.google.account"

    def _enqueue(self, delays=None):
        """A job per account on the connector's channel: a user's by user, a
        technician's without a login by account; an account whose job waits
        already gets no second one (identity key). ``delays`` ({account id:
        seconds}) is when a job may start: a regular poll spread over the
        interval, or the end of a hold of Google's rate limits. An account
        without one has work now (a notification, deferred writes): its job
        starts as soon as a worker is free, and a poll of its that waits for
        later is brought forward."""
        delays = delays or {}
        model = self.browse()  # a job's recordset is the model, as _cron_sync_all's
        now_keys = []
        for account in self:
            delay = delays.get(account.id)
            eta = int(math.ceil(delay)) if delay else None
            if account.user_id:
                key = identity_key(account.user_id.id)
                model.with_delay(
                    channel=CHANNEL,
                    identity_key=key,
                    eta=eta,
                    description="Google Calendar sync of user %d" % account.user_id.id,
                )._job_sync_user(account.user_id.id)
            else:
                key = account_identity_key(account.id)
                model.with_delay(
                    channel=CHANNEL,
                    identity_key=key,
                    eta=eta,
                    description="Google Calendar sync of technician account %d" % account.id,
                )._job_sync_account(account.id)
            if not delay:
                now_keys.append(key)
        if now_keys:
            self._bring_forward(now_keys)

    def _bring_forward(self, keys):
        """Clear the eta of the pending jobs of ``keys`` that wait for later.
        The job runner updates the same rows (it enqueues, it starts them):
        a row it holds is skipped, and a row it changed since this
        transaction began is left as it is (a serialization failure caught in
        a savepoint), since a job the runner took needs no bringing forward
        and one still waiting runs at its eta anyway; the cron that called
        goes on instead of failing with its whole batch of enqueues."""
        self.env["queue.job"].flush_model()
        try:
            with self.env.cr.savepoint():
                self.env.cr.execute(
                    """
                    UPDATE queue_job SET eta = NULL
                     WHERE id IN (
                        SELECT id FROM queue_job
                         WHERE identity_key = ANY(%s) AND state = 'pending'
                           AND eta > (now() AT TIME ZONE 'UTC')
                           FOR UPDATE SKIP LOCKED)
                    """,
                    [list(keys)],
                )
        except SerializationFailure:
            _logger.info("Google Calendar: the job runner moved a job being brought forward")
        self.env["queue.job"].invalidate_model(["eta"])

    @api.model
    def _cron_sync_all(self, time_budget=None):
        """With queue_job the cron syncs nobody itself: it enqueues every
        connected user, and the job runner syncs them in parallel, on every
        worker and server, as the channel's capacity allows. Users with work
        waiting (notified, woken, never synced) start now; the others are
        polled when their last sync is more than half an interval old, at
        moments spread over the first half of the cron's interval (jitter;
        parameter poll_spread_seconds), so that many workers do not reach
        Google for every user in the same second; users Google's rate limits
        hold start when the hold ends. Returns how many accounts were enqueued.

        It first requeues the connector's jobs whose worker died
        (services/dead_jobs.py), in a transaction of its own committed at
        once: the runner gets them back now, and their rows are locked for
        milliseconds, not for the whole run."""
        if not uses_queue(self.env):
            return super()._cron_sync_all(time_budget)
        self._requeue_dead_jobs()
        if self.env["ir.config_parameter"].sudo().get_param("google_calendar_sync_paused"):
            return 0
        technician_accounts.refresh_accounts(self.env)
        accounts = self.sudo().search(sync_cron.syncable_domain())
        notified = set(self.env["of.google.push"].sudo()._notified_accounts())
        held = quota.held(self.env, accounts.ids)
        now = fields.Datetime.now()
        interval = sync_cron.poll_interval(self.env)
        # A run woken for some accounts (a notification, deferred work) does not
        # poll again those a sync saw less than half an interval ago.
        due = now - timedelta(seconds=interval * quota.POLL_DUE)
        now_accounts, polled, delays = self.browse(), self.browse(), {}
        for account in accounts:
            if account.id in held:
                delays[account.id] = max(1.0, (held[account.id] - now).total_seconds())
                now_accounts |= account
            elif account.id in notified or not account.last_sync:  # work waiting, a first sync
                now_accounts |= account
            elif account.last_sync <= due:  # a regular poll
                polled |= account
        delays.update(quota.poll_delays(polled.ids, quota.poll_spread(self.env, interval)))
        (now_accounts | polled)._enqueue(delays)
        return len(now_accounts | polled)

    @api.model
    def _requeue_dead_jobs(self):
        """Requeue the connector's dead jobs in a transaction of its own;
        returns {job id: new state}."""
        with self.env.registry.cursor() as cr:
            return dead_jobs.requeue(self.env(cr=cr, su=True))

    @api.model
    def _job_sync_account(self, account_id):
        """The job of a technician without a login (see _job_sync_user)."""
        return self._job_run(account_id=account_id)

    @api.model
    def _job_sync_user(self, user_id):
        """The job: one session of the user (services/sync_runner.py). What
        it could not finish (quotas, a hold of Google's rate limits, another
        session of the user running) comes back when the session says, and
        does not count as a failed try; Google's transient errors are retried
        with the job function's retry pattern."""
        return self._job_run(user_id=user_id)

    @api.model
    def _job_run(self, user_id=None, account_id=None):
        """Run the session; raise RetryableJobError when its outcome says the
        same sync may do later what it could not now (services/sync_outcome.py).
        Work left for later (Google's quotas or its hold, another session of
        the account) comes back when the session says, and is no failed try;
        a failure Google may get over (5xx, timeouts, its daily quota) is a
        try, retried by the job function's retry pattern unless Google said
        when. Returns the outcome's status."""
        whom = "user %d" % user_id if user_id else "technician account %d" % account_id
        # While the job runs, its lock says so: a sweeper tells it from a job
        # whose worker died (services/dead_jobs.py).
        dead_jobs.hold(self.env)
        # queue_job's controller runs the job in a transaction that holds the
        # job's row lock (Job.lock), so the session would refuse it as a
        # caller that wrote: the session is entered from a clean cursor of
        # its own, which holds nothing the sync could wait for.
        self.env.flush_all()  # what the job's transaction changed is what the session reads
        with self.env.registry.cursor() as cr:
            if user_id:
                outcome = run_sync(self.env(cr=cr), user_id, share=quota.RUN_SHARE)
            else:
                outcome = run_sync(self.env(cr=cr), account_id=account_id, share=quota.RUN_SHARE)
        self.env.invalidate_all()  # the job's cache predates what the session wrote
        if outcome.transient:
            wait = outcome.wait or (quota.wait_seconds() if outcome.deferred else None)
            raise RetryableJobError(
                "Google Calendar sync of %s: %s" % (whom, outcome.message or outcome.status.value),
                seconds=max(1, int(math.ceil(wait))) if wait else None,
                ignore_retry=outcome.deferred,
            )
        return outcome.status.value
