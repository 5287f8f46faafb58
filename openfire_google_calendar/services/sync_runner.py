# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The one way into a sync, and into anything that talks to a user's Google account.

"Sync. with Google", the cron, push notifications, the calendar choice and
"Change Google account" all come through :func:`google_session` (and the sync
through :func:`run_sync`). A session:

- works in a cursor of its own, taken from the registry, and commits there:
  what it did (a disconnection Google forced, the items synced so far) stays
  done whatever happens to the caller's transaction;
- refuses to start inside a transaction that already wrote. Such a caller
  holds row locks the session may need, and would wait for the session while
  the session waits for it: the hang that froze the whole server when
  "Retry" synced inside its request. Callers that write first (Retry) mark
  and trigger the cron instead;
- holds a PostgreSQL advisory lock on the user's account, taken on its own
  connection, so two sessions of one user never overlap on any worker or
  server, and a killed server's lock goes with its connection;
- runs as the user (his companies, language, and the author of the chatter
  notes a sync posts), in sudo mode: RDVs are found through employees a
  planner may not read, and tokens are readable by administrators only.
"""

import logging
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import psycopg2

from odoo import SUPERUSER_ID, _, api, fields
from odoo.exceptions import AccessError, UserError

from ..sync import Backoff, GoogleError, ReconnectNeeded, sync_calendar
from . import availability_refresh, database_copy, quota, sync_report
from .odoo_local_side import OdooLocalSide
from .sync_outcome import ErrorKind, SyncOutcome, SyncStatus, google_error_kind

_logger = logging.getLogger(__name__)
LOCK_NAMESPACE = 0x0F6C  # first key of the advisory lock; the account id is the second
WINDOW_PARAM = "openfire_google_calendar.sync_window_days"
DEFAULT_WINDOW_DAYS = 30
# A user waits for the button: at most a few seconds of pauses per Google
# call (the cron has the default, minutes); what is still refused is retried
# by the cron.
INTERACTIVE_BACKOFF = {"max_attempts": 3, "max_total": 2.0}
# In the background, a Retry-After longer than this is not waited in the
# worker: the account is held (services/quota.py) and the worker goes on
# with other users. Exponential pauses stay below it (16 s at most).
BACKGROUND_BACKOFF = {"max_pause": 20.0}


class CallerWroteError(RuntimeError):
    """A session was asked for inside a transaction that already wrote."""


class GoogleAccessLost(UserError):
    """Google refused this user's refresh token: he is marked disconnected,
    and the session committed it before this reached the caller.
    ``oauth_error``: Google's OAuth error code (services/google_refusal.py)."""

    def __init__(self, message, oauth_error=""):
        super().__init__(message)
        self.oauth_error = oauth_error


# Odoo's own bookkeeping in a request, which holds no lock a session needs:
# the device log Odoo 18+ inserts when it checks the session (the insert, and
# the key-share lock of its user_id on res_users).
BOOKKEEPING_LOCKS = (("res_device_log", "RowExclusiveLock"), ("res_users", "RowShareLock"))

# Whether the caller's transaction holds locks a session may need: it has a
# transaction id (it wrote or locked rows) and one of the tables it wrote or
# locked is not Odoo's bookkeeping.
_CALLER_LOCKS = """
    CASE WHEN txid_current_if_assigned() IS NULL THEN false ELSE EXISTS (
        SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
         WHERE l.pid = pg_backend_pid() AND l.locktype = 'relation'
           AND l.mode != 'AccessShareLock' AND c.relkind IN ('r', 'p')
           AND (c.relname::text, l.mode) NOT IN (%s)) END""" % ", ".join(
    "('%s', '%s')" % pair for pair in BOOKKEEPING_LOCKS
)


def _is_test_cursor(cursor):
    """Odoo's HTTP tests give every cursor the same connection: nothing can
    wait for anything there, and the test's own transaction has written.
    Told by the class's name: Odoo keeps it in a test module from 18.0 on,
    and importing that module outside tests logs an error."""
    return any(klass.__name__ == "TestCursor" for klass in type(cursor).__mro__)


def _refuse_writer(holds_locks, cursor):
    if holds_locks and not _is_test_cursor(cursor):
        raise CallerWroteError(
            "a Google Calendar session was entered from a transaction that already wrote; "
            "mark the work and trigger the cron instead"
        )


def _check_caller(env, cursor):
    """Refuse a caller whose transaction holds row locks a session may need."""
    env.flush_all()  # what the caller changed is what the session reads
    env.cr.execute("SELECT %s" % _CALLER_LOCKS)
    _refuse_writer(env.cr.fetchone()[0], cursor)


# What a session needs to know before it starts, in one query on the caller's
# cursor: whether the caller wrote, the user's context and his account's id.
_SESSION_INFO = (
    """
    SELECT %s, u.company_id, p.lang, p.tz,
           ARRAY(SELECT cid FROM res_company_users_rel WHERE user_id = u.id ORDER BY cid),
           c.of_planning_tz, a.id
      FROM res_users u
      JOIN res_partner p ON p.id = u.partner_id
      JOIN res_company c ON c.id = u.company_id
      LEFT JOIN of_google_account a ON a.user_id = u.id
     WHERE u.id = %%s"""
    % _CALLER_LOCKS
)


