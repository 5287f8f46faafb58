# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The scheduled action: every connected user, one session each."""

import logging
import time

from odoo.tools import config

from . import quota
from .sync_runner import run_sync

_logger = logging.getLogger(__name__)
CRON_XMLID = "openfire_google_calendar.ir_cron_of_google_sync"


def cron_budget():
    """Seconds a cron run may spend starting syncs: half the real-time limit
    Odoo puts on cron jobs (limit_time_real_cron, else limit_time_real), so the
    last user's sync ends well before the watchdog."""
    limit = config.get("limit_time_real_cron") or -1
    if limit <= 0:
        limit = config.get("limit_time_real") or 0
    return limit / 2.0 if limit > 0 else 300.0


def poll_interval(env):
    """Seconds between two regular polls of a user: the scheduled action's
    interval (10 minutes as shipped)."""
    cron = env.ref(CRON_XMLID, raise_if_not_found=False)
    if not cron:
        return 600.0
    cron = cron.sudo()
    seconds = {"minutes": 60, "hours": 3600, "days": 86400, "weeks": 604800}
    return float(cron.interval_number * seconds.get(cron.interval_type, 2592000))


def sync_all(env, time_budget=None):
    """Every connected user, each in his own session (cursor, lock and
    commits): one failing user never stops the others. Users Google notified
    of a change come first; users Google's rate limits hold are skipped.
    When the budget is spent, the cron is triggered again at once for the
    others. Returns how many users were synced."""
    if env["ir.config_parameter"].sudo().get_param("google_calendar_sync_paused"):
        _logger.info("Google Calendar cron: synchronization paused")
        return 0
    budget = cron_budget() if time_budget is None else time_budget
    started = time.monotonic()
    accounts = (
        env["of.google.account"]
        .sudo()
        .search(
            [("state", "=", "connected"), ("sync_stopped", "=", False)],
            order="last_sync asc nulls first, id",
        )
    )
    notified = set(env["of.google.push"].sudo()._notified_accounts())
    # Accounts Google's rate limits hold are left alone until then: the hold
    # woke the cron for that moment (services/sync_runner.py).
    held = quota.held(env, accounts.ids)
    user_ids = [
        account.user_id.id
        for account in accounts.sorted(lambda account: account.id not in notified)
        if account.id not in held
    ]
    done = 0
    for user_id in user_ids:
        if done and time.monotonic() - started > budget:
            _logger.info(
                "Google Calendar cron: time budget spent, %d of %d users synced",
                done,
                len(user_ids),
            )
            env.ref(CRON_XMLID).sudo()._trigger()
            break
        try:
            result = run_sync(env, user_id)
            _logger.info("Google Calendar sync of user %s: %s", user_id, result.get("status"))
        except Exception:  # pylint: disable=broad-except
            _logger.exception("Google Calendar sync of user %s failed", user_id)
        done += 1
    return done
