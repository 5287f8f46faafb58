"""OAuth 2.0 as Google's authorization server does it, for a test account.

* ``GET /o/oauth2/auth`` checks the client and its redirect URI (an unknown
  client or an unregistered URI is an error page, never a redirect, as at
  Google), then shows a consent page with "Autoriser" / "Refuser".
* The consent form redirects back with ``code`` and ``state``, or with
  ``error=access_denied``.
* ``POST /token`` exchanges a single-use code (10 minutes, bound to client,
  redirect URI and PKCE challenge) and refresh tokens; client credentials are
  accepted in the body or with HTTP Basic.
* ``POST /revoke`` revokes a token and the grant behind it.
* ``POST /token`` with the JWT-bearer grant: service accounts, optionally
  acting for a user of a domain they were delegated (see :mod:`service_accounts`).

Refresh tokens are only issued with ``access_type=offline``, like Google.
"""

import base64
import hashlib
import json
from urllib.parse import unquote, urlencode

from werkzeug.wrappers import Response

from .service_accounts import (
    GOOGLE_AUDIENCES,
    GRANT_TYPE,
    UNAUTHORIZED,
    GrantError,
    ServiceAccounts,
)
from .ui import escape, render_page

CODE_TTL = 600
CONSENT_TTL = 600
CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
SCOPE_PREFIX = "https://www.googleapis.com/auth/"
OPENID_SCOPES = ("openid", "email", "profile")


def _json(status, body, headers=None):
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-cache, no-store, max-age=0, must-revalidate"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _oauth_error(status, error, description):
    return _json(status, {"error": error, "error_description": description})


def _error_page(status, error, description):
    body = "<h1>Erreur %d : %s</h1><p>%s</p><p><small>Error %d: %s</small></p>" % (
        status,
        escape(error),
        escape(description),
        status,
        escape(error),
    )
    return Response(render_page("Erreur / Error", body), status=status, mimetype="text/html")


def _redirect(uri, params):
    separator = "&" if "?" in uri else "?"
    return Response("", status=302, headers={"Location": uri + separator + urlencode(params)})