def _session_info(env, cursor, user_id):
    """_check_caller and the user's context in one query: (context, account id)."""
    env.flush_all()
    env.cr.execute(_SESSION_INFO, [user_id])
    row = env.cr.fetchone()
    if row is None:
        raise UserError(_("The user %s does not exist.", user_id))
    holds_locks, company_id, lang, tz, company_ids, company_tz, account_id = row
    _refuse_writer(holds_locks, cursor)
    companies = [company_id] + [cid for cid in company_ids if cid != company_id]
    context = {
        "lang": lang,
        "tz": tz,
        "allowed_company_ids": companies,
        "of_google_company_tz": company_tz,
    }
    return context, account_id


# The same for an account: its user (then the user's way is taken), or its
# employee's company, language and time zone (the resource's, in every series).
_ACCOUNT_INFO = (
    """
    SELECT %s, a.user_id, e.id, e.company_id, e.lang, r.tz,
           p.lang, c.of_planning_tz
      FROM of_google_account a
      LEFT JOIN hr_employee e ON e.id = a.employee_id
      LEFT JOIN resource_resource r ON r.id = e.resource_id
      LEFT JOIN res_company c ON c.id = e.company_id
      LEFT JOIN res_partner p ON p.id = c.partner_id
     WHERE a.id = %%s"""
    % _CALLER_LOCKS
)


def _employee_session_info(env, cursor, account_id):
    """For an account without a user (an employee's): refuse a caller that
    wrote, and the context of the employee (his company, language and time
    zone), in one query. (context, user id or None): an account of a user
    goes the user's way."""
    env.flush_all()
    env.cr.execute(_ACCOUNT_INFO, [account_id])
    row = env.cr.fetchone()
    if row is None:
        raise UserError(_("The Google Calendar sync %s does not exist.", account_id))
    holds_locks, user_id, employee_id, company_id, lang, tz, company_lang, company_tz = row
    _refuse_writer(holds_locks, cursor)
    if user_id:
        return None, user_id
    return {
        "lang": lang or company_lang or "en_US",
        "tz": tz or company_tz,
        "allowed_company_ids": [company_id],
        "of_google_company_tz": company_tz,
        "of_google_employee_id": employee_id,
    }, None


def _user_env(cursor, user_id, context=None):
    """The environment of a session: the user, his companies, his language."""
    if context is None:
        user = api.Environment(cursor, SUPERUSER_ID, {})["res.users"].browse(user_id)
        companies = user.company_id.ids + (user.company_ids - user.company_id).ids
        context = {"lang": user.lang, "tz": user.tz, "allowed_company_ids": companies}
    return api.Environment(cursor, user_id, context, su=True)


# Taken with the lock, in the same statement: the newest push notification the
# session covers, and the watermark of the RDVs it will read (the start of the
# oldest open transaction: taken before reading Odoo, it can only be earlier
# than needed, which is safe).
_LOCK = """
    SELECT pg_try_advisory_lock(%%s, %%s),
           (SELECT max(id) FROM of_google_push WHERE account_id = %%s),
           (SELECT least(min(xact_start), now()) FROM pg_stat_activity
             WHERE datname = current_database()),
           %s, %s, %s""" % (quota.USED_BY_ACCOUNT, quota.USED_BY_PROJECT, quota.HELD_UNTIL)


def _unlock(cursor, account_id):
    """Release the lock even after a failed transaction: a session lock left
    on a pooled connection would block this user for as long as it lives."""
    try:
        cursor.rollback()
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, account_id])
        cursor.commit()
    except psycopg2.Error:
        _logger.exception("Could not release the Google Calendar lock of account %s", account_id)


