# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
import math

from odoo import api, fields, models
from odoo.tools import config

from odoo.addons.openfire_google_calendar.services import quota, sync_cron
from odoo.addons.openfire_google_calendar.services.sync_runner import run_sync
from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)
CHANNEL = "root.google_calendar"
# Errors Google may get over (5xx, network): retried with the job function's
# retry pattern. Google's rate limits never get here: the session holds the
# account and answers "in_background" with the seconds to wait.
TRANSIENT_MARKS = (
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "quotaExceeded",
    " 429 ",
    " 500 ",
    " 502 ",
    " 503 ",
    " 504 ",
    "backendError",
    "network",
)


def identity_key(user_id):
    """One job per user at a time: a burst of push notifications is one sync."""
    return "openfire_google_calendar.sync_user:%d" % user_id


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

    @api.model
    def _enqueue_sync(self, user_ids, delays=None):
        """A job per user on the connector's channel; a user whose job waits
        already gets no second one (identity key). ``delays`` ({user id:
        seconds}) is when a job may start: a regular poll spread over the
        interval, or the end of a hold of Google's rate limits. A user
        without one has work now (a notification, deferred writes): his job
        starts as soon as a worker is free, and a poll of his that waits for
        later is brought forward."""
        delays = delays or {}
        now_keys = []
        for user_id in user_ids:
            delay = delays.get(user_id)
            self.with_delay(
                channel=CHANNEL,
                identity_key=identity_key(user_id),
                eta=int(math.ceil(delay)) if delay else None,
                description="Google Calendar sync of user %d" % user_id,
            )._job_sync_user(user_id)
            if not delay:
                now_keys.append(identity_key(user_id))
        if now_keys:
            self.env["queue.job"].sudo().search(
                [
                    ("identity_key", "in", now_keys),
                    ("state", "=", "pending"),
                    ("eta", ">", fields.Datetime.now()),
                ]
            ).write({"eta": False})

    @api.model
    def _cron_sync_all(self, time_budget=None):
        """With queue_job the cron syncs nobody itself: it enqueues every
        connected user, and the job runner syncs them in parallel, on every
        worker and server, as the channel's capacity allows. Users with work
        waiting (notified, woken) start now; the others' regular polls are
        spread over the first half of the cron's interval (jitter), so that
        many workers do not reach Google for every user in the same second;
        users Google's rate limits hold start when the hold ends."""
        if not uses_queue(self.env):
            return super()._cron_sync_all(time_budget)
        if self.env["ir.config_parameter"].sudo().get_param("google_calendar_sync_paused"):
            return 0
        accounts = self.sudo().search([("state", "=", "connected"), ("sync_stopped", "=", False)])
        notified = set(self.env["of.google.push"].sudo()._notified_accounts())
        held = quota.held(self.env, accounts.ids)
        now = fields.Datetime.now()
        polled = [a.id for a in accounts if a.id not in notified and a.id not in held]
        spread = quota.poll_delays(polled, sync_cron.poll_interval(self.env))
        delays = {}
        for account in accounts:
            if account.id in held:
                delays[account.user_id.id] = max(1.0, (held[account.id] - now).total_seconds())
            elif account.id in spread:
                delays[account.user_id.id] = spread[account.id]
        self._enqueue_sync(accounts.user_id.ids, delays)
        return len(accounts)

    @api.model
    def _job_sync_user(self, user_id):
        """The job: one session of the user (services/sync_runner.py). What
        it could not finish (quotas, a hold of Google's rate limits, another
        session of the user running) comes back when the session says, and
        does not count as a failed try; Google's transient errors are retried
        with the job function's retry pattern."""
        result = run_sync(self.env, user_id, share=quota.RUN_SHARE)
        status = result.get("status")
        if status in ("in_background", "already_running"):
            wait = result.get("wait") or quota.wait_seconds()
            raise RetryableJobError(
                "Google Calendar sync of user %d: %s" % (user_id, status),
                seconds=max(1, int(math.ceil(wait))),
                ignore_retry=True,
            )
        if status == "error" and any(
            mark in " %s " % result.get("message", "") for mark in TRANSIENT_MARKS
        ):
            raise RetryableJobError(
                "Google Calendar sync of user %d: %s" % (user_id, result.get("message"))
            )
        return status
