"""In-memory state, change tracking and opaque tokens.

Everything the emulator knows lives in one :class:`Store` guarded by one
re-entrant lock: the HTTP threads, the "phone" and the admin API all go through
it, so a change is atomic and its change number, ``updated`` time and etag are
assigned together.

Change tracking works like Google's incremental sync: a single counter grows on
every change, each event remembers the counter value of its last change, and a
sync token is "calendar X as of counter N". The tokens are signed so that a
forged or stale token (after :meth:`Store.expire_sync_tokens` or a reset) is
rejected with 410 instead of silently returning wrong data.
"""

import base64
import hashlib
import hmac
import json
import os
import random
import secrets
import threading
import time

BASE32HEX = "0123456789abcdefghijklmnopqrstuv"


class Clock:
    """Wall clock with an adjustable offset and strictly increasing stamps.

    Two changes never share an ``updated`` millisecond, so ``updatedMin`` and
    etags (derived from it) always tell changes apart. ``advance`` lets tests
    make tokens and channels expire without sleeping.
    """

    def __init__(self):
        self.offset = 0.0
        self._last_ms = 0

    def time(self):
        """Current emulated time in epoch seconds."""
        return time.time() + self.offset

    def unique_ms(self):
        """Epoch milliseconds, strictly greater than the previous call's."""
        millis = int(self.time() * 1000)
        self._last_ms = max(millis, self._last_ms + 1)
        return self._last_ms

    def advance(self, seconds):
        """Move emulated time forward (tokens, codes and channels expire)."""
        self.offset += seconds


class Calendar:
    """A calendar and its events; ``events`` maps id -> stored event dict."""

    def __init__(self, calendar_id, owner, summary, time_zone, primary=False, description=None):
        self.id = calendar_id
        self.owner = owner
        self.summary = summary
        self.description = description
        self.location = None
        self.time_zone = time_zone
        self.primary = primary
        self.events = {}
        self.etag = '"0"'
        self.updated_ms = 0
        self.acl = {}  # rule id -> {"scope": {...}, "role": ..., "etag": ...}
        # event id -> (etag, calendar zone, UTC start, UTC end): free/busy reads
        # every event's times, parsing them once per version is enough.
        self.bounds_cache = {}


class Store:
    """All emulator state. Hold ``lock`` while reading or changing it."""

    def __init__(self, seed=0):
        self.lock = threading.RLock()
        self.clock = Clock()
        self.seed = seed
        self._secret = os.urandom(16)
        self.epoch = 0
        self.generation = 0
        self.base_url = None
        self.reset()

    def reset(self):
        """Forget every account, calendar, event and token generation."""
        with self.lock:
            self.rng = random.Random(self.seed)
            self.clock.offset = 0.0
            self.generation += 1  # requests in flight across a reset are dropped
            self.accounts = {}  # email -> [calendar ids, primary first]
            self.account_index = {}  # lower-cased email -> email, for attendees' addresses
            self.unlisted = {}  # email -> ids of calendars he removed from his list
            self.listed = {}  # email -> ids of calendars he added to his list himself
            self.list_settings = {}  # email -> {calendar id: his calendarList settings}
            self.calendars = {}  # id -> Calendar
            self.counter = 0  # global change counter
            self.seq = 0  # creation order of stored events
            self.epoch += 1

    # -- counters and ids -------------------------------------------------
    def next_change(self):
        """Advance the global change counter and return its new value."""
        self.counter += 1
        return self.counter

    def next_seq(self):
        """Creation order for a new stored event (stable list ordering)."""
        self.seq += 1
        return self.seq

    def new_id(self, length=26):
        """A random base32hex id, the alphabet Google uses for event ids."""
        return "".join(self.rng.choice(BASE32HEX) for _ in range(length))

    @staticmethod
    def new_secret(prefix, length=32):
        """A random opaque string for tokens and codes.

        Not drawn from the seeded generator: after a reset the same seed would
        hand out the same tokens again, and a client still holding an old
        token would silently act as whoever got it next.
        """
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        return prefix + "".join(secrets.choice(alphabet) for _ in range(length))

    def expire_sync_tokens(self):
        """Make every sync and page token handed out so far invalid."""
        with self.lock:
            self.epoch += 1

    # -- signed opaque tokens -------------------------------------------
    def encode_token(self, kind, payload):
        """Sign ``payload`` (JSON-able) into an opaque url-safe string."""
        raw = json.dumps([kind, self.epoch, payload], separators=(",", ":")).encode()
        sig = hmac.new(self._secret, raw, hashlib.sha256).digest()[:12]
        return base64.urlsafe_b64encode(raw + sig).decode().rstrip("=")

    def decode_token(self, kind, token):
        """Return the payload of a token made by :meth:`encode_token`, or None.

        None covers every way a token can be bad: not ours, tampered with, of
        another kind, or from an earlier epoch (expired).
        """
        if not isinstance(token, str) or not token or len(token) > 4096:
            return None
        try:
            blob = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (ValueError, TypeError):
            return None
        raw, sig = blob[:-12], blob[-12:]
        good = hmac.new(self._secret, raw, hashlib.sha256).digest()[:12]
        if not hmac.compare_digest(sig, good):
            return None
        try:
            token_kind, epoch, payload = json.loads(raw)
        except ValueError:
            return None
        if token_kind != kind or epoch != self.epoch:
            return None
        return payload
