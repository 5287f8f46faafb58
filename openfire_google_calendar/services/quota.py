# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Google's per-minute quotas, shared by every worker and server of the
database: a log of the API calls each sync sent (table of_google_quota_use,
one row per sync, created by of.google.push's init), read as a sliding window
of 60 seconds when a session takes its lock (services/sync_session.py).

Google counts 600 calls per user per minute and 10,000 per project (the
OAuth client, i.e. this database's syncs together); a batch of n calls counts
n. A sync gets a budget: what is left of both in the window, less a margin,
and at most a share per run so that a user's big first sync is spread over
several runs and the others' small syncs go in between. The writes beyond the
budget are deferred (sync.executor, Outcome.DEFERRED), the sync token is kept,
and the cron goes on later.

When Google refuses all the same (403 rate limit, 429), with or without a
Retry-After, the account is held: a "not before" moment in the table
of_google_not_before, read by every session in its lock statement, by the
cron and by queue_job's jobs, so that no worker nor server syncs that account
before it while the others go on. The regular polls of many accounts are
spread (:func:`poll_delays`) so that they do not all reach Google at once.
"""

import random

from . import settings

MARGIN = 0.9  # what we allow ourselves of each
RUN_SHARE = 500  # the most calls one sync run of the cron sends
BUTTON_SHARE = 110  # the most calls "Sync. with Google" sends (a few seconds)
SMALL_SYNC = 2  # calls not worth a statement (a poll: one listing)
WINDOW = 60  # seconds

TABLE = """
    CREATE TABLE IF NOT EXISTS of_google_quota_use (
        id bigserial PRIMARY KEY,
        account_id integer NOT NULL,
        at timestamp without time zone NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'),
        calls integer NOT NULL
    );
    CREATE INDEX IF NOT EXISTS of_google_quota_use_at_idx ON of_google_quota_use (at);
    CREATE TABLE IF NOT EXISTS of_google_not_before (
        account_id integer PRIMARY KEY,
        until timestamp without time zone NOT NULL
    );
"""
HOLD_FALLBACK = WINDOW / 2.0  # a rate limit without Retry-After: the window moves
POLL_SPREAD = 0.5  # the regular polls spread over this part of the cron's interval
POLL_DUE = 0.5  # with queue_job, an account is polled again after this part of it

# For the session's lock statement: until when this account is held (NULL: it is not).
HELD_UNTIL = (
    "(SELECT until FROM of_google_not_before WHERE account_id = %s "
    "AND until > (now() AT TIME ZONE 'UTC'))"
)

# Subqueries for the session's lock statement: calls in the window, this
# account's and the whole project's.
USED_BY_ACCOUNT = (
    "(SELECT coalesce(sum(calls), 0) FROM of_google_quota_use "
    "WHERE account_id = %s AND at > (now() AT TIME ZONE 'UTC') "
    "- interval '60 seconds')"
)
USED_BY_PROJECT = (
    "(SELECT coalesce(sum(calls), 0) FROM of_google_quota_use "
    "WHERE at > (now() AT TIME ZONE 'UTC') - interval '60 seconds')"
)


def limits(env):
    """(per user, per project) per minute: Google's defaults, or what the
    project got from Google (parameters quota_per_user, quota_per_project)."""
    return settings.get(env, "quota_per_user"), settings.get(env, "quota_per_project")


def budget(env, user_used, project_used, share):
    """Calls one sync may send now: what is left of both quotas in the
    window (with a margin), at most ``share``."""
    per_user, per_project = limits(env)
    left = min(per_user * MARGIN - user_used, per_project * MARGIN - project_used)
    return max(0, min(int(left), share))


QUOTA_LOCK = 0x0F6D  # advisory lock serializing reservations (first key; second 0)


class Reservation:
    """The calls a sync's writes may send, reserved in the log before they
    are sent, so that workers and servers syncing other users at the same
    moment see them and share what is left (a plain read would let two
    workers each take the whole remainder). Called by the sync core once,
    with the number of writes its plan needs."""

    def __init__(self, env, account_id, share):
        self.env = env
        self.account_id = account_id
        self.share = share
        self.row_id = None

    def __call__(self, needed):
        cr = self.env.cr
        # A session lock, then a new transaction: under PostgreSQL's repeatable
        # read a transaction's snapshot is taken by its first statement, so
        # what the previous holder committed is only seen after the lock.
        cr.execute("SELECT pg_advisory_lock(%s, 0)", [QUOTA_LOCK])
        # The session's own cursor (services/sync_session.py): committing is its job.
        cr.commit()  # pylint: disable=invalid-commit
        try:
            cr.execute("SELECT %s, %s" % (USED_BY_ACCOUNT, USED_BY_PROJECT), [self.account_id])
            user_used, project_used = cr.fetchone()
            allowed = budget(self.env, user_used, project_used, self.share)
            cr.execute(
                "INSERT INTO of_google_quota_use (account_id, calls) VALUES (%s, %s) RETURNING id",
                [self.account_id, max(min(allowed, needed + 1), 0)],
            )
            self.row_id = cr.fetchone()[0]
            cr.commit()  # pylint: disable=invalid-commit
        finally:
            cr.rollback()
            cr.execute("SELECT pg_advisory_unlock(%s, 0)", [QUOTA_LOCK])
            cr.commit()  # pylint: disable=invalid-commit
        return allowed


def record(env, account_id, calls, reservation=None):
    """Log the calls a sync sent (and forget what the window no longer sees):
    its reservation becomes what it really sent."""
    if reservation is not None and reservation.row_id:
        env.cr.execute(
            "UPDATE of_google_quota_use SET calls = %s WHERE id = %s", [calls, reservation.row_id]
        )
        return
    if calls <= SMALL_SYNC:
        return
    env.cr.execute(
        "WITH old AS (DELETE FROM of_google_quota_use WHERE at < (now() AT TIME ZONE 'UTC') "
        "- interval '10 minutes') INSERT INTO of_google_quota_use (account_id, calls) "
        "VALUES (%s, %s)",
        [account_id, calls],
    )


def wait_seconds(retry_after=None):
    """When to come back for deferred work: once the window has moved (or
    after Google's Retry-After), with a jitter so that workers and servers
    do not all come back at the same second."""
    base = max(float(retry_after or 0), WINDOW / 2.0)
    return base + random.uniform(0, base / 6.0)


def hold(env, account_id, retry_after=None):
    """Google refused this account's calls for its rate limits: no sync of
    it before Retry-After (or, without one, before the window has moved),
    on any worker or server. A longer hold already there is kept. Returns
    the moment (naive UTC). Committed by the session, like the sync."""
    if retry_after:  # Google's word, and a jitter so that workers do not all come back at once
        seconds = float(retry_after) + random.uniform(0, float(retry_after) / 6.0)
    else:
        seconds = wait_seconds(HOLD_FALLBACK)
    env.cr.execute(
        "WITH old AS (DELETE FROM of_google_not_before WHERE until < (now() AT TIME ZONE 'UTC') "
        "- interval '10 minutes' AND account_id != %s) "
        "INSERT INTO of_google_not_before (account_id, until) "
        "VALUES (%s, (now() AT TIME ZONE 'UTC') + %s * interval '1 second') "
        "ON CONFLICT (account_id) DO UPDATE SET until = greatest("
        "of_google_not_before.until, EXCLUDED.until) RETURNING until",
        [account_id, account_id, seconds],
    )
    return env.cr.fetchone()[0]


def held(env, account_ids):
    """{account id: until (naive UTC)} of these accounts that are held now."""
    if not account_ids:
        return {}
    env.cr.execute(
        "SELECT account_id, until FROM of_google_not_before WHERE account_id = ANY(%s) "
        "AND until > (now() AT TIME ZONE 'UTC')",
        [list(account_ids)],
    )
    return dict(env.cr.fetchall())


def poll_spread(env, interval_seconds):
    """Seconds over which the regular polls of a cron run are spread: half
    the cron's interval, or the parameter poll_spread_seconds (0: none)."""
    spread = settings.get(env, "poll_spread_seconds")
    return interval_seconds * POLL_SPREAD if spread is None else max(0.0, spread)


def poll_delays(account_ids, spread, rng=random):
    """Seconds after which each account's regular poll starts: drawn over
    ``spread`` (:func:`poll_spread`), so that the polls of many accounts run
    in parallel workers do not reach Google in the same second."""
    return {account_id: rng.uniform(0, spread) for account_id in account_ids if spread > 0}
