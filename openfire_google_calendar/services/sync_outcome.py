# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What one sync came to, as one typed value.

The session (services/sync_runner.py) makes a :class:`SyncOutcome`; the cron,
the queue_job glue and the administrators' figures read its fields; the
planning's "Sync. with Google" gets it rendered once, by
:meth:`SyncOutcome.as_dict`, in the words Odoo's calendar client knows.

Whether a failure may pass by itself is decided here, from Google's HTTP
status and reason (:func:`google_error_kind`), never from the text a user
reads: that text is his, in his language, and may say anything.
"""

import enum
import re
from dataclasses import dataclass, field
from types import MappingProxyType

from ..sync.backoff import is_transient


class SyncStatus(str, enum.Enum):
    """The statuses of /google_calendar/sync_data, as the JS client reads them."""

    NEED_REFRESH = "need_refresh"
    NO_NEW_EVENT = "no_new_event_from_google"
    IN_BACKGROUND = "in_background"
    ALREADY_RUNNING = "already_running"
    CONFIRM_NEEDED = "confirm_needed"
    NEED_AUTH = "need_auth"
    ERROR = "error"
    SYNC_PAUSED = "sync_paused"
    COPY_DETECTED = "copy_detected"
    SYNC_STOPPED = "sync_stopped"


class ErrorKind(str, enum.Enum):
    """Why Google refused, as far as what to do next is concerned. The values
    are stored (of.google.account.last_error_kind)."""

    QUOTA = "quota"  # Google's quotas or rate limits: the same works later
    UNAVAILABLE = "unavailable"  # 5xx, timeouts, the network: the same works later
    ACCESS = "access"  # the credentials were refused: a person reconnects
    REFUSED = "refused"  # 400, 403, 404...: the same request fails the same way

    @property
    def transient(self):
        """True when trying again later, unchanged, may succeed."""
        return self in (ErrorKind.QUOTA, ErrorKind.UNAVAILABLE)


# Google's 403 reasons for its quotas: the per-minute rate limits (retried
# in place by sync/backoff.py) and the daily quota (not retried in place).
QUOTA_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"})
# How the sync core writes a refused item's reason (sync/executor.py): its
# HTTP status, then Google's reason.
_STORED_REFUSAL = re.compile(r"^\s*(\d{3})\s+([A-Za-z_]+)")


def google_error_kind(status, reason):
    """The kind of a Google API error, from its HTTP status and Google's
    reason. ``status`` None: no HTTP answer (timeout, connection)."""
    if status == 429 or (status == 403 and reason in QUOTA_REASONS):
        return ErrorKind.QUOTA
    if status is None or is_transient(status, reason):
        return ErrorKind.UNAVAILABLE
    return ErrorKind.REFUSED


def stored_refusal_kind(text):
    """The kind of a refusal stored on an RDV's link ("403 quotaExceeded..."),
    None when the text is not Google's refusal (a local problem)."""
    match = _STORED_REFUSAL.match(text or "")
    if not match:
        return None
    return google_error_kind(int(match.group(1)), match.group(2))


@dataclass(frozen=True)
class SyncOutcome:
    """One sync's result. ``message`` is the user's, translated (None: the
    client is told nothing in words); ``counts`` the items synced by kind
    ({created, updated, cancelled, conflicts, errors}, or {errors: 1} when
    the sync failed as a whole); ``done``/``todo`` what a sync left to the
    background did and left; ``wait`` the seconds before trying again that
    Google asked for, or the session's hold (None: nobody said);
    ``transient`` whether the same sync, later and unchanged, may do what
    this one could not; ``error_kind`` why Google refused, when it did."""

    status: SyncStatus
    message: str | None = None
    counts: dict = field(default_factory=dict)
    changed_in_odoo: bool | None = None
    notes: tuple | None = None
    done: int = 0
    todo: int | None = None
    wait: float | None = None
    transient: bool = False
    error_kind: ErrorKind | None = None

    def __post_init__(self):
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))
        if self.notes is not None:
            object.__setattr__(self, "notes", tuple(self.notes))

    @classmethod
    def already_running(cls):
        """Another session of the account runs: this one did nothing."""
        return cls(SyncStatus.ALREADY_RUNNING, transient=True)

    @classmethod
    def in_background(cls, message, done=0, todo=None, wait=None, base=None):
        """What is left goes on in the background (the cron, a job), ``wait``
        seconds from now when known. ``base``: the outcome of what this sync
        did do, whose counts are kept."""
        base = base or cls(SyncStatus.IN_BACKGROUND)
        return cls(
            SyncStatus.IN_BACKGROUND,
            message=message,
            counts=base.counts,
            changed_in_odoo=base.changed_in_odoo,
            notes=base.notes,
            done=done,
            todo=todo,
            wait=wait,
            transient=True,
        )

    @classmethod
    def failed(cls, message, error_kind=None, wait=None):
        """The sync failed as a whole; ``error_kind`` when Google refused."""
        return cls(
            SyncStatus.ERROR,
            message=message,
            counts={"errors": 1},
            wait=wait,
            transient=bool(error_kind and error_kind.transient),
            error_kind=error_kind,
        )

    @property
    def deferred(self):
        """Nothing failed: the work waits for later (the background, or the
        session of the account that runs now)."""
        return self.status in (SyncStatus.IN_BACKGROUND, SyncStatus.ALREADY_RUNNING)

    def as_dict(self):
        """The answer of /google_calendar/sync_data: the status, the user's
        message, and the figures the client shows for that status."""
        answer = dict(self.counts, status=self.status.value)
        if self.message is not None:
            answer["message"] = self.message
        if self.changed_in_odoo is not None:
            answer["changed_in_odoo"] = self.changed_in_odoo
        if self.notes is not None:
            answer["notes"] = list(self.notes)
        if self.status is SyncStatus.IN_BACKGROUND:
            answer.update(done=self.done, todo=self.todo)
            if self.wait is not None:
                answer["wait"] = self.wait
        return answer
