"""Push notifications (events.watch / channels.stop), delivered like Google's.

A channel watches one calendar's events. Google POSTs an empty body with
``X-Goog-*`` headers: first ``X-Goog-Resource-State: sync`` right after the
channel is created, then ``exists`` after every change. Messages are numbered
per channel.

Delivery happens on one background thread with a short timeout, so an API
request never waits for (or fails because of) a slow receiver.

Google wants an HTTPS address (``push.webhookUrlNotHttps`` otherwise) and a
channel id of at most 64 characters. The emulator also only sends to loopback
addresses (it must never send traffic elsewhere); since a test receiver is
plain HTTP, ``allow_loopback_http`` (on by default) accepts ``http://`` for a
loopback host. Channels expire: after ``expiration`` they are gone (no more
notifications, ``channels.stop`` is 404, the id can be used again).
"""

import http.client
import ipaddress
import queue
import re
import threading
from email.utils import formatdate
from urllib.parse import quote, urlsplit

from . import errors

DEFAULT_TTL = 7 * 24 * 3600
MAX_TTL = 30 * 24 * 3600
DELIVERY_TIMEOUT = 2.0
MAX_CHANNEL_ID = 64
_CHANNEL_ID_RE = re.compile(r"^[A-Za-z0-9\-_+/=]+$")


