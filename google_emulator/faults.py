"""Injected failures, deterministic from a seed, per-user budgets and Google's
per-minute quotas.

A real connector has to survive Google's bad days: rate limits (403 and 429),
backend errors (500, 503), slow answers and access tokens that expire in the
middle of a sync. The injector decides, before a call touches any state,
whether that call fails; a failed call therefore changes nothing.

Draws come from ``random.Random(seed)`` in request order, so a sequential
client sees the same faults on every run.
"""

import math
import random
import threading
from collections import deque

from .errors import ApiError, auth_error

KINDS = ("rateLimitExceeded", "userRateLimitExceeded", "429", "500", "503", "401")
DEFAULT_KINDS = ("rateLimitExceeded", "userRateLimitExceeded", "429", "500", "503")
TARGETS = ("request", "part")


def fault_error(kind, retry_after=1):
    """The ApiError Google returns for a fault kind."""
    if kind == "rateLimitExceeded":
        return ApiError(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
    if kind == "userRateLimitExceeded":
        return ApiError(
            403, "userRateLimitExceeded", "User Rate Limit Exceeded", domain="usageLimits"
        )
    if kind == "429":
        return ApiError(
            429,
            "rateLimitExceeded",
            "Rate Limit Exceeded",
            domain="usageLimits",
            headers={"Retry-After": str(retry_after)},
        )
    if kind == "500":
        return ApiError(500, "backendError", "Backend Error")
    if kind == "503":
        return ApiError(503, "backendError", "The service is currently unavailable.")
    if kind == "401":
        return auth_error()
    raise ValueError("unknown fault kind %r" % kind)


def quota_error():
    """403 once a user's quota is used up (Google's Calendar usage limit)."""
    return ApiError(403, "quotaExceeded", "Calendar usage limits exceeded.", domain="usageLimits")


class FaultInjector:
    """Decides which calls fail, and how."""

    def __init__(self):
        self._lock = threading.Lock()
        self.configure(rate=0.0)

    def configure(
        self, rate=0.0, kinds=DEFAULT_KINDS, seed=1, latency=0.0, retry_after=1, targets=TARGETS
    ):
        """Set the failure rate (0 turns faults off), kinds, seed and latency.

        ``targets``: "request" draws once per HTTP request (a whole batch
        fails), "part" draws once per call inside a batch (per-part errors in
        a 200 batch response). ``latency`` seconds are added to every API
        request, faulty or not.
        """
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        kinds = tuple(kinds)
        unknown = set(kinds) - set(KINDS)
        if unknown or not kinds:
            raise ValueError("fault kinds must be a non-empty subset of %s" % (KINDS,))
        if set(targets) - set(TARGETS):
            raise ValueError("targets must be a subset of %s" % (TARGETS,))
        with self._lock:
            self.rate = float(rate)
            self.kinds = kinds
            self.seed = seed
            self.latency = float(latency)
            self.retry_after = retry_after
            self.targets = tuple(targets)
            self._rng = random.Random(seed)

    def settings(self):
        """The current configuration, JSON-able."""
        return {
            "rate": self.rate,
            "kinds": list(self.kinds),
            "seed": self.seed,
            "latency": self.latency,
            "retry_after": self.retry_after,
            "targets": list(self.targets),
        }

    def draw(self, target):
        """A fault kind for the next call at ``target``, or None."""
        with self._lock:
            if self.rate <= 0 or target not in self.targets:
                return None
            if self._rng.random() >= self.rate:
                return None
            return self._rng.choice(self.kinds)

    def error(self, kind):
        """The error response for ``kind``."""
        return fault_error(kind, self.retry_after)


class Quotas:
    """Per-user request budgets: each API call (batch parts included) counts."""

    def __init__(self):
        self._lock = threading.Lock()
        self.limits = {}  # email -> [max_requests, used]

    def set(self, email, max_requests):
        """Allow ``max_requests`` more calls for ``email``; None removes the limit."""
        with self._lock:
            if max_requests is None:
                self.limits.pop(email, None)
            else:
                self.limits[email] = [int(max_requests), 0]

    def consume(self, email):
        """Count one call; False when the budget was already used up."""
        with self._lock:
            limit = self.limits.get(email)
            if limit is None:
                return True
            if limit[1] >= limit[0]:
                return False
            limit[1] += 1
            return True

    def reset(self):
        """Forget every limit."""
        with self._lock:
            self.limits.clear()


# Google's Calendar API usage limits ("Usage limits" guide): requests per minute, on a
# sliding window, per project and per user per project; a batch of n calls counts n.
PER_USER_PER_MINUTE = 600
PER_PROJECT_PER_MINUTE = 10000
WINDOW_SECONDS = 60.0


def rate_limit_error(scope, status=403, retry_after=None):
    """Google's answer once a per-minute quota is used up.

    ``scope`` is "user" (per user per project) or "project". With ``status``
    403 the reason tells which (``userRateLimitExceeded`` / ``rateLimitExceeded``);
    Google's 429 answer always says ``rateLimitExceeded``.
    """
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    if status == 429:
        return ApiError(
            429, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits", headers=headers
        )
    if scope == "user":
        return ApiError(
            403,
            "userRateLimitExceeded",
            "User Rate Limit Exceeded",
            domain="usageLimits",
            headers=headers,
        )
    return ApiError(
        403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits", headers=headers
    )


class RateLimits:
    """Google's per-minute quotas, enforced on a sliding window of emulated time.

    A project is an OAuth client id (a service account's client id for its
    tokens); a user is the account a token acts for. Every API call counts
    once, batch parts one by one (the batch's own HTTP request does not).
    Refused calls do not count, so a client that waits gets through again
    once the window has moved on. ``None`` for a limit means no limit; calls
    are counted (and the peaks kept, see :meth:`peaks`) even then.
    """

    def __init__(
        self,
        clock,
        per_user=PER_USER_PER_MINUTE,
        per_project=PER_PROJECT_PER_MINUTE,
        window=WINDOW_SECONDS,
        status=403,
        retry_after=False,
    ):
        self._lock = threading.Lock()
        self._clock = clock
        self._defaults = dict(
            per_user=per_user,
            per_project=per_project,
            window=window,
            status=status,
            retry_after=retry_after,
        )
        self.reset()

    def reset(self):
        """Forget the counters; the limits go back to the constructor's."""
        self.configure(**self._defaults)

    def configure(
        self,
        per_user=PER_USER_PER_MINUTE,
        per_project=PER_PROJECT_PER_MINUTE,
        window=WINDOW_SECONDS,
        status=403,
        retry_after=False,
    ):
        """Set the limits (None = unlimited), the window in seconds, the status
        (403 or 429) and whether refusals carry a ``Retry-After`` header (Google
        does not document one). Counters are cleared."""
        for name, value in (("per_user", per_user), ("per_project", per_project)):
            if value is not None and (isinstance(value, bool) or int(value) < 0):
                raise ValueError("%s must be a non-negative integer or None" % name)
        if float(window) <= 0:
            raise ValueError("window must be positive")
        if status not in (403, 429):
            raise ValueError("status must be 403 or 429")
        with self._lock:
            self.per_user = None if per_user is None else int(per_user)
            self.per_project = None if per_project is None else int(per_project)
            self.window = float(window)
            self.status = int(status)
            self.retry_after = bool(retry_after)
            self._users = {}  # (project, email) -> deque of call times
            self._projects = {}  # project -> deque of call times
            self._user_peaks = {}  # (project, email) -> most calls seen in one window
            self._project_peaks = {}  # project -> most calls seen in one window

    @property
    def enabled(self):
        """True when at least one limit applies."""
        return self.per_user is not None or self.per_project is not None

    def settings(self):
        """The current configuration, JSON-able."""
        return {
            "per_user": self.per_user,
            "per_project": self.per_project,
            "window": self.window,
            "status": self.status,
            "retry_after": self.retry_after,
        }

    def _prune(self, times, now):
        horizon = now - self.window
        while times and times[0] <= horizon:
            times.popleft()

    def check(self, project, email):
        """Count one call of ``email`` in ``project``; an ApiError when over a limit."""
        with self._lock:
            now = self._clock.time()
            user_times = self._users.setdefault((project, email), deque())
            project_times = self._projects.setdefault(project, deque())
            self._prune(user_times, now)
            self._prune(project_times, now)
            for scope, times, limit in (
                ("user", user_times, self.per_user),
                ("project", project_times, self.per_project),
            ):
                if limit is not None and len(times) >= limit:
                    retry = None
                    if self.retry_after:
                        wait = (
                            times[len(times) - limit] + self.window - now if limit else self.window
                        )
                        retry = max(1, math.ceil(wait))
                    return rate_limit_error(scope, self.status, retry)
            user_times.append(now)
            project_times.append(now)
            key = (project, email)
            self._user_peaks[key] = max(self._user_peaks.get(key, 0), len(user_times))
            self._project_peaks[project] = max(
                self._project_peaks.get(project, 0), len(project_times)
            )
            return None

    def peaks(self):
        """The most calls counted in one window since the counters restarted: per user
        (with its project) and per project, JSON-able, highest first."""
        with self._lock:
            users = [
                {"client_id": project, "email": email, "peak": peak}
                for (project, email), peak in self._user_peaks.items()
            ]
            projects = [
                {"client_id": project, "peak": peak}
                for project, peak in self._project_peaks.items()
            ]
        users.sort(key=lambda row: -row["peak"])
        projects.sort(key=lambda row: -row["peak"])
        return {"per_user": users, "per_project": projects}

    def usage(self, project=None, email=None):
        """Calls counted in the current window: of one user in ``project`` when
        ``email`` is given, else of the whole project, else of every project."""
        with self._lock:
            now = self._clock.time()
            if email is not None:
                times = self._users.get((project, email), deque())
                self._prune(times, now)
                return len(times)
            total = 0
            for key, times in self._projects.items():
                if project is None or key == project:
                    self._prune(times, now)
                    total += len(times)
            return total