def s256(verifier):
    """PKCE S256 challenge of a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class OAuthServer:
    """Clients, authorization codes and tokens. Shares the store's lock."""

    def __init__(self, store, service, access_token_ttl=3600):
        self.store = store
        self.service = service
        self.access_token_ttl = access_token_ttl
        self.service_accounts = ServiceAccounts()
        self.reset()

    def reset(self):
        """Forget every client, code and token."""
        with self.store.lock:
            self.clients = {}  # client_id -> {"secret", "redirect_uris"}
            self.codes = {}  # code -> grant
            self.pending = {}  # consent request id -> authorization request
            self.access = {}  # access token -> record
            self.refresh = {}  # refresh token -> record
            # Browser tests: the consent page approves itself (never on by default).
            self.auto_consent = False
            # Google's token endpoint on a bad day: every grant answers this status.
            self.token_outage = None
            self.service_accounts.reset()

    # -- administration -----------------------------------------------------
    def set_token_outage(self, status=503):
        """Every grant at ``/token`` answers ``status`` (5xx) until called with
        None: nothing is issued, nothing already issued is revoked."""
        if status is not None and not 500 <= int(status) <= 599:
            raise ValueError("a token endpoint outage answers a 5xx status")
        with self.store.lock:
            self.token_outage = None if status is None else int(status)

    def add_client(self, client_id, client_secret, redirect_uris=()):
        """Register (or re-register) an OAuth client and its redirect URIs."""
        with self.store.lock:
            self.clients[client_id] = {
                "secret": client_secret,
                "redirect_uris": list(redirect_uris),
            }

    def default_client(self):
        """The first registered client, registering a default one if needed."""
        with self.store.lock:
            if not self.clients:
                self.add_client("emulator-client", "emulator-secret")
            return next(iter(self.clients))

    def mint(self, email, client_id=None, scopes=None, offline=True):
        """Issue tokens directly, as if the user had consented."""
        with self.store.lock:
            if email not in self.store.accounts:
                raise KeyError("unknown account %r: call add_account first" % email)
            client_id = client_id or self.default_client()
            if client_id not in self.clients:
                raise KeyError("unknown client %r: call add_client first" % client_id)
            return self._issue(email, client_id, list(scopes or [CALENDAR_SCOPE]), offline)

    def _issue(self, email, client_id, scopes, offline):
        refresh_token = None
        if offline:
            refresh_token = self.store.new_secret("1//emu-", 40)
            self.refresh[refresh_token] = {
                "email": email,
                "client_id": client_id,
                "scopes": scopes,
                "revoked": False,
            }
        return self._issue_access(email, client_id, scopes, refresh_token)

    def _issue_access(self, email, client_id, scopes, refresh_token):
        token = self.store.new_secret("ya29.emu-", 48)
        self.access[token] = {
            "email": email,
            "client_id": client_id,
            "scopes": scopes,
            "expires": self.store.clock.time() + self.access_token_ttl,
            "refresh": refresh_token,
            "revoked": False,
        }
        out = {
            "access_token": token,
            "expires_in": self.access_token_ttl,
            "scope": " ".join(scopes),
            "token_type": "Bearer",
        }
        if refresh_token:
            out["refresh_token"] = refresh_token
        return out

    def authenticate(self, token):
        """The record of a valid access token, or None (unknown, expired, revoked)."""
        with self.store.lock:
            record = self.access.get(token)
            if not record or record["revoked"] or record["expires"] <= self.store.clock.time():
                return None
            if record["email"] not in self.store.accounts:
                return None
            return record

    def client_of(self, token):
        """The OAuth client id (project) behind an access token, or None."""
        record = self.access.get(token)
        return record["client_id"] if record else None

    def owner_of(self, token):
        """The email behind an access token, valid or not (for the request log)."""
        record = self.access.get(token)
        return record["email"] if record else None

    def expire_access_token(self, token):
        """Expire one access token (the fault "401")."""
        with self.store.lock:
            if token in self.access:
                self.access[token]["expires"] = 0

    def expire_access_tokens(self, email=None):
        """Expire current access tokens (of one user or everyone): next call is 401."""
        with self.store.lock:
            for record in self.access.values():
                if email is None or record["email"] == email:
                    record["expires"] = 0

    def revoke_account(self, email):
        """Revoke every grant of ``email``: refreshing gives ``invalid_grant``."""
        with self.store.lock:
            for table in (self.refresh, self.access):
                for record in table.values():
                    if record["email"] == email:
                        record["revoked"] = True

    def revoke_token(self, token):
        """Revoke a token and its grant; False when the token is unknown."""
        with self.store.lock:
            record = self.access.get(token) or self.refresh.get(token)
            if record is None or record["revoked"]:
                return False
            refresh_token = token if token in self.refresh else record.get("refresh")
            record["revoked"] = True
            if refresh_token:
                self.refresh[refresh_token]["revoked"] = True
                for other in self.access.values():
                    if other.get("refresh") == refresh_token:
                        other["revoked"] = True
            return True

    # -- authorization endpoint and consent page ----------------------------
    def handle_authorize(self, request):
        """``GET /o/oauth2/auth``: validate, then show the consent page."""
        args = request.args
        client = self.clients.get(args.get("client_id", ""))
        if client is None:
            return _error_page(401, "invalid_client", "The OAuth client was not found.")
        redirect_uri = args.get("redirect_uri", "")
        if redirect_uri not in client["redirect_uris"]:
            return _error_page(
                400,
                "redirect_uri_mismatch",
                "The redirect URI in the request, %s, does not match the "
                "ones authorized for the OAuth client." % redirect_uri,
            )
        state = args.get("state")
        if args.get("response_type") != "code":
            params = {"error": "unsupported_response_type"}
            if state is not None:
                params["state"] = state
            return _redirect(redirect_uri, params)
        scopes = args.get("scope", "").split()
        if not scopes:
            return _error_page(400, "invalid_request", "Missing required parameter: scope")
        bad = [s for s in scopes if not (s.startswith(SCOPE_PREFIX) or s in OPENID_SCOPES)]
        if bad:
            return _error_page(
                400, "invalid_scope", "Some requested scopes were invalid: %s" % ", ".join(bad)
            )
        method = args.get("code_challenge_method")
        challenge = args.get("code_challenge")
        if challenge and (method or "plain") not in ("S256", "plain"):
            return _error_page(400, "invalid_request", "Invalid code_challenge_method.")
        with self.store.lock:
            request_id = self.store.new_secret("", 24)
            self.pending[request_id] = {
                "client_id": args["client_id"],
                "redirect_uri": redirect_uri,
                "scopes": scopes,
                "state": state,
                "challenge": challenge,
                "method": method or "plain",
                "offline": args.get("access_type") == "offline",
                "expires": self.store.clock.time() + CONSENT_TTL,
            }
            accounts = list(self.store.accounts)
        page = self._consent_page(
            request_id,
            args.get("login_hint"),
            accounts,
            args["client_id"],
            scopes,
            self.auto_consent,
        )
        return Response(page, mimetype="text/html")

    @staticmethod
    def _consent_page(request_id, login_hint, accounts, client_id, scopes, auto=False):
        if login_hint:
            who = (
                "<p>Compte / Account: <b>%s</b></p>"
                '<input type="hidden" name="email" value="%s">'
                % (escape(login_hint), escape(login_hint))
            )
        elif accounts:
            options = "".join(
                '<option value="%s">%s</option>' % (escape(a), escape(a)) for a in accounts
            )
            who = (
                '<p><label>Compte / Account: <select name="email">%s</select></label></p>' % options
            )
        else:
            who = (
                '<p><label>Adresse e-mail / Email: <input type="email" name="email" '
                'value="demo@example.com" required></label></p>'
            )
        scope_items = "".join("<li><code>%s</code></li>" % escape(s) for s in scopes)
        body = (
            "<h1>Autoriser l'accès / Allow access</h1>"
            "<p>L'application <b>%s</b> demande l'accès à votre agenda Google "
            "(émulé). / The app wants access to your (emulated) Google Calendar.</p>"
            "<ul>%s</ul>"
            '<form method="post" action="/o/oauth2/approval">'
            '<input type="hidden" name="request_id" value="%s">%s'
            '<button type="submit" name="decision" value="allow">Autoriser</button> '
            '<button type="submit" name="decision" value="deny">Refuser</button>'
            "</form>" % (escape(client_id), scope_items, escape(request_id), who)
        )
        if auto:  # browser tests: the page presses "Autoriser" by itself
            body += "<script>document.querySelector('button[value=allow]').click();</script>"
        return render_page("Consentement / Consent", body)

    def handle_approval(self, request):
        """``POST /o/oauth2/approval``: the consent form's answer."""
        form = request.form
        with self.store.lock:
            pending = self.pending.pop(form.get("request_id", ""), None)
            if pending is None or pending["expires"] < self.store.clock.time():
                return _error_page(
                    400, "invalid_request", "Cette demande a expiré. / This request has expired."
                )
            params = {}
            if pending["state"] is not None:
                params["state"] = pending["state"]
            if form.get("decision") != "allow":
                params["error"] = "access_denied"
                return _redirect(pending["redirect_uri"], params)
            email = (form.get("email") or "").strip() or next(iter(self.store.accounts), "")
            if "@" not in email:
                return _error_page(400, "invalid_request", "Adresse e-mail invalide.")
            self.service.add_account(email)
            code = self.store.new_secret("4/0emu-", 40)
            self.codes[code] = dict(
                pending, email=email, used=False, expires=self.store.clock.time() + CODE_TTL
            )
        params.update({"code": code, "scope": " ".join(pending["scopes"])})
        return _redirect(pending["redirect_uri"], params)

    # -- token endpoint -------------------------------------------------------
    def _client_credentials(self, request):
        form = request.form
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = request.authorization
        if auth is not None and auth.type == "basic" and auth.username:
            client_id, secret = auth.username, auth.password
            if client_id not in self.clients:
                client_id, secret = unquote(client_id), unquote(secret or "")
        return client_id, secret

    def handle_token(self, request):
        """``POST /token``: authorization_code, refresh_token and JWT-bearer grants."""
        with self.store.lock:
            if self.token_outage is not None:
                return _oauth_error(
                    self.token_outage,
                    "temporarily_unavailable",
                    "The authorization server is temporarily unable to handle the request.",
                )
            if request.form.get("grant_type") == GRANT_TYPE:
                return self._jwt_grant(request.form)
            client_id, secret = self._client_credentials(request)
            client = self.clients.get(client_id or "")
            if client is None:
                return _oauth_error(401, "invalid_client", "The OAuth client was not found.")
            if secret != client["secret"]:
                return _oauth_error(401, "invalid_client", "Unauthorized")
            grant_type = request.form.get("grant_type")
            if grant_type == "authorization_code":
                return self._code_grant(request.form, client_id)
            if grant_type == "refresh_token":
                return self._refresh_grant(request.form, client_id)
            return _oauth_error(
                400, "unsupported_grant_type", "Invalid grant_type: %s" % (grant_type or "")
            )

    def _code_grant(self, form, client_id):
        grant = self.codes.get(form.get("code", ""))
        if (
            grant is None
            or grant["used"]
            or grant["expires"] < self.store.clock.time()
            or grant["client_id"] != client_id
        ):
            return _oauth_error(400, "invalid_grant", "Bad Request")
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return _oauth_error(400, "redirect_uri_mismatch", "Bad Request")
        if grant["challenge"]:
            verifier = form.get("code_verifier")
            if not verifier:
                return _oauth_error(400, "invalid_grant", "Missing code verifier.")
            computed = s256(verifier) if grant["method"] == "S256" else verifier
            if computed != grant["challenge"]:
                return _oauth_error(400, "invalid_grant", "Invalid code verifier.")
        grant["used"] = True
        return _json(200, self._issue(grant["email"], client_id, grant["scopes"], grant["offline"]))

    def _refresh_grant(self, form, client_id):
        refresh_token = form.get("refresh_token", "")
        record = self.refresh.get(refresh_token)
        if record is None or record["revoked"] or record["email"] not in self.store.accounts:
            return _oauth_error(400, "invalid_grant", "Token has been expired or revoked.")
        if record["client_id"] != client_id:
            return _oauth_error(400, "unauthorized_client", "Unauthorized")
        body = self._issue_access(record["email"], client_id, record["scopes"], refresh_token)
        body.pop("refresh_token", None)
        return _json(200, body)

    def _jwt_grant(self, form):
        """RFC 7523 with a service account's RS256 assertion (no client secret)."""
        base = self.store.base_url or ""
        audiences = GOOGLE_AUDIENCES + (base + "/token", base + "/o/oauth2/token")
        try:
            record, claims, scopes = self.service_accounts.check(
                form.get("assertion", ""), audiences, self.store.clock.time()
            )
        except GrantError as exc:
            return _oauth_error(exc.status, exc.error, exc.description)
        subject = claims.get("sub")
        if subject:
            if not self.service_accounts.may_impersonate(record["client_id"], subject, scopes):
                return _oauth_error(401, "unauthorized_client", UNAUTHORIZED)
            if subject not in self.store.accounts:
                return _oauth_error(400, "invalid_grant", "Invalid email or User ID")
            email = subject
        else:
            email = claims["iss"]  # the service account's own calendars
            self.service.add_account(email)
        body = self._issue_access(email, record["client_id"], scopes, None)
        body.pop("scope", None)
        return _json(200, body)

    def handle_revoke(self, request):
        """``POST /revoke`` (token in the body or the query)."""
        token = request.form.get("token") or request.args.get("token") or ""
        if not self.revoke_token(token):
            return _oauth_error(400, "invalid_token", "Token expired or revoked")
        return _json(200, {})

    def handle_tokeninfo(self, request):
        """``/oauth2/v3/tokeninfo?access_token=...``."""
        token = request.args.get("access_token") or request.form.get("access_token") or ""
        record = self.authenticate(token)
        if record is None:
            return _oauth_error(400, "invalid_token", "Invalid Value")
        expires_in = int(record["expires"] - self.store.clock.time())
        return _json(
            200,
            {
                "azp": record["client_id"],
                "aud": record["client_id"],
                "scope": " ".join(record["scopes"]),
                "email": record["email"],
                "email_verified": "true",
                "expires_in": str(expires_in),
                "exp": str(int(record["expires"])),
                "access_type": "offline",
            },
        )

    def handle_userinfo(self, request):
        """``/oauth2/v3/userinfo`` with a Bearer token: who is this?"""
        header = request.headers.get("Authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        record = self.authenticate(token)
        if record is None:
            return _json(
                401,
                {"error": "invalid_request", "error_description": "Invalid Credentials"},
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        email = record["email"]
        return _json(
            200,
            {
                "sub": hashlib.sha1(email.encode()).hexdigest()[:21],
                "email": email,
                "email_verified": True,
                "name": email.split("@")[0],
            },
        )
