# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The scheduled action: every connected user, and every technician without
a connection of his own (services/technician_accounts.py), one session each."""

import logging
import time

from odoo.tools import config

from . import quota, technician_accounts
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


def syncable_domain():
    """The accounts a cron run syncs (itself, or through queue_job's jobs):
    the connected ones, and the technicians' accounts Google refused, whose
    session tries the delegation or the sharing again (it may have been
    granted since); none an administrator stopped."""
    return [
        ("sync_stopped", "=", False),
        "|",
        ("state", "=", "connected"),
        "&",
        ("state", "=", "revoked"),
        ("kind", "in", technician_accounts.EMPLOYEE_KINDS),
    ]


def sync_all(env, time_budget=None):
    """Every connected user and technician, each in his own session (cursor,
    lock and commits): one failing account never stops the others. Accounts
    Google notified of a change come first; accounts Google's rate limits
    hold are skipped. When the budget is spent, the cron is triggered again
    at once for the others. Returns how many accounts were synced."""
    if env["ir.config_parameter"].sudo().get_param("google_calendar_sync_paused"):
        _logger.info("Google Calendar cron: synchronization paused")
        return 0
    budget = cron_budget() if time_budget is None else time_budget
    started = time.monotonic()
    # The technicians' accounts made to match the settings, committed before
    # any session starts (a session refuses a caller that wrote).
    env.flush_all()  # what the caller wrote is what the accounts are made from
    with env.registry.cursor() as cursor:
        technician_accounts.refresh_accounts(env(cr=cursor))
    env.invalidate_all()
    accounts = (
        env["of.google.account"]
        .sudo()
        .search(
            syncable_domain(),
            order="last_sync asc nulls first, id",
        )
    )
    notified = set(env["of.google.push"].sudo()._notified_accounts())
    # Accounts Google's rate limits hold are left alone until then: the hold
    # woke the cron for that moment (services/sync_runner.py).
    held = quota.held(env, accounts.ids)
    todo = [
        (account.user_id.id, account.id)
        for account in accounts.sorted(lambda account: account.id not in notified)
        if account.id not in held
    ]
    done = 0
    for user_id, account_id in todo:
        if done and time.monotonic() - started > budget:
            _logger.info(
                "Google Calendar cron: time budget spent, %d of %d accounts synced",
                done,
                len(todo),
            )
            env.ref(CRON_XMLID).sudo()._trigger()
            break
        whom = "user %s" % user_id if user_id else "technician account %s" % account_id
        try:
            if user_id:
                outcome = run_sync(env, user_id)
            else:
                outcome = run_sync(env, account_id=account_id)
            _logger.info("Google Calendar sync of %s: %s", whom, outcome.status.value)
        except Exception:  # pylint: disable=broad-except
            _logger.exception("Google Calendar sync of %s failed", whom)
        done += 1
    return done
