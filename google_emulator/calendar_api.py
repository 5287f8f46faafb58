"""The Calendar API v3 REST surface: routing, authentication, scopes, faults,
quota and the request log, in front of :class:`service.CalendarService`.

One call is described by an :class:`ApiRequest` whether it arrived as an HTTP
request or as a part of a batch, so both paths share every check. The order
of the checks is: route, injected fault, bearer token, scopes, Google's
per-minute quotas (per user per project, per project), the per-user budget,
then the operation itself; anything that fails before the operation changes
nothing.
"""

import json
from urllib.parse import parse_qsl, unquote, urlsplit

from werkzeug.datastructures import Headers, MultiDict

from . import errors
from .eventtypes import EVENT_TYPES
from .faults import quota_error
from .fields import apply_fields, parse_fields
from .service import CALENDAR_COLORS, DEFAULT_PAGE, EVENT_COLORS
from .timeutil import format_datetime, get_zone, parse_datetime, parse_query_time

PREFIX = "/calendar/v3"

_EVENT_READ = (
    "calendar",
    "calendar.app.created",
    "calendar.events",
    "calendar.events.freebusy",
    "calendar.events.owned",
    "calendar.events.owned.readonly",
    "calendar.events.public.readonly",
    "calendar.events.readonly",
    "calendar.readonly",
)
_EVENT_WRITE = ("calendar", "calendar.app.created", "calendar.events", "calendar.events.owned")
_LIST_READ = (
    "calendar",
    "calendar.app.created",
    "calendar.calendarlist",
    "calendar.calendarlist.readonly",
    "calendar.readonly",
)
_CAL_READ = (
    "calendar",
    "calendar.app.created",
    "calendar.calendars",
    "calendar.calendars.readonly",
    "calendar.readonly",
)
_CAL_WRITE = ("calendar", "calendar.app.created", "calendar.calendars")
_LIST_WRITE = ("calendar", "calendar.app.created", "calendar.calendarlist")
_LIST_INSERT = ("calendar", "calendar.calendarlist")
_EVENT_MOVE = ("calendar", "calendar.events", "calendar.events.owned")
_SETTINGS = ("calendar", "calendar.readonly", "calendar.settings", "calendar.settings.readonly")
_ACL_READ = ("calendar", "calendar.acls", "calendar.acls.readonly")
_ACL_GET = _ACL_READ + ("calendar.readonly",)
_ACL_WRITE = ("calendar", "calendar.acls")
# freebusy.query's scopes in the discovery document: calendar.freebusy is the
# narrowest (free/busy only, no event at all).
_FREEBUSY = ("calendar", "calendar.events.freebusy", "calendar.freebusy", "calendar.readonly")
_ANY = tuple(sorted(set(_EVENT_READ + _LIST_READ + _CAL_READ + _SETTINGS + _ACL_READ)))
SCOPE_PREFIX = "https://www.googleapis.com/auth/"