@contextmanager
def google_session(env, user_id=None, account_id=None):
    """The user's Google account, locked, in a cursor of its own; or, with
    ``account_id``, that account (an employee's without an Odoo login runs
    as the superuser in the employee's company and language; the chatter
    notes of his changes are his, see services/odoo_local_side.py).

    Yields the account record (None when another session of this account runs).
    Commits when the block ends; a GoogleAccessLost raised inside still
    commits the disconnection it caused; any other error rolls back what the
    block had not committed."""
    try:
        with env.registry.cursor() as cursor:
            context = None
            if account_id and not user_id:
                context, user_id = _employee_session_info(env, cursor, account_id)
            if user_id:
                context, account_id = _session_info(env, cursor, user_id)
                session_env = _user_env(cursor, user_id, context)
            else:
                session_env = api.Environment(cursor, SUPERUSER_ID, context, su=True)
            if not account_id:
                account_id = session_env["of.google.account"]._for_user(session_env.user).id
                cursor.commit()  # the account row exists for every connection from now on
            cursor.execute(_LOCK, [LOCK_NAMESPACE, account_id, account_id, account_id, account_id])
            locked, last_push, watermark, user_used, project_used, held_until = cursor.fetchone()
            if not locked:
                cursor.rollback()
                yield None
                return
            # A new snapshot, taken once the lock is ours: everything the
            # previous session of this user committed is seen.
            cursor.commit()
            if watermark is not None and watermark.tzinfo is not None:
                watermark = watermark.replace(tzinfo=None) - watermark.utcoffset()
            session_env = session_env(
                context=dict(
                    session_env.context,
                    of_google_last_push=last_push or 0,
                    of_google_watermark=watermark,
                    of_google_quota_used=(int(user_used), int(project_used)),
                    of_google_held_until=held_until,
                )
            )
            Account = session_env["of.google.account"]
            account = Account.browse(account_id)
            account.fetch(
                [
                    name
                    for name, field in Account._fields.items()
                    if field.store and field.column_type
                ]
            )  # one query
            try:
                yield account
                cursor.commit()
            except GoogleAccessLost:
                cursor.commit()
                raise
            finally:
                _unlock(cursor, account.id)
    finally:
        env.invalidate_all()  # the caller's cache predates what the session wrote


def blocked_status(account):
    """What stops any talk with Google for this account, as a SyncOutcome;
    None when nothing does."""
    # _() reads the user's language from a local named context
    context = account.env.context  # noqa: F841  pylint: disable=unused-variable
    get_param = account.env["ir.config_parameter"].get_param
    if get_param("google_calendar_sync_paused"):
        return SyncOutcome(
            SyncStatus.SYNC_PAUSED,
            message=_("The synchronization with Google Calendar is paused by an administrator."),
        )
    copy = database_copy.copy_status(account.env)
    if copy:
        return SyncOutcome(SyncStatus.COPY_DETECTED, message=copy)
    if account.sync_stopped:
        return SyncOutcome(SyncStatus.SYNC_STOPPED, message=account.last_error or "")
    return None


def window_start(env, now=None):
    """The start of the sync window (aware UTC): RDVs and events that ended
    before it are not synced unless already paired (sync.actions.outside_window).
    Setting sync_window_days, 30 by default; 0 or less: no window."""
    raw = env["ir.config_parameter"].sudo().get_param(WINDOW_PARAM)
    try:
        days = int(raw) if raw not in (None, False, "") else DEFAULT_WINDOW_DAYS
    except ValueError:
        days = DEFAULT_WINDOW_DAYS
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
        with google_session(env, user_id, account_id=account_id) as account:
            if account is None:
                return SyncOutcome.already_running()
            blocked = blocked_status(account)
            if blocked:
                return blocked
            if not account._is_connected():
                return SyncOutcome(SyncStatus.NEED_AUTH, message=account.last_error or "")
            held_until = account.env.context.get("of_google_held_until")
            if held_until:  # Google asked to wait: no call before then, on any worker
                return _held(account, held_until)
            seen = account.env.context.get("of_google_last_push")
            if seen is None:
                seen = account.env["of.google.push"]._last_seen(account)
            outcome = _sync_account(account, force, share, interactive)
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


def _sync_account(account, force, share=quota.RUN_SHARE, interactive=False):
    """One sync of a locked, connected account, in the session's cursor,
    within its share of Google's quotas; the calls it sent are logged."""
    user_used, project_used = account.env.context.get("of_google_quota_used", (0, 0))
    budget = quota.budget(account.env, user_used, project_used, share)
    if budget < 2:  # not even a listing and a write: wait for the window to move
        _trigger_later(account)
        return _in_background(account)
    client = reservation = None
    try:
        client = account._client(
            backoff=Backoff(**(INTERACTIVE_BACKOFF if interactive else BACKGROUND_BACKOFF))
        )
        first_sync = not account.sync_token
        calendar_id = account._ensure_calendar(client)
        account._ensure_access(client, calendar_id)
        local = OdooLocalSide(account)
        settings = replace(account._sync_settings(), window_start=window_start(account.env))
        # Writes reserve their calls in the shared log first, under a lock
        # every worker takes (no statement at all for a sync with no write).
        reservation = quota.Reservation(account.env, account.id, share)
        report = sync_calendar(
            client, calendar_id, local, settings, force=force, budget=reservation
        )
        if not report.stopped and not report.deferred and client.rate_limited is None:
            availability_refresh.refresh(account, client)
        if not first_sync and not report.deferred:  # a big sync: the channel can wait
            account._ensure_watch(client, calendar_id)
        account._remember_token(client.credentials)
    except ReconnectNeeded as exc:
        return SyncOutcome(
            SyncStatus.NEED_AUTH, message=account._lose_access(exc), error_kind=ErrorKind.ACCESS
        )
    except GoogleError as exc:
        wait = _hold(account, client, exc)
        if wait is not None:  # Google's rate limits: later, not an error
            return _in_background(account, wait=wait)
        return _google_failure(account, exc)
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
