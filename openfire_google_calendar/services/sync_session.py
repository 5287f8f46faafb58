# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The session: the one way into anything that talks to a user's Google account.

"Sync. with Google", the cron, push notifications, the calendar choice and
"Change Google account" all come through :func:`google_session` (and the sync
through services/sync_runner.py). A session:

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
from dataclasses import dataclass
from datetime import datetime

import psycopg2

from odoo import SUPERUSER_ID, _, api
from odoo.exceptions import UserError

from . import database_copy, quota
from .sync_outcome import SyncOutcome, SyncStatus

_logger = logging.getLogger(__name__)
LOCK_NAMESPACE = 0x0F6C  # first key of the advisory lock; the account id is the second


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


@dataclass(frozen=True)
class Session:
    """An open session: the locked account, in the session's own cursor, and
    what the session read with its lock, in the same statement: the newest
    push notification it covers, the watermark of the RDVs a sync reads (the
    start of the oldest open transaction), the Google calls of the account
    and of the project in the quota window, and a hold Google asked for."""

    account: object
    last_push: int = 0
    watermark: datetime | None = None
    quota_used: tuple[int, int] = (0, 0)
    held_until: datetime | None = None


@contextmanager
def google_session(env, user_id=None, account_id=None):
    """:func:`open_session`, for callers that need the account only: yields
    the locked account, or None when another session of it runs."""
    with open_session(env, user_id, account_id) as session:
        yield session.account if session is not None else None


@contextmanager
def open_session(env, user_id=None, account_id=None):
    """The user's Google account, locked, in a cursor of its own; or, with
    ``account_id``, that account (an employee's without an Odoo login runs
    as the superuser in the employee's company and language; the chatter
    notes of his changes are his, see services/odoo_local_side.py).

    Yields a :class:`Session` (None when another session of this account runs).
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
                yield Session(
                    account,
                    last_push=last_push or 0,
                    watermark=watermark,
                    quota_used=(int(user_used), int(project_used)),
                    held_until=held_until,
                )
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
