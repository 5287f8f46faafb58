# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""When to try a Google call again, and how long to wait first.

Google asks clients to back off exponentially, with jitter, on rate limits
(403 ``rateLimitExceeded``/``userRateLimitExceeded``, 429) and on server errors
(500, 502, 503, 504); a network error or a timeout is treated the same. A 401
that survives google-auth's own refresh-and-retry (the token expired again in
between) is retried too: the next try refreshes once more, and a refused
refresh raises instead. Other errors are permanent: retrying a 400 only burns
quota.

A :class:`Backoff` is the policy; :meth:`Backoff.start` gives the budget of one
operation (bounded both in attempts and in total time, so a cron job always
ends). ``sleep`` and ``clock`` are injectable so tests run without waiting.
"""

import random
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

TRANSIENT_STATUSES = frozenset({401, 429, 500, 502, 503, 504})
RATE_LIMIT_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded"})


def is_transient(status, reason=None):
    """True when an HTTP error is worth retrying after a pause."""
    return status in TRANSIENT_STATUSES or is_rate_limit(status, reason)


def is_rate_limit(status, reason=None):
    """True when Google refused for its per-minute quotas (403 with a rate
    limit reason, or 429): the scheduler then holds the account for a while
    instead of letting every worker try again."""
    return status == 429 or (status == 403 and reason in RATE_LIMIT_REASONS)


def parse_retry_after(value, now=None):
    """Seconds to wait from a Retry-After header (seconds or HTTP date), or None."""
    if value is None:
        return None
    text = str(value).strip()
    if text.replace(".", "", 1).isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, moment.timestamp() - (now if now is not None else time.time()))


@dataclass
class Backoff:
    """Exponential backoff with jitter: the n-th pause is drawn in
    ``[d/2, d]`` with ``d = min(cap, base * 2**(n-1))``, and is at least the
    server's Retry-After. An operation gets ``max_attempts`` tries and stops
    before its pauses would exceed ``max_total`` seconds. ``max_pause``
    (None: no limit) is the longest single pause worth waiting in place: a
    Retry-After beyond it ends the operation at once, and the scheduler
    comes back for the account later, the worker free meanwhile."""

    base: float = 0.5
    cap: float = 30.0
    max_attempts: int = 6
    max_total: float = 120.0
    max_pause: float | None = None
    sleep: object = time.sleep
    clock: object = time.monotonic
    rng: random.Random = field(default_factory=random.Random)

    def start(self):
        """The retry budget of one operation."""
        return Attempts(self)

    def delay(self, retry_number, retry_after=None):
        """The pause before retry number ``retry_number`` (1 for the first)."""
        ceiling = min(self.cap, self.base * 2 ** (retry_number - 1))
        pause = ceiling / 2 + self.rng.uniform(0, ceiling / 2)
        return max(pause, retry_after or 0.0)


class Attempts:
    """Counts the tries of one operation against its :class:`Backoff`."""

    def __init__(self, backoff):
        self.backoff = backoff
        self.tries = 1
        self.started = backoff.clock()
        self.waited = 0.0

    def wait(self, retry_after=None):
        """Pause before the next try; False (and no pause) when the budget is spent."""
        if self.tries >= self.backoff.max_attempts:
            return False
        pause = self.backoff.delay(self.tries, retry_after)
        elapsed = self.backoff.clock() - self.started
        if elapsed + pause > self.backoff.max_total:
            return False
        if self.backoff.max_pause is not None and pause > self.backoff.max_pause:
            return False
        self.backoff.sleep(pause)
        self.waited += pause
        self.tries += 1
        return True