def is_loopback_url(address):
    """True for http(s) URLs whose host is 127.0.0.0/8, ::1 or localhost."""
    try:
        parts = urlsplit(address)
        host = parts.hostname
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class PushHub:
    """Channels and their delivery queue."""

    def __init__(self, store, allow_loopback_http=True):
        self.store = store
        self.allow_loopback_http = allow_loopback_http
        self.channels = {}  # channel id -> dict
        self.deliveries = []  # what was sent, for tests and the admin API
        self._queue = queue.Queue()
        self._pending = 0
        self._idle = threading.Condition()
        self._worker = None

    def reset(self):
        """Forget every channel and delivery record."""
        with self.store.lock:
            self.channels.clear()
            self.deliveries = []

    # -- API ----------------------------------------------------------------
    def watch(self, email, calendar_id, body, base_url, event_types=None):
        """events.watch: validate and register a channel, then send ``sync``.
        ``event_types``: the ``eventTypes`` parameter; the channel then only
        hears of changes to events of those types ("If no type is specified, the
        request will result in subscribing to all event types")."""
        if not isinstance(body, dict):
            raise errors.parse_error()
        for key in ("id", "type", "address"):
            if not body.get(key):
                raise errors.required("Required: %s" % key)
        if body["type"] not in ("web_hook", "webhook"):
            raise errors.bad_request("Invalid value for: type")
        channel_id = body["id"]
        if (
            not isinstance(channel_id, str)
            or len(channel_id) > MAX_CHANNEL_ID
            or not _CHANNEL_ID_RE.match(channel_id)
        ):
            raise errors.bad_request(
                "Channel id must match [A-Za-z0-9\\-_\\+/=]+ and be at most %d "
                "characters: %s" % (MAX_CHANNEL_ID, channel_id),
                reason="invalid",
                location="id",
                locationType="other",
            )
        address = body["address"]
        scheme = urlsplit(address).scheme if isinstance(address, str) else ""
        loopback = is_loopback_url(address)
        if scheme != "https" and not (scheme == "http" and loopback and self.allow_loopback_http):
            raise errors.bad_request(
                "WebHook callback must be HTTPS: %s" % address, reason="push.webhookUrlNotHttps"
            )
        if not loopback:
            raise errors.bad_request(
                "Push address must be on a loopback host for the emulator: %s" % address,
                reason="push.webhookUrlNotAllowed",
            )
        now_ms = int(self.store.clock.time() * 1000)
        expiration = body.get("expiration")
        try:
            expiration = int(expiration) if expiration is not None else None
        except (TypeError, ValueError) as exc:
            raise errors.bad_request("Invalid value for: expiration") from exc
        if expiration is None or expiration <= now_ms:
            expiration = now_ms + DEFAULT_TTL * 1000
        expiration = min(expiration, now_ms + MAX_TTL * 1000)
        with self.store.lock:
            self.prune()
            if body["id"] in self.channels:
                raise errors.bad_request(
                    "Channel id %s not unique" % body["id"], reason="channelIdNotUnique"
                )
            resource_id = self.store.new_secret("", 27)
            uri = "%s/calendar/v3/calendars/%s/events?alt=json" % (
                base_url or "",
                quote(calendar_id, safe="@"),
            )
            channel = {
                "id": body["id"],
                "resourceId": resource_id,
                "resourceUri": uri,
                "token": body.get("token"),
                "expiration": expiration,
                "address": body["address"],
                "owner": email,
                "calendar_id": calendar_id,
                "event_types": sorted(set(event_types)) if event_types else None,
                "message_number": 0,
            }
            self.channels[body["id"]] = channel
            self._enqueue(channel, "sync")
        out = {
            "kind": "api#channel",
            "id": channel["id"],
            "resourceId": resource_id,
            "resourceUri": uri,
            "expiration": str(expiration),
        }
        if channel["token"]:
            out["token"] = channel["token"]
        return out

    def stop(self, email, body):
        """channels.stop: id and resourceId must both match a channel of the user."""
        if not isinstance(body, dict):
            raise errors.parse_error()
        with self.store.lock:
            self.prune()
            channel = self.channels.get(body.get("id") or "")
            if (
                channel is None
                or channel["resourceId"] != body.get("resourceId")
                or channel["owner"] != email
            ):
                raise errors.not_found()
            del self.channels[channel["id"]]

    def prune(self):
        """Forget the channels that expired (call under the store lock)."""
        now_ms = int(self.store.clock.time() * 1000)
        for channel in list(self.channels.values()):
            if channel["expiration"] <= now_ms:
                del self.channels[channel["id"]]

    def notify(self, calendar_id, event_type=None):
        """Called (under the store lock) after every change to a calendar's events;
        ``event_type``: the changed event's, for channels watching some types only."""
        now_ms = int(self.store.clock.time() * 1000)
        for channel in list(self.channels.values()):
            if channel["calendar_id"] != calendar_id:
                continue
            wanted = channel.get("event_types")
            if wanted and event_type is not None and event_type not in wanted:
                continue
            if channel["expiration"] <= now_ms or calendar_id not in self.store.calendars:
                del self.channels[channel["id"]]
                continue
            self._enqueue(channel, "exists")

    # -- delivery -------------------------------------------------------------
    def _enqueue(self, channel, state):
        channel["message_number"] += 1
        headers = {
            "X-Goog-Channel-ID": channel["id"],
            "X-Goog-Message-Number": str(channel["message_number"]),
            "X-Goog-Resource-ID": channel["resourceId"],
            "X-Goog-Resource-State": state,
            "X-Goog-Resource-URI": channel["resourceUri"],
            "X-Goog-Channel-Expiration": formatdate(channel["expiration"] / 1000.0, usegmt=True),
        }
        if channel["token"]:
            headers["X-Goog-Channel-Token"] = channel["token"]
        with self._idle:
            self._pending += 1
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="emulator-push", daemon=True)
                self._worker.start()
        self._queue.put((channel["address"], headers))

    def _run(self):
        while True:
            item = self._queue.get()
            if item is None:
                return
            address, headers = item
            record = {
                "address": address,
                "channel_id": headers["X-Goog-Channel-ID"],
                "state": headers["X-Goog-Resource-State"],
                "message_number": int(headers["X-Goog-Message-Number"]),
                "status": None,
                "error": None,
            }
            try:
                record["status"] = self._post(address, headers)
            except (OSError, ValueError, http.client.HTTPException) as exc:
                record["error"] = str(exc)
            with self._idle:
                self.deliveries.append(record)
                self._pending -= 1
                self._idle.notify_all()

    @staticmethod
    def _post(address, headers):
        """POST an empty body, header names spelled exactly as Google does
        (urllib would re-case them), straight to the address (no proxy)."""
        parts = urlsplit(address)
        connection_class = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        connection = connection_class(parts.hostname, parts.port, timeout=DELIVERY_TIMEOUT)
        try:
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            connection.request("POST", path, body=b"", headers=headers)
            return connection.getresponse().status
        finally:
            connection.close()

    def wait_idle(self, timeout=5.0):
        """Block until every queued notification was attempted; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self):
        """Stop the delivery thread (pending notifications are dropped)."""
        if self._worker is not None and self._worker.is_alive():
            self._queue.put(None)
            self._worker.join(timeout=DELIVERY_TIMEOUT + 1)
        self._worker = None
