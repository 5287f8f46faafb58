# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Talks HTTP to Google Calendar, and only that.

- The service is built by googleapiclient from the discovery document bundled
  with the library (no discovery request), pointed at a configurable endpoint
  (the emulator in tests). googleapiclient derives the batch URI from the
  document's ``rootUrl``, not from the endpoint, so it is derived here.
- Credentials are google-auth's (:mod:`.credentials`), refreshed through a
  configurable token URI by ``AuthorizedHttp`` (on 401, or before a call when
  the expiry is known).
- Every request has a socket timeout; transient failures are retried with
  :mod:`.backoff`; writes go in batch requests of at most 50 calls, and only
  the calls that failed transiently are sent again.
- ``list_changes`` pages through ``events.list``, incrementally with a sync
  token, and falls back to a full listing when Google answers 410.

Nothing here knows RDVs: the executor turns plan actions into :class:`Write`.
"""
# googleapiclient builds ``events()``, ``calendars()``... at run time.
# pylint: disable=no-member

import json
from dataclasses import dataclass

import google_auth_httplib2
import httplib2
from google.auth.exceptions import RefreshError, TransportError
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError
from googleapiclient.http import BatchHttpRequest

from .backoff import Backoff, is_rate_limit, is_transient, parse_retry_after
from .credentials import DEFAULT_TIMEOUT, TimedCredentials, refresh_is_temporary
from .mapping import PROP_DATABASE

MAX_BATCH = 50
PAGE_SIZE = 2500
# A socket timeout is an OSError; httplib2 raises its own errors for the rest.
NETWORK_ERRORS = (OSError, httplib2.HttpLib2Error, TransportError)


class GoogleError(Exception):
    """A Calendar API call failed for good (or ran out of retries)."""

    def __init__(self, status, reason, message="", transient=False, retry_after=None):
        super().__init__("%s %s %s" % (status, reason, message))
        self.message = message
        self.status = status
        self.reason = reason
        self.transient = transient
        self.retry_after = retry_after

    @property
    def rate_limited(self):
        """Google refused for its per-minute quotas."""
        return is_rate_limit(self.status, self.reason)


class ReconnectNeeded(Exception):
    """The refresh token was refused (revoked, expired): the user must consent again."""


def calendar_mark(database_uuid):
    """What a dedicated calendar's description carries of the database that
    made it: Google keeps no private properties on a calendar, and the mark
    outlives every event the calendar held."""
    return "[openfire:%s]" % database_uuid


@dataclass(frozen=True)
class ChangeSet:
    """One listing: the events, the token for the next incremental listing,
    and whether it was a full listing (first sync, or the token expired)."""

    events: list
    next_sync_token: str | None
    full: bool


@dataclass(frozen=True)
class Write:
    """One event write: ``insert``, ``patch`` or ``delete``; ``etag`` is sent
    as If-Match (updates and deletes), ``body`` is the JSON body."""

    method: str
    event_id: str
    body: dict | None = None
    etag: str | None = None


@dataclass(frozen=True)
class WriteResult:
    """The outcome of one :class:`Write` (``event`` is Google's answer)."""

    ok: bool
    event: dict | None = None
    status: int | None = None
    reason: str = ""
    transient: bool = False
    retry_after: float | None = None


def _error_body(content):
    """Google's ``error`` object from an error response body, or {}."""
    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else str(content or "")
        error = json.loads(text).get("error")
    except (ValueError, AttributeError, TypeError, UnicodeDecodeError):
        return {}
    return error if isinstance(error, dict) else {}


def _error_of(exc):
    """(status, reason, message, retry_after) from a googleapiclient HttpError."""
    status = getattr(exc.resp, "status", None)
    error = _error_body(exc.content)
    details = error.get("errors")
    first = (
        details[0] if isinstance(details, list) and details and isinstance(details[0], dict) else {}
    )
    reason = first.get("reason") or error.get("status") or ""
    retry_after = parse_retry_after(exc.resp.get("retry-after")) if exc.resp else None
    return status, reason, error.get("message", ""), retry_after


def _batch_uri(document, api_endpoint):
    if not api_endpoint:
        return document["rootUrl"] + document["batchPath"]
    root = api_endpoint.rstrip("/") + "/"
    service_path = document["servicePath"]
    if root.endswith("/" + service_path):
        root = root[: -len(service_path)]
    return root + document["batchPath"]


class GoogleClient:
    """A Calendar v3 client for one user's credentials.

    ``api_endpoint`` defaults to Google's; ``timeout`` (seconds) applies to
    every request, token refreshes included. ``http`` replaces the underlying
    ``httplib2.Http`` (proxies, certificates, tests); it carries its own timeout.
    """

    def __init__(
        self, credentials, api_endpoint=None, timeout=DEFAULT_TIMEOUT, backoff=None, http=None
    ):
        document = json.loads(get_static_doc("calendar", "v3"))
        self.credentials = credentials
        if isinstance(credentials, TimedCredentials):
            credentials.refresh_timeout = timeout
        self.backoff = backoff or Backoff()
        self.http = google_auth_httplib2.AuthorizedHttp(
            credentials, http=http or httplib2.Http(timeout=timeout)
        )
        options = {"api_endpoint": api_endpoint} if api_endpoint else None
        self.service = build_from_document(document, http=self.http, client_options=options)
        self.batch_uri = _batch_uri(document, api_endpoint)
        self.page_size = PAGE_SIZE
        # googleapiclient rebuilds every method (docstrings included) on each
        # ``events()`` call: built once, it costs nothing per event.
        self.events = self.service.events()
        # API calls sent so far, as Google counts them for its quotas (each
        # part of a batch is one, each retry too): the scheduler's budgets.
        self.calls = 0
        # Set when Google's rate limits ended an operation (retries spent, or
        # a Retry-After longer than worth waiting): the Retry-After in seconds,
        # 0.0 when Google gave none. The scheduler holds the account that long.
        self.rate_limited = None

    def _note_rate_limit(self, retry_after):
        self.rate_limited = max(self.rate_limited or 0.0, float(retry_after or 0.0))

    # -- one request, with retries --------------------------------------------
    def _execute(self, request):
        """Execute ``request``, retrying transient failures; raise GoogleError."""
        attempts = self.backoff.start()
        while True:
            self.calls += 1
            try:
                return request.execute(num_retries=0)
            except HttpError as exc:
                status, reason, message, retry_after = _error_of(exc)
                if not is_transient(status, reason):
                    raise GoogleError(status, reason, message) from exc
            except RefreshError as exc:
                if not refresh_is_temporary(exc):
                    raise ReconnectNeeded(str(exc)) from exc
                status, reason, message, retry_after = None, "network", str(exc), None
            except NETWORK_ERRORS as exc:
                status, reason, message, retry_after = None, "network", str(exc), None
            if not attempts.wait(retry_after):
                if is_rate_limit(status, reason):
                    self._note_rate_limit(retry_after)
                raise GoogleError(status, reason, message, transient=True, retry_after=retry_after)

    # -- reading ------------------------------------------------------------------
    def list_changes(self, calendar_id, sync_token=None):
        """Every event changed since ``sync_token`` (all events when None).

        Deleted events are included (as ``cancelled``). A sync token Google no
        longer accepts (410) turns into a full listing, flagged ``full``.
        """
        if sync_token:
            try:
                return self._list(calendar_id, sync_token)
            except GoogleError as exc:
                if exc.status != 410:
                    raise
        return self._list(calendar_id, None)

    def _list(self, calendar_id, sync_token):
        events, page_token = [], None
        while True:
            params = {"calendarId": calendar_id, "maxResults": self.page_size, "showDeleted": True}
            if sync_token:
                params["syncToken"] = sync_token
            if page_token:
                params["pageToken"] = page_token
            page = self._execute(self.events.list(**params))
            events.extend(page.get("items") or [])
            page_token = page.get("nextPageToken")
            if not page_token:
                return ChangeSet(events, page.get("nextSyncToken"), full=not sync_token)

    def get_event(self, calendar_id, event_id):
        """One event (a cancelled one comes back with status ``cancelled``)."""
        return self._execute(self.events.get(calendarId=calendar_id, eventId=event_id))

    def free_busy(self, calendar_ids, time_min, time_max):
        """freeBusy.query: ``{calendar id: {"busy": [...], "errors": [...]}}``
        for [time_min, time_max) (aware datetimes), at most 50 calendars."""
        body = {
            "timeMin": time_min.isoformat(),
            "timeMax": time_max.isoformat(),
            "items": [{"id": calendar_id} for calendar_id in calendar_ids],
        }
        answer = self._execute(self.service.freebusy().query(body=body))
        return answer.get("calendars") or {}

    def calendar_time_zone(self, calendar_id):
        """The zone of one of the user's calendars (its calendar list entry):
        where its all-day events start and end."""
        entry = self._execute(
            self.service.calendarList().get(calendarId=calendar_id, fields="timeZone")
        )
        return entry.get("timeZone")

    def list_typed_events(self, calendar_id, time_min, time_max, event_types):
        """The events of these types (``outOfOffice``, ``workingLocation``)
        between time_min and time_max, one per occurrence; only their times,
        type and place are asked for (``fields``), never what they are."""
        return self.typed_events(calendar_id, time_min, time_max, event_types)[0]

    def typed_events(self, calendar_id, time_min, time_max, event_types):
        """(:meth:`list_typed_events`, the calendar's time zone): the zone
        comes with the listing (``timeZone``), where all-day events start and
        end, so it costs no call of its own."""
        items, page_token, zone = [], None, None
        fields = (
            "nextPageToken,timeZone,items(id,status,start,end,eventType,transparency,"
            "workingLocationProperties(type,customLocation/label,officeLocation/label))"
        )
        while True:
            request = self.events.list(
                calendarId=calendar_id,
                timeMin=time_min.isoformat(),
                timeMax=time_max.isoformat(),
                singleEvents=True,
                eventTypes=list(event_types),
                maxResults=2500,
                pageToken=page_token,
                fields=fields,
            )
            page = self._execute(request)
            items.extend(page.get("items") or [])
            zone = zone or page.get("timeZone")
            page_token = page.get("nextPageToken")
            if not page_token:
                return items, zone

    def list_calendars(self):
        """The user's calendar list entries (id, summary, timeZone, primary...),
        hidden ones included: a calendar hidden on the phone is still his, and
        still the one the sync writes to."""
        items, page_token = [], None
        while True:
            params = {"showHidden": True}
            if page_token:
                params["pageToken"] = page_token
            page = self._execute(self.service.calendarList().list(**params))
            items.extend(page.get("items") or [])
            page_token = page.get("nextPageToken")
            if not page_token:
                return items

    def calendar_exists(self, calendar_id):
        """False when Google has no such calendar (deleted, or never shared
        with this account): a 404 on the calendar itself, where a 404 on
        one of its events says nothing of the calendar."""
        try:
            self._execute(self.service.calendars().get(calendarId=calendar_id, fields="id"))
        except GoogleError as exc:
            if exc.status == 404:
                return False
            raise
        return True

    def find_own_calendar(self, summary, database_uuid, remembered=None):
        """The id of the dedicated calendar an earlier installation on the
        same database made in this user's Google account, to sync into again
        rather than beside it; None when there is none. Whatever it holds
        (its events all cancelled, or only made on the phone), it is found:

        1. ``remembered``, the id the caller kept of it, while the user owns
           that calendar;
        2. else an owned calendar named ``summary`` whose description carries
           the database's mark (:func:`calendar_mark`, written by
           :meth:`create_calendar`): one Google account may hold several
           calendars of the database (a planner holding his technicians'),
           told apart by their names;
        3. else (a calendar made before the mark existed) an owned calendar
           named ``summary`` holding a live event of the database (its
           private properties, see :mod:`.mapping`)."""
        owned = [e for e in self.list_calendars() if e.get("accessRole") == "owner"]
        if remembered and any(entry.get("id") == remembered for entry in owned):
            return remembered
        mark = calendar_mark(database_uuid)
        marked = [
            entry
            for entry in owned
            if entry.get("summary") == summary and mark in (entry.get("description") or "")
        ]
        if marked:
            return marked[0]["id"]
        for entry in owned:
            if entry.get("summary") != summary:
                continue
            page = self._execute(
                self.events.list(
                    calendarId=entry["id"],
                    privateExtendedProperty="%s=%s" % (PROP_DATABASE, database_uuid),
                    maxResults=1,
                    fields="items(id)",
                )
            )
            if page.get("items"):
                return entry["id"]
        return None

    def create_calendar(self, summary, time_zone, description=None, database_uuid=None):
        """Create a secondary calendar (the dedicated "Interventions" one); its
        id. ``database_uuid`` marks it as this database's in its description
        (after ``description``), so that an installation on the same database
        finds it again (:meth:`find_own_calendar`)."""
        body = {"summary": summary, "timeZone": time_zone}
        text = " ".join(
            part for part in (description, database_uuid and calendar_mark(database_uuid)) if part
        )
        if text:
            body["description"] = text
        return self._execute(self.service.calendars().insert(body=body))["id"]

    def share_calendar(self, calendar_id, email, role):
        """Give ``email`` access to the calendar (an ACL rule: ``reader`` or
        ``writer``); a rule for that user already there gets the new role.
        Returns the rule's id."""
        body = {"scope": {"type": "user", "value": email}, "role": role}
        request = self.service.acl().insert(
            calendarId=calendar_id, body=body, sendNotifications=False
        )
        return self._execute(request)["id"]

    def shared_role(self, calendar_id, rule_id):
        """The role an ACL rule gives, None when the rule is gone (the
        calendar was unshared in Google)."""
        try:
            rule = self._execute(self.service.acl().get(calendarId=calendar_id, ruleId=rule_id))
        except GoogleError as exc:
            if exc.status in (404, 410):
                return None
            raise
        return rule.get("role")

    def unshare_calendar(self, calendar_id, rule_id):
        """Withdraw an ACL rule (gone already: nothing to do)."""
        try:
            self._execute(self.service.acl().delete(calendarId=calendar_id, ruleId=rule_id))
        except GoogleError as exc:
            if exc.status not in (404, 410):
                raise

    def watch(self, calendar_id, channel_id, address, token=None, ttl_seconds=None):
        """Ask Google to POST to ``address`` when the calendar's events change."""
        body = {"id": channel_id, "type": "web_hook", "address": address}
        if token:
            body["token"] = token
        if ttl_seconds:
            body["params"] = {"ttl": str(int(ttl_seconds))}
        return self._execute(self.events.watch(calendarId=calendar_id, body=body))

    def stop_channel(self, channel_id, resource_id):
        """Stop push notifications of a channel made by :meth:`watch`."""
        body = {"id": channel_id, "resourceId": resource_id}
        self._execute(self.service.channels().stop(body=body))

    # -- writing ------------------------------------------------------------------
    def _request(self, calendar_id, write):
        events = self.events
        if write.method == "insert":
            request = events.insert(calendarId=calendar_id, body=write.body, sendUpdates="none")
        elif write.method == "patch":
            request = events.patch(
                calendarId=calendar_id, eventId=write.event_id, body=write.body, sendUpdates="none"
            )
        elif write.method == "delete":
            request = events.delete(
                calendarId=calendar_id, eventId=write.event_id, sendUpdates="none"
            )
        else:
            raise ValueError("unknown write method %r" % write.method)
        if write.etag and write.method != "insert":
            request.headers["If-Match"] = write.etag
        return request

    def _run_batch(self, calendar_id, writes, indexes):
        """Send ``writes[i] for i in indexes`` in one batch; {index: WriteResult}."""
        results = {}

        def collect(request_id, response, exception):
            index = int(request_id)
            if exception is None:
                results[index] = WriteResult(ok=True, event=response or None)
                return
            if isinstance(exception, HttpError):
                status, reason, message, retry_after = _error_of(exception)
            else:
                status, reason, message, retry_after = None, "error", str(exception), None
            results[index] = WriteResult(
                ok=False,
                status=status,
                reason=reason or message,
                transient=is_transient(status, reason),
                retry_after=retry_after,
            )

        batch = BatchHttpRequest(callback=collect, batch_uri=self.batch_uri)
        self.calls += len(indexes)
        for index in indexes:
            batch.add(self._request(calendar_id, writes[index]), request_id=str(index))
        try:
            batch.execute(http=self.http)
        except HttpError as exc:
            status, reason, message, retry_after = _error_of(exc)
            failure = WriteResult(
                ok=False,
                status=status,
                reason=reason or message,
                transient=is_transient(status, reason),
                retry_after=retry_after,
            )
            return {index: results.get(index, failure) for index in indexes}
        except RefreshError as exc:
            if not refresh_is_temporary(exc):
                raise ReconnectNeeded(str(exc)) from exc
            failure = WriteResult(ok=False, reason="network: %s" % exc, transient=True)
            return {index: results.get(index, failure) for index in indexes}
        except NETWORK_ERRORS as exc:
            failure = WriteResult(ok=False, reason="network: %s" % exc, transient=True)
            return {index: results.get(index, failure) for index in indexes}
        missing = WriteResult(ok=False, reason="no answer in the batch", transient=True)
        return {index: results.get(index, missing) for index in indexes}

    def write_events(self, calendar_id, writes):
        """Apply ``writes`` in batches of at most 50; one WriteResult per write.

        Calls that fail transiently are retried together, after one backoff
        pause per round, until they succeed or the budget is spent (then they
        are returned with ``transient=True``: retry at the next sync).
        """
        results = [None] * len(writes)
        pending = list(range(len(writes)))
        attempts = self.backoff.start()
        while pending:
            retry, retry_after, limited = [], None, False
            for start in range(0, len(pending), MAX_BATCH):
                chunk = pending[start : start + MAX_BATCH]
                for index, result in self._run_batch(calendar_id, writes, chunk).items():
                    if not result.ok and result.transient:
                        retry.append(index)
                        limited = limited or is_rate_limit(result.status, result.reason)
                        if result.retry_after is not None:
                            retry_after = max(retry_after or 0.0, result.retry_after)
                    results[index] = result
            pending = sorted(retry)
            if pending and not attempts.wait(retry_after):
                if limited:
                    self._note_rate_limit(retry_after)
                break
        return results

    # The same, under its first name (a method called ``write`` is taken for an
    # ORM override by pylint-odoo, hence ``write_events``).
    write = write_events
