# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A sync run: one session (services/sync_session.py) of an account, within
its share of Google's quotas. What Google's rate limits leave goes on in the
background (the cron, or a job, comes back for it); the answer is a
:class:`~.sync_outcome.SyncOutcome`."""

import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from odoo import _, fields
from odoo.exceptions import AccessError, UserError

from ..sync import NETWORK_ERRORS, Backoff, GoogleError, ReconnectNeeded, sync_calendar
from . import availability_refresh, calendar_gone, quota, settings, sync_report
from .odoo_local_side import OdooLocalSide
from .sync_outcome import ErrorKind, SyncOutcome, SyncStatus, google_error_kind
from .sync_session import GoogleAccessLost, blocked_status, open_session

_logger = logging.getLogger(__name__)
WINDOW_PARAM = "openfire_google_calendar.sync_window_days"
# A user waits for the button: at most a few seconds of pauses per Google
# call (the cron has the default, minutes); what is still refused is retried
# by the cron.
INTERACTIVE_BACKOFF = {"max_attempts": 3, "max_total": 2.0}
# Nor for Google when it does not answer: a request that takes longer fails
# at once (not retried: the pauses' budget is spent), the cron goes on.
INTERACTIVE_TIMEOUT = 8.0
# In the background, a Retry-After longer than this is not waited in the
# worker: the account is held (services/quota.py) and the worker goes on
# with other users. Exponential pauses stay below it (16 s at most).
BACKGROUND_BACKOFF = {"max_pause": 20.0}


def window_start(env, now=None):
    """The start of the sync window (aware UTC): RDVs and events that ended
    before it are not synced unless already paired (sync.actions.outside_window).
    Setting sync_window_days, 30 by default; 0 or less: no window."""
    days = settings.get(env, "sync_window_days")
    if days <= 0:
        return None
    return (now or datetime.now(timezone.utc)) - timedelta(days=days)


def run_sync(
    env, user_id=None, force=False, share=quota.RUN_SHARE, interactive=False, account_id=None
):
    """Sync one user's RDVs with his Google calendar; return its
    :class:`~.sync_outcome.SyncOutcome` (``as_dict()`` is the answer of
    /google_calendar/sync_data).

    ``force`` syncs past the empty-side guard, once the user confirmed.
    ``share``: the most Google calls this run sends (services/quota.py); what
    is left over ("in_background", with ``done`` and ``todo``) is synced by
    the cron, triggered for when the quotas allow it. ``interactive``: a user
    waits (the button): Google's transient errors get a short retry budget,
    and what they leave to retry goes to the cron, woken now. ``account_id``
    instead of ``user_id``: that account (an employee's)."""
    try:
        with open_session(env, user_id, account_id=account_id) as session:
            if session is None:
                return SyncOutcome.already_running()
            account = session.account
            blocked = blocked_status(account)
            if blocked:
                return blocked
            if not account._is_connected():
                return SyncOutcome(SyncStatus.NEED_AUTH, message=account.last_error or "")
            if session.held_until:  # Google asked to wait: no call before then, on any worker
                return _held(account, session.held_until)
            seen = session.last_push
            outcome = _sync_account(session, force, share, interactive)
            if outcome.status not in (SyncStatus.ERROR, SyncStatus.NEED_AUTH):
                # The listing covered every change Google notified until now;
                # a notification that came in since stays for the next sync.
                account.env["of.google.push"]._forget_until(account, seen)
            return outcome
    except GoogleAccessLost as exc:
        return SyncOutcome(SyncStatus.NEED_AUTH, message=str(exc), error_kind=ErrorKind.ACCESS)


def _held(account, until):
    """The answer for an account Google's rate limits hold until ``until``
    (naive UTC): nothing sent, nothing written. The cron was woken for then
    when the hold was taken (:func:`_hold`); a job retries then."""
    wait = max(0.0, (until - fields.Datetime.now()).total_seconds())
    return _in_background(account, wait=wait)


def _in_background(account, done=0, todo=None, wait=None, base=None):
    """What is left of this sync goes on in the background (the cron, or a
    job, comes back for it). ``todo`` None: Google's limits stopped it before
    it did anything; else what it did (``base``, ``done``) and left."""
    # _() reads the user's language from a local named context
    context = account.env.context  # noqa: F841  pylint: disable=unused-variable
    if todo is None:
        message = _("Google's limits are reached for now: the sync goes on in the background.")
    else:
        message = _(
            "%(done)s changes synced, %(todo)s more are being synced in the "
            "background (Google's limits: about 600 changes per minute).",
            done=done,
            todo=todo,
        )
    return SyncOutcome.in_background(message, done=done, todo=todo, wait=wait, base=base)


def _google_failure(account, error):
    """Google refused the sync as a whole (not for its rate limits, see
    :func:`_hold`): the error and its kind are stored on the account."""
    # _() reads the user's language from a local named context
    context = account.env.context  # noqa: F841  pylint: disable=unused-variable
    kind = google_error_kind(error.status, error.reason)
    if kind is ErrorKind.UNAVAILABLE:
        message = _(
            "Google Calendar cannot be reached for now (%s): the sync goes on by itself "
            "once Google answers again.",
            error.message if error.status is None else error,
        )
    else:
        message = _("Google Calendar answered: %s", error)
    account.write({"last_error": message, "last_error_kind": kind.value})
    return SyncOutcome.failed(message, error_kind=kind, wait=error.retry_after)


def _hold(account, client, error=None):
    """Google's rate limits refused this sync's calls after its retries (or
    asked for a longer pause than a worker waits): the account is held until
    Retry-After, for every worker and server. Returns the seconds to wait,
    or None when Google did not refuse for its rate limits."""
    if error is not None and error.rate_limited:
        retry_after = error.retry_after or (client.rate_limited if client else None)
    elif client is not None and client.rate_limited is not None:
        retry_after = client.rate_limited
    else:
        return None
    until = quota.hold(account.env, account.id, retry_after)
    _logger.info(
        "Google Calendar: account %s held until %s (rate limits, Retry-After %s)",
        account.id,
        until,
        retry_after,
    )
    account.env["of.google.push"]._wake(account, at=until)
    return max(0.0, (until - fields.Datetime.now()).total_seconds())


def _trigger_later(account):
    """The cron comes back for this account's deferred work once the quota
    window has moved (jittered: workers and servers do not all come at once)."""
    account.env["of.google.push"]._wake(
        account, at=fields.Datetime.now() + timedelta(seconds=quota.wait_seconds())
    )
    account.env.cr.commit()  # pylint: disable=invalid-commit


def _wake_cron(account):
    """The cron syncs this account next, now."""
    account.env["of.google.push"]._wake(account)
    account.env.cr.commit()  # pylint: disable=invalid-commit


def _google_error(session, client, error, again, made_again):
    """The sync ended on Google's ``error``: its rate limits (later, not an
    error), the calendar deleted in Google (made again and the sync run
    again with ``again``, once; or the user asked to choose again), or a
    failure stored on the account."""
    account = session.account
    wait = _hold(account, client, error)
    if wait is not None:  # Google's rate limits: later, not an error
        return _in_background(account, wait=wait)
    if not made_again and calendar_gone.is_gone(client, account.calendar_id, error):
        if not calendar_gone.made_by_us(account):
            message = calendar_gone.ask_again(account)
            return SyncOutcome.failed(message, error_kind=ErrorKind.REFUSED)
        note = calendar_gone.forget(account)
        return _sync_account(session, *again, made_again=note)
    return _google_failure(account, error)


def _sync_account(session, force, share=quota.RUN_SHARE, interactive=False, made_again=None):
    """One sync of a locked, connected account (a :class:`~.sync_session.Session`),
    in the session's cursor, within its share of Google's quotas; the calls
    it sent are logged. ``made_again``: what the account tells once its
    calendar, deleted in Google, was made again (services/calendar_gone.py)."""
    account = session.account
    user_used, project_used = session.quota_used
    budget = quota.budget(account.env, user_used, project_used, share)
    if budget < 2:  # not even a listing and a write: wait for the window to move
        _trigger_later(account)
        return _in_background(account)
    client = reservation = None
    try:
        client = account._client(
            backoff=Backoff(**(INTERACTIVE_BACKOFF if interactive else BACKGROUND_BACKOFF)),
            timeout=INTERACTIVE_TIMEOUT if interactive else None,
        )
        first_sync = not account.sync_token
        calendar_id = account._ensure_calendar(client)
        shared_again = account._ensure_access(client, calendar_id)
        local = OdooLocalSide(account, watermark=session.watermark)
        sync_settings = replace(account._sync_settings(), window_start=window_start(account.env))
        # Writes reserve their calls in the shared log first, under a lock
        # every worker takes (no statement at all for a sync with no write).
        reservation = quota.Reservation(account.env, account.id, share)
        report = sync_calendar(
            client, calendar_id, local, sync_settings, force=force, budget=reservation
        )
        if not report.stopped and not report.deferred and client.rate_limited is None:
            availability_refresh.refresh(account, client, budget=budget - client.calls)
        if not first_sync and not report.deferred:  # a big sync: the channel can wait
            account._ensure_watch(client, calendar_id)
            account._ensure_busy_watch(client)
        account._remember_token(client.credentials)
    except ReconnectNeeded as exc:
        return SyncOutcome(
            SyncStatus.NEED_AUTH, message=account._lose_access(exc), error_kind=ErrorKind.ACCESS
        )
    except GoogleError as exc:
        return _google_error(session, client, exc, (force, share, interactive), made_again)
    except NETWORK_ERRORS as exc:  # Google unreachable (its token endpoint included)
        error = GoogleError(None, "network", str(exc), transient=True)
        return _google_error(session, client, error, (force, share, interactive), made_again)
    except (AccessError, UserError) as exc:
        if isinstance(exc, GoogleAccessLost):
            raise
        account.env.cr.rollback()
        account.last_error = str(exc)
        return SyncOutcome.failed(account.last_error)
    finally:
        if client is not None:
            quota.record(account.env, account.id, client.calls, reservation)
    local.settle(report)
    if report.stopped:
        message = sync_report.stop_message(account.env, report.stopped)
        account.last_error = message
        return SyncOutcome(SyncStatus.CONFIRM_NEEDED, message=message)
    outcome = sync_report.record_report(account, report, local)
    if made_again or shared_again:  # said in the administrators' list until the next sync
        told = [made_again, shared_again, account.last_error]
        account.write({"last_error": "\n".join(filter(None, told))})
    wait = _hold(account, client)
    if wait is not None:
        # Google's rate limits refused some writes: they wait, on every
        # worker, until the account's hold ends (the cron is woken for then).
        todo = len(report.pending) + len(report.deferred)
        return _in_background(account, len(report.done), todo, wait=wait, base=outcome)
    if interactive and report.pending and not report.deferred:
        _wake_cron(account)  # what Google refused for now is retried in the background
    if report.deferred:
        # The rest goes to the background: the cron, once the window moved.
        _trigger_later(account)
        return _in_background(account, len(report.done), len(report.deferred), base=outcome)
    return outcome
