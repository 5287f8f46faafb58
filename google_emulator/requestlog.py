"""The request log: what the client really sent, to count HTTP round-trips.

Every HTTP request to the Calendar API, the batch endpoint and the OAuth
endpoints gets one entry with ``in_batch: False``; every call inside a batch
gets its own entry with ``in_batch: True`` (and the batch's entry carries
``batch_size``). Admin and web-page requests are not logged.

Entry keys: ``seq``, ``time``, ``method``, ``path``, ``status``, ``reason``
(Google's error reason or None), ``batch_size`` (None or number of parts),
``fault`` (None or the injected kind), ``email`` (owner of the token, if
known), ``client_id`` (the token's OAuth client, i.e. quota project, for API
calls) and ``in_batch``.
"""

import threading
import time

API_PREFIXES = ("/calendar/v3", "/batch")


class RequestLog:
    """Thread-safe list of request entries."""

    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []
        self._seq = 0

    def add(self, **fields):
        """Append an entry and return it (callers fill in the status later)."""
        with self._lock:
            self._seq += 1
            entry = {
                "seq": self._seq,
                "time": time.time(),
                "method": None,
                "path": None,
                "status": None,
                "reason": None,
                "batch_size": None,
                "fault": None,
                "email": None,
                "client_id": None,
                "in_batch": False,
            }
            entry.update(fields)
            self._entries.append(entry)
            return entry

    def entries(self):
        """A snapshot copy of all entries, oldest first."""
        with self._lock:
            return [dict(entry) for entry in self._entries]

    def clear(self):
        """Forget all entries."""
        with self._lock:
            self._entries = []

    def round_trips(self):
        """Real HTTP requests to the Calendar API and batch endpoints."""
        with self._lock:
            return sum(
                1 for e in self._entries if not e["in_batch"] and e["path"].startswith(API_PREFIXES)
            )