# (HTTP method, path pattern, method name, allowed scopes). "{x}" captures a
# segment. Methods of the API that are not emulated answer 501.
ROUTES = (
    ("GET", "users/me/calendarList", "calendarList.list", _LIST_READ),
    ("GET", "users/me/calendarList/{calendarId}", "calendarList.get", _LIST_READ),
    ("POST", "users/me/calendarList", "calendarList.insert", _LIST_INSERT),
    ("PATCH", "users/me/calendarList/{calendarId}", "calendarList.patch", _LIST_WRITE),
    ("PUT", "users/me/calendarList/{calendarId}", "calendarList.update", _LIST_WRITE),
    ("DELETE", "users/me/calendarList/{calendarId}", "calendarList.delete", _LIST_WRITE),
    ("POST", "calendars", "calendars.insert", _CAL_WRITE),
    ("GET", "calendars/{calendarId}", "calendars.get", _CAL_READ),
    ("PATCH", "calendars/{calendarId}", "calendars.patch", _CAL_WRITE),
    ("PUT", "calendars/{calendarId}", "calendars.update", _CAL_WRITE),
    ("DELETE", "calendars/{calendarId}", "calendars.delete", _CAL_WRITE),
    ("POST", "calendars/{calendarId}/clear", "calendars.clear", _CAL_WRITE),
    ("GET", "calendars/{calendarId}/events", "events.list", _EVENT_READ),
    ("POST", "calendars/{calendarId}/events", "events.insert", _EVENT_WRITE),
    ("POST", "calendars/{calendarId}/events/watch", "events.watch", _EVENT_READ),
    ("GET", "calendars/{calendarId}/events/{eventId}", "events.get", _EVENT_READ),
    ("PATCH", "calendars/{calendarId}/events/{eventId}", "events.patch", _EVENT_WRITE),
    ("PUT", "calendars/{calendarId}/events/{eventId}", "events.update", _EVENT_WRITE),
    ("DELETE", "calendars/{calendarId}/events/{eventId}", "events.delete", _EVENT_WRITE),
    ("GET", "calendars/{calendarId}/events/{eventId}/instances", "events.instances", _EVENT_READ),
    ("POST", "calendars/{calendarId}/events/{eventId}/move", "events.move", _EVENT_MOVE),
    ("POST", "channels/stop", "channels.stop", _ANY),
    ("GET", "colors", "colors.get", _ANY),
    ("GET", "users/me/settings", "settings.list", _SETTINGS),
    ("GET", "users/me/settings/{setting}", "settings.get", _SETTINGS),
    ("GET", "calendars/{calendarId}/acl", "acl.list", _ACL_READ),
    ("POST", "calendars/{calendarId}/acl", "acl.insert", _ACL_WRITE),
    ("POST", "calendars/{calendarId}/acl/watch", None, _ACL_READ),
    ("GET", "calendars/{calendarId}/acl/{ruleId}", "acl.get", _ACL_GET),
    ("PUT", "calendars/{calendarId}/acl/{ruleId}", "acl.update", _ACL_WRITE),
    ("PATCH", "calendars/{calendarId}/acl/{ruleId}", "acl.patch", _ACL_WRITE),
    ("DELETE", "calendars/{calendarId}/acl/{ruleId}", "acl.delete", _ACL_WRITE),
    ("POST", "freeBusy", "freebusy.query", _FREEBUSY),
    # Not emulated (501): listed so that clients get a clear answer. With
    # acl.watch above, these are the 6 of the discovery document's 38 methods
    # the emulator does not implement (NOT_EMULATED).
    ("POST", "calendars/{calendarId}/events/import", None, _ANY),
    ("POST", "calendars/{calendarId}/events/quickAdd", None, _ANY),
    ("POST", "users/me/calendarList/watch", None, _ANY),
    ("POST", "calendars/{calendarId}/transferOwnership", None, _ANY),
    ("POST", "users/me/settings/watch", None, _ANY),
)
NOT_EMULATED = (
    "acl.watch",
    "calendarList.watch",
    "calendars.transferOwnership",
    "events.import",
    "events.quickAdd",
    "settings.watch",
)
_COMPILED = tuple(
    (method, tuple(pattern.split("/")), name, scopes) for method, pattern, name, scopes in ROUTES
)


class ApiRequest:
    """One API call: from HTTP or from a batch part."""

    def __init__(self, method, path, query=None, headers=None, body=b""):
        self.method = method.upper()
        self.path = path
        self.query = query if query is not None else MultiDict()
        self.headers = headers if headers is not None else Headers()
        self.body = body or b""
        override = self.headers.get("X-HTTP-Method-Override")
        if override:
            self.method = override.upper()

    @classmethod
    def from_target(cls, method, target, headers, body):
        """Build from a request line target (``/path?query``), as in a batch part."""
        parts = urlsplit(target)
        query = MultiDict(parse_qsl(parts.query, keep_blank_values=True))
        return cls(method, unquote(parts.path), query, headers, body)

    def bearer(self):
        """The access token of the Authorization header, else of the
        ``access_token`` query parameter (which Google still accepts, and
        Odoo's own google_calendar uses), or None."""
        header = self.headers.get("Authorization", "")
        if header[:7].lower() == "bearer ":
            return header[7:].strip() or None
        return self.query.get("access_token") or None


class ApiResponse:
    """Status, headers and body bytes of one call."""

    def __init__(self, status, body=None, headers=None):
        self.status = status
        self.headers = dict(headers or {})
        if body is None:
            self.body = b""
        else:
            self.body = json.dumps(body).encode("utf-8")
            self.headers.setdefault("Content-Type", "application/json; charset=UTF-8")

    @classmethod
    def from_error(cls, exc):
        """Google's error body and headers."""
        response = cls(exc.status, exc.to_dict(), exc.headers)
        response.reason = exc.reason
        return response

    reason = None


