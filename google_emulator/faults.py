"""Injected failures, deterministic from a seed, and per-user quotas.

A real connector has to survive Google's bad days: rate limits (403 and 429),
backend errors (500, 503), slow answers and access tokens that expire in the
middle of a sync. The injector decides, before a call touches any state,
whether that call fails; a failed call therefore changes nothing.

Draws come from ``random.Random(seed)`` in request order, so a sequential
client sees the same faults on every run.
"""

import random
import threading

from .errors import ApiError, auth_error

KINDS = ("rateLimitExceeded", "userRateLimitExceeded", "429", "500", "503", "401")
DEFAULT_KINDS = ("rateLimitExceeded", "userRateLimitExceeded", "429", "500", "503")
TARGETS = ("request", "part")


def fault_error(kind, retry_after=1):
    """The ApiError Google returns for a fault kind."""
    if kind == "rateLimitExceeded":
        return ApiError(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
    if kind == "userRateLimitExceeded":
        return ApiError(403, "userRateLimitExceeded", "User Rate Limit Exceeded",
                        domain="usageLimits")
    if kind == "429":
        return ApiError(429, "rateLimitExceeded", "Rate Limit Exceeded",
                        domain="usageLimits", headers={"Retry-After": str(retry_after)})
    if kind == "500":
        return ApiError(500, "backendError", "Backend Error")
    if kind == "503":
        return ApiError(503, "backendError", "The service is currently unavailable.")
    if kind == "401":
        return auth_error()
    raise ValueError("unknown fault kind %r" % kind)


def quota_error():
    """403 once a user's quota is used up (Google's Calendar usage limit)."""
    return ApiError(403, "quotaExceeded", "Calendar usage limits exceeded.",
                    domain="usageLimits")


class FaultInjector:
    """Decides which calls fail, and how."""

    def __init__(self):
        self._lock = threading.Lock()
        self.configure(rate=0.0)

    def configure(self, rate=0.0, kinds=DEFAULT_KINDS, seed=1, latency=0.0,
                  retry_after=1, targets=TARGETS):
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
        return {"rate": self.rate, "kinds": list(self.kinds), "seed": self.seed,
                "latency": self.latency, "retry_after": self.retry_after,
                "targets": list(self.targets)}

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
        self.limits = {}   # email -> [max_requests, used]

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
