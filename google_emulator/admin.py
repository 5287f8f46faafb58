"""The admin API under ``/_emulator/``: the Python admin methods as JSON.

It exists for the demo and for tests running in another process (Odoo's test
runner) that cannot call the :class:`Emulator` object directly. Bodies and
answers are JSON; errors use Google's error shape. The README lists every
route.
"""

import json

from werkzeug.wrappers import Response

from .errors import ApiError


def _json(body, status=200):
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _error(status, message, reason="invalid"):
    return _json(ApiError(status, reason, message).to_dict(), status)


class AdminApi:
    """Routes of ``/_emulator/``."""

    def __init__(self, emulator):
        self.emu = emulator

    def handle(self, request):
        """Dispatch an admin request; never raises."""
        parts = [p for p in request.path.split("/") if p][1:]
        try:
            body = self._body(request)
            if parts and parts[0] == "phone":
                return self._phone(request, parts[1:], body)
            if len(parts) == 3 and parts[0] == "accounts" and parts[2] == "items":
                if request.method != "GET":
                    return _error(405, "Method not allowed", "methodNotAllowed")
                flag = request.args.get("include_cancelled", "").lower() in ("1", "true")
                return _json(self.emu.account_items(parts[1], include_cancelled=flag))
            key = (request.method, "/".join(parts))
            handler = self._routes().get(key)
            if handler is None:
                return _error(404, "Unknown admin route %s %s" % key, "notFound")
            return handler(request, body)
        except ApiError as exc:
            return _json(exc.to_dict(), exc.status)
        except (KeyError, ValueError, TypeError) as exc:
            return _error(400, "%s: %s" % (type(exc).__name__, exc))

    @staticmethod
    def _body(request):
        if request.method in ("GET", "HEAD", "DELETE") or not request.get_data():
            return {}
        body = json.loads(request.get_data().decode("utf-8"))
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return body

    def _routes(self):
        emu = self.emu
        return {
            ("GET", ""): lambda r, b: _json(self._info()),
            ("POST", "reset"): lambda r, b: self._done(emu.reset()),
            ("POST", "clients"): lambda r, b: self._done(
                emu.add_client(b["client_id"], b["client_secret"], b.get("redirect_uris", []))
            ),
            ("GET", "accounts"): lambda r, b: _json({"accounts": self._accounts()}),
            ("POST", "accounts"): lambda r, b: _json(
                {
                    "email": emu.add_account(b["email"], b.get("time_zone", "UTC")),
                    "primary_calendar_id": b["email"],
                }
            ),
            ("POST", "calendars"): lambda r, b: _json(
                {"id": emu.add_calendar(b["email"], b["summary"], b.get("time_zone"))}
            ),
            ("POST", "tokens"): lambda r, b: _json(
                emu.mint_token(b["email"], b.get("client_id"), b.get("scopes"))
            ),
            ("POST", "tokens/expire"): lambda r, b: self._done(
                emu.expire_access_tokens(b.get("email"))
            ),
            ("POST", "tokens/revoke"): lambda r, b: self._done(emu.revoke(b["email"])),
            ("POST", "token-outage"): lambda r, b: self._done(
                emu.set_token_outage(b.get("status"))
            ),
            ("POST", "sync-tokens/expire"): lambda r, b: self._done(emu.expire_sync_tokens()),
            ("POST", "clock/advance"): lambda r, b: self._done(
                emu.advance_clock(float(b["seconds"]))
            ),
            ("GET", "faults"): lambda r, b: _json(emu.faults.settings()),
            ("POST", "faults"): self._set_faults,
            ("POST", "quota"): lambda r, b: self._done(
                emu.set_quota(b["email"], b.get("max_requests"))
            ),
            ("POST", "service-accounts"): lambda r, b: _json(
                emu.add_service_account(
                    b.get("name", "sync"),
                    b.get("project_id", "emulator-project"),
                    b.get("domain"),
                    b.get("scopes"),
                )
            ),
            ("POST", "service-accounts/delegation"): lambda r, b: self._done(
                emu.authorize_delegation(b["client_id"], b["domain"], b.get("scopes"))
            ),
            ("POST", "service-accounts/delegation/revoke"): lambda r, b: self._done(
                emu.revoke_delegation(b["client_id"], b.get("domain"))
            ),
            ("GET", "rate-limits"): lambda r, b: _json(self._rate_limits()),
            ("POST", "rate-limits"): lambda r, b: _json(
                dict(self._rate_limits(), **{"settings": emu.set_rate_limits(**b)})
            ),
            ("GET", "log"): lambda r, b: _json(
                {"entries": emu.request_log, "http_round_trips": emu.http_round_trips()}
            ),
            ("DELETE", "log"): lambda r, b: self._done(emu.clear_log()),
            ("POST", "log/clear"): lambda r, b: self._done(emu.clear_log()),
            ("GET", "push"): lambda r, b: _json(self._push()),
            ("POST", "push/wait"): lambda r, b: _json(
                {"idle": emu.wait_for_push(float(b.get("timeout", 5)))}
            ),
        }

    @staticmethod
    def _done(_result=None):
        return _json({"ok": True})

    def _info(self):
        emu = self.emu
        return {
            "base_url": emu.base_url,
            "api_endpoint": emu.api_endpoint,
            "batch_uri": emu.batch_uri,
            "auth_uri": emu.auth_uri,
            "token_uri": emu.token_uri,
            "revoke_uri": emu.revoke_uri,
        }

    def _accounts(self):
        out = []
        for email in list(self.emu.store.accounts):
            cals = [
                {"id": c.id, "summary": c.summary, "timeZone": c.time_zone, "primary": c.primary}
                for c in self.emu.service.calendars_of(email)
            ]
            out.append({"email": email, "calendars": cals})
        return out

    def _rate_limits(self):
        emu = self.emu
        return {
            "settings": emu.rate_limits.settings(),
            "usage": {"all_projects": emu.rate_limit_usage()},
            "peaks": emu.rate_limits.peaks(),
        }

    def _push(self):
        with self.emu.store.lock:
            self.emu.push.prune()
            channels = [dict(c) for c in self.emu.push.channels.values()]
        return {"channels": channels, "deliveries": self.emu.push_deliveries}

    def _set_faults(self, request, body):
        del request
        settings = self.emu.faults.settings()
        settings.update(body)
        self.emu.set_faults(
            rate=float(settings["rate"]),
            kinds=settings["kinds"],
            seed=settings["seed"],
            latency=float(settings["latency"]),
            retry_after=settings["retry_after"],
            targets=settings["targets"],
        )
        return _json(self.emu.faults.settings())

    def _phone(self, request, parts, body):
        """The phone's routes, under ``/_emulator/phone/<email>/``:

        * ``events[/<id>]?calendar_id=...`` and ``calendars/<cal>/events[/<id>]``;
        * ``calendars/<cal>/events/<id>/move`` (POST, ``destination`` in the body
          or the query) and ``.../respond`` (POST ``{responseStatus, comment?}``);
        * ``calendars/<cal>`` (GET, PATCH, PUT: calendars.get/patch/update);
        * ``calendars/<cal>/acl`` (GET: acl.list, POST: acl.insert -- sharing his
          calendar, e.g. ``{"role": "freeBusyReader", "scope": {...}}``);
        * ``calendarList`` (GET, ``?show_hidden=1``; POST: insert) and
          ``calendarList/<cal>`` (GET, PATCH, PUT, DELETE).
        """
        if not parts:
            return _error(404, "Missing account", "notFound")
        phone = self.emu.phone(parts[0])
        rest = parts[1:]
        if rest and rest[0] == "calendarList":
            return self._phone_calendar_list(request, phone, rest[1:], body)
        calendar_id = request.args.get("calendar_id", "primary")
        if len(rest) == 2 and rest[0] == "calendars":
            return self._phone_calendar(request, phone, rest[1], body)
        if len(rest) >= 2 and rest[0] == "calendars":
            calendar_id, rest = rest[1], rest[2:]
        if rest == ["acl"]:
            return self._phone_acl(request, phone, calendar_id, body)
        if len(rest) == 3 and rest[0] == "events" and request.method == "POST":
            return self._phone_event_action(request, phone, calendar_id, rest[1], rest[2], body)
        if not rest or rest[0] != "events" or len(rest) > 2:
            return _error(404, "Unknown phone route", "notFound")
        method = request.method
        if len(rest) == 1:
            if method == "GET":
                flags = {
                    name: request.args.get(name, "").lower() in ("1", "true")
                    for name in ("show_deleted", "single_events")
                }
                return _json({"items": phone.list_events(calendar_id, **flags)})
            if method == "POST":
                return _json(phone.insert_event(calendar_id, body))
        else:
            event_id = rest[1]
            if method == "GET":
                return _json(phone.get_event(calendar_id, event_id))
            # If-Match as the API honours it: a stale etag is 412 conditionNotMet.
            if_match = request.headers.get("If-Match")
            if method == "PATCH":
                return _json(phone.patch_event(calendar_id, event_id, body, if_match))
            if method == "PUT":
                return _json(phone.update_event(calendar_id, event_id, body, if_match))
            if method == "DELETE":
                phone.delete_event(calendar_id, event_id, if_match)
                return Response(status=204)
        return _error(405, "Method not allowed", "methodNotAllowed")

    def _phone_acl(self, request, phone, calendar_id, body):
        """``calendars/<cal>/acl``: GET acl.list, POST acl.insert (his sharing)."""
        if request.method == "GET":
            return _json(self.emu.service.list_acl(phone.email, calendar_id))
        if request.method == "POST":
            return _json(self.emu.service.insert_acl(phone.email, calendar_id, body))
        return _error(405, "Method not allowed", "methodNotAllowed")

    @staticmethod
    def _phone_event_action(request, phone, calendar_id, event_id, action, body):
        if action == "move":
            destination = body.get("destination") or request.args.get("destination")
            return _json(phone.move_event(calendar_id, event_id, destination))
        if action == "respond":
            return _json(
                phone.respond(calendar_id, event_id, body["responseStatus"], body.get("comment"))
            )
        return _error(404, "Unknown phone route", "notFound")

    def _phone_calendar(self, request, phone, calendar_id, body):
        method = request.method
        if method == "GET":
            return _json(self.emu.service.get_calendar(phone.email, calendar_id))
        if method == "PATCH":
            return _json(phone.patch_calendar(calendar_id, body))
        if method == "PUT":
            return _json(phone.update_calendar(calendar_id, body))
        return _error(405, "Method not allowed", "methodNotAllowed")

    def _phone_calendar_list(self, request, phone, rest, body):
        method = request.method
        if not rest:
            if method == "GET":
                hidden = request.args.get("show_hidden", "").lower() in ("1", "true")
                return _json({"items": phone.list_calendars(show_hidden=hidden)})
            if method == "POST":
                return _json(phone.insert_calendar_list(body))
        elif len(rest) == 1:
            calendar_id = rest[0]
            if method == "GET":
                return _json(self.emu.service.get_calendar_list_entry(phone.email, calendar_id))
            if method == "PATCH":
                return _json(phone.patch_calendar_list(calendar_id, body))
            if method == "PUT":
                return _json(phone.update_calendar_list(calendar_id, body))
            if method == "DELETE":
                phone.delete_calendar_list(calendar_id)
                return Response(status=204)
        else:
            return _error(404, "Unknown phone route", "notFound")
        return _error(405, "Method not allowed", "methodNotAllowed")