def match_route(method, path):
    """(method name or None, scopes, path params) or None for an unknown path."""
    if not (path == PREFIX or path.startswith(PREFIX + "/")):
        return None
    segments = tuple(s for s in path[len(PREFIX) :].split("/") if s != "")
    for route_method, pattern, name, scopes in _COMPILED:
        if len(pattern) != len(segments) or route_method not in (method, "*"):
            continue
        params = {}
        for want, got in zip(pattern, segments, strict=True):
            if want.startswith("{"):
                params[want[1:-1]] = got
            elif want != got:
                break
        else:
            return name, scopes, params
    return None


def _bool(query, name, default=None):
    value = query.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise errors.bad_request(
        'Invalid boolean value: "%s".' % value,
        reason="invalidParameter",
        location=name,
        locationType="parameter",
    )


def _int(query, name, default):
    value = query.get(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise errors.bad_request(
            'Invalid integer value: "%s".' % value,
            reason="invalidParameter",
            location=name,
            locationType="parameter",
        ) from exc
    if number < 1:
        raise errors.bad_request("Invalid value for: %s" % name)
    return number


def _time(query, name):
    value = query.get(name)
    if value is None:
        return None
    parsed = parse_query_time(value)
    if parsed is None:
        raise errors.ApiError(400, "badRequest", "Bad Request")
    return parsed


def _times_in(event, zone):
    """The event with its ``dateTime`` values expressed in ``zone``, as events.list's
    ``timeZone`` parameter asks ("Time zone used in the response"); the instants, the
    dates of all-day events and the events' own ``timeZone`` fields are unchanged."""
    out = dict(event)
    for key in ("start", "end", "originalStartTime"):
        value = event.get(key)
        instant = parse_datetime(value.get("dateTime") or "") if isinstance(value, dict) else None
        if instant is not None and instant.tzinfo is not None:
            out[key] = dict(value, dateTime=format_datetime(instant.astimezone(zone)))
    return out


def _event_types(query):
    """The repeated ``eventTypes`` parameter of events.list and events.watch."""
    types = query.getlist("eventTypes")
    for value in types:
        if value not in EVENT_TYPES:
            raise errors.bad_request(
                'Invalid value for: eventTypes "%s"' % value,
                reason="invalidParameter",
                location="eventTypes",
                locationType="parameter",
            )
    return types


def _props(query, name):
    pairs = []
    for item in query.getlist(name):
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise errors.bad_request("Invalid value for: %s" % name)
        pairs.append((key, value))
    return pairs


def _json_body(request):
    if not request.body.strip():
        return {}
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise errors.parse_error() from exc
    if not isinstance(body, dict):
        raise errors.parse_error()
    return body


class CalendarApi:
    """Executes API calls for the emulator (see :meth:`call`)."""

    def __init__(self, emulator):
        self.emu = emulator
        self.service = emulator.service

    def call(self, request, in_batch=False, fallback_token=None):
        """Run one call through every check and log it; never raises."""
        route = match_route(request.method, request.path)
        token = request.bearer() or fallback_token
        email = self.emu.oauth.owner_of(token) if token else None
        entry = self.emu.log.add(
            method=request.method,
            path=request.path,
            in_batch=in_batch,
            email=email,
            client_id=self.emu.oauth.client_of(token) if token else None,
        )
        fault = None
        try:
            if route is None:
                raise errors.not_found()
            fault = self.emu.faults.draw("part" if in_batch else "request")
            if fault:
                if fault == "401" and token:
                    self.emu.oauth.expire_access_token(token)
                raise self.emu.faults.error(fault)
            record = self.emu.oauth.authenticate(token) if token else None
            if record is None:
                raise errors.auth_error()
            name, allowed, params = route
            granted = {
                s[len(SCOPE_PREFIX) :] if s.startswith(SCOPE_PREFIX) else s
                for s in record["scopes"]
            }
            if not granted & set(allowed):
                raise errors.insufficient_scopes()
            if name is None:
                raise errors.ApiError(501, "notImplemented", "This method is not emulated.")
            limited = self.emu.rate_limits.check(record["client_id"], record["email"])
            if limited is not None:
                raise limited
            if not self.emu.quotas.consume(record["email"]):
                raise quota_error()
            selection = request.query.get("fields")
            tree = parse_fields(selection) if selection else None
            response = getattr(self, "_" + name.replace(".", "_"))(record["email"], request, params)
            if tree is not None and response.status == 200 and response.body:
                response.body = json.dumps(apply_fields(json.loads(response.body), tree)).encode(
                    "utf-8"
                )
        except errors.ApiError as exc:
            response = ApiResponse.from_error(exc)
        entry.update(status=response.status, fault=fault, reason=response.reason)
        return response

    # -- calendarList, calendars, settings, colors ---------------------------------
    def _calendarList_list(self, email, request, params):
        del params
        return ApiResponse(
            200,
            self.service.list_calendars(
                email,
                show_hidden=_bool(request.query, "showHidden", False),
                min_access_role=request.query.get("minAccessRole"),
            ),
        )

    def _calendarList_get(self, email, request, params):
        del request
        return ApiResponse(200, self.service.get_calendar_list_entry(email, params["calendarId"]))

    def _calendarList_insert(self, email, request, params):
        del params
        return ApiResponse(
            200,
            self.service.insert_calendar_list(
                email, _json_body(request), color_rgb=_bool(request.query, "colorRgbFormat", False)
            ),
        )

    def _calendarList_patch(self, email, request, params, partial=True):
        return ApiResponse(
            200,
            self.service.update_calendar_list(
                email,
                params["calendarId"],
                _json_body(request),
                partial=partial,
                color_rgb=_bool(request.query, "colorRgbFormat", False),
            ),
        )

    def _calendarList_update(self, email, request, params):
        return self._calendarList_patch(email, request, params, partial=False)

    def _calendarList_delete(self, email, request, params):
        del request
        self.service.delete_calendar_list(email, params["calendarId"])
        return ApiResponse(204)

    def _calendars_patch(self, email, request, params):
        return ApiResponse(
            200,
            self.service.update_calendar(
                email, params["calendarId"], _json_body(request), partial=True
            ),
        )

    def _calendars_update(self, email, request, params):
        return ApiResponse(
            200, self.service.update_calendar(email, params["calendarId"], _json_body(request))
        )

    def _calendars_insert(self, email, request, params):
        del params
        return ApiResponse(200, self.service.insert_calendar(email, _json_body(request)))

    def _calendars_get(self, email, request, params):
        del request
        return ApiResponse(200, self.service.get_calendar(email, params["calendarId"]))

    def _calendars_delete(self, email, request, params):
        del request
        self.service.delete_calendar(email, params["calendarId"])
        return ApiResponse(204)

    def _calendars_clear(self, email, request, params):
        del request
        self.service.clear_calendar(email, params["calendarId"])
        return ApiResponse(204)

    def _settings(self, email):
        zone = self.service.calendar(email, "primary").time_zone
        return [
            {"kind": "calendar#setting", "etag": '"1"', "id": "timezone", "value": zone},
            {"kind": "calendar#setting", "etag": '"1"', "id": "locale", "value": "fr"},
            {"kind": "calendar#setting", "etag": '"1"', "id": "weekStart", "value": "1"},
        ]

    def _settings_list(self, email, request, params):
        del request, params
        with self.service.lock:
            return ApiResponse(
                200, {"kind": "calendar#settings", "etag": '"1"', "items": self._settings(email)}
            )

    def _settings_get(self, email, request, params):
        del request
        with self.service.lock:
            for item in self._settings(email):
                if item["id"] == params["setting"]:
                    return ApiResponse(200, item)
        raise errors.not_found()

    def _colors_get(self, email, request, params):
        del email, request, params
        event = {
            key: {"background": value, "foreground": "#1d1d1d"}
            for key, value in EVENT_COLORS.items()
        }
        return ApiResponse(
            200,
            {
                "kind": "calendar#colors",
                "updated": "2012-02-14T00:00:00.000Z",
                "calendar": {
                    key: {"background": value, "foreground": "#000000"}
                    for key, value in CALENDAR_COLORS.items()
                },
                "event": event,
            },
        )

    # -- events -----------------------------------------------------------------
    def _events_list(self, email, request, params):
        query = request.query
        result = self.service.list_events(
            email,
            params["calendarId"],
            sync_token=query.get("syncToken"),
            page_token=query.get("pageToken"),
            max_results=_int(query, "maxResults", DEFAULT_PAGE),
            show_deleted=_bool(query, "showDeleted"),
            single_events=_bool(query, "singleEvents", False),
            time_min=_time(query, "timeMin"),
            time_max=_time(query, "timeMax"),
            updated_min=_time(query, "updatedMin"),
            ical_uid=query.get("iCalUID"),
            private_props=_props(query, "privateExtendedProperty"),
            shared_props=_props(query, "sharedExtendedProperty"),
            q=query.get("q"),
            order_by=query.get("orderBy"),
            event_types=_event_types(query),
        )
        zone = get_zone(query.get("timeZone") or "")
        if zone is not None:
            result = dict(result, items=[_times_in(item, zone) for item in result["items"]])
        return ApiResponse(200, result)

    @staticmethod
    def _event_response(event, status=200):
        return ApiResponse(status, event, {"ETag": event["etag"]})

    def _events_insert(self, email, request, params):
        body = _json_body(request)
        return self._event_response(self.service.insert_event(email, params["calendarId"], body))

    def _events_get(self, email, request, params):
        event = self.service.get_event(email, params["calendarId"], params["eventId"])
        if request.headers.get("If-None-Match") == event["etag"]:
            return ApiResponse(304, None, {"ETag": event["etag"]})
        return self._event_response(event)

    def _events_patch(self, email, request, params):
        body = _json_body(request)
        return self._event_response(
            self.service.patch_event(
                email,
                params["calendarId"],
                params["eventId"],
                body,
                if_match=request.headers.get("If-Match"),
            )
        )

    def _events_update(self, email, request, params):
        body = _json_body(request)
        return self._event_response(
            self.service.update_event(
                email,
                params["calendarId"],
                params["eventId"],
                body,
                if_match=request.headers.get("If-Match"),
            )
        )

    def _events_delete(self, email, request, params):
        self.service.delete_event(
            email, params["calendarId"], params["eventId"], if_match=request.headers.get("If-Match")
        )
        return ApiResponse(204)

    def _events_move(self, email, request, params):
        moved = self.service.move_event(
            email, params["calendarId"], params["eventId"], request.query.get("destination")
        )
        return self._event_response(moved)

    def _events_instances(self, email, request, params):
        query = request.query
        result = self.service.instances(
            email,
            params["calendarId"],
            params["eventId"],
            time_min=_time(query, "timeMin"),
            time_max=_time(query, "timeMax"),
            max_results=_int(query, "maxResults", DEFAULT_PAGE),
            page_token=query.get("pageToken"),
            show_deleted=_bool(query, "showDeleted", False),
            original_start=query.get("originalStart"),
        )
        return ApiResponse(200, result)

    def _events_watch(self, email, request, params):
        body = _json_body(request)
        types = _event_types(request.query)
        with self.service.lock:
            cal = self.service.calendar(email, params["calendarId"], "reader")
            return ApiResponse(
                200, self.emu.push.watch(email, cal.id, body, self.emu.base_url, types)
            )

    # -- freeBusy ---------------------------------------------------------------
    def _freebusy_query(self, email, request, params):
        del params
        return ApiResponse(200, self.service.free_busy(email, _json_body(request)))

    # -- acl ------------------------------------------------------------------
    def _acl_list(self, email, request, params):
        del request
        return ApiResponse(200, self.service.list_acl(email, params["calendarId"]))

    def _acl_get(self, email, request, params):
        del request
        return ApiResponse(200, self.service.get_acl(email, params["calendarId"], params["ruleId"]))

    def _acl_insert(self, email, request, params):
        return ApiResponse(
            200, self.service.insert_acl(email, params["calendarId"], _json_body(request))
        )

    def _acl_update(self, email, request, params):
        return ApiResponse(
            200,
            self.service.update_acl(
                email, params["calendarId"], params["ruleId"], _json_body(request)
            ),
        )

    def _acl_patch(self, email, request, params):
        return ApiResponse(
            200,
            self.service.update_acl(
                email, params["calendarId"], params["ruleId"], _json_body(request), partial=True
            ),
        )

    def _acl_delete(self, email, request, params):
        del request
        self.service.delete_acl(email, params["calendarId"], params["ruleId"])
        return ApiResponse(204)

    def _channels_stop(self, email, request, params):
        del params
        self.emu.push.stop(email, _json_body(request))
        return ApiResponse(204)
