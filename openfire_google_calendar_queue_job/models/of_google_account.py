# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from odoo import api, models
from odoo.tools import config

from odoo.addons.openfire_google_calendar.services import quota, technician_accounts
from odoo.addons.openfire_google_calendar.services.sync_runner import run_sync
from odoo.addons.queue_job.exception import RetryableJobError

_logger = logging.getLogger(__name__)
CHANNEL = "root.google_calendar"
# Statuses after which the job is done; "in_background" and "already_running"
# come back later, and an error Google may get over (quotas, 5xx) is retried.
FINAL = (
    "need_refresh",
    "no_new_event_from_google",
    "need_auth",
    "sync_paused",
    "sync_stopped",
    "copy_detected",
    "confirm_needed",
)
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
    def _enqueue_sync(self, user_ids):
        """A job per user on the connector's channel; a user whose job waits
        already gets no second one (identity key)."""
        for user_id in user_ids:
            self.with_delay(
                channel=CHANNEL,
                identity_key=identity_key(user_id),
                description="Google Calendar sync of user %d" % user_id,
            )._job_sync_user(user_id)

    def _enqueue(self):
        """A job per account: a user's by user, a technician's without a
        login by account."""
        model = self.browse()  # a job's recordset is the model, as _cron_sync_all's
        model._enqueue_sync(self.filtered("user_id").user_id.ids)
        for account in self.filtered(lambda account: not account.user_id):
            model.with_delay(
                channel=CHANNEL,
                identity_key="openfire_google_calendar.sync_account:%d" % account.id,
                description="Google Calendar sync of technician account %d" % account.id,
            )._job_sync_account(account.id)

    @api.model
    def _cron_sync_all(self, time_budget=None):
        """With queue_job the cron syncs nobody itself: it enqueues every
        connected user, and the job runner syncs them in parallel, on every
        worker and server, as the channel's capacity allows."""
        if not uses_queue(self.env):
            return super()._cron_sync_all(time_budget)
        if self.env["ir.config_parameter"].sudo().get_param("google_calendar_sync_paused"):
            return 0
        technician_accounts.refresh_accounts(self.env)
        accounts = self.sudo().search(
            [
                ("sync_stopped", "=", False),
                "|",
                ("state", "=", "connected"),
                "&",
                ("state", "=", "revoked"),
                ("kind", "in", technician_accounts.EMPLOYEE_KINDS),
            ]
        )
        accounts._enqueue()
        return len(accounts)

    @api.model
    def _job_sync_account(self, account_id):
        """The job of a technician without a login (see _job_sync_user)."""
        result = run_sync(self.env, account_id=account_id, share=quota.RUN_SHARE)
        return _job_status(result, "technician account %d" % account_id)

    @api.model
    def _job_sync_user(self, user_id):
        """The job: one session of the user (services/sync_runner.py). What
        it could not finish is retried, after Google's quota window moved."""
        result = run_sync(self.env, user_id, share=quota.RUN_SHARE)
        return _job_status(result, "user %d" % user_id)


def _job_status(result, whom):
    """The job's end: done, or retried when it could not finish."""
    status = result.get("status")
    if status in ("in_background", "already_running"):
        raise RetryableJobError(
            "Google Calendar sync of %s: %s" % (whom, status),
            seconds=int(quota.wait_seconds()),
            ignore_retry=True,
        )
    if status == "error" and any(
        mark in " %s " % result.get("message", "") for mark in TRANSIENT_MARKS
    ):
        raise RetryableJobError("Google Calendar sync of %s: %s" % (whom, result.get("message")))
    return status
