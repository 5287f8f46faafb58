"""The :class:`Emulator`: state, HTTP server and the Python admin interface.

Tests start it in-process on a free port and talk to it over real HTTP with
google-api-python-client and google-auth-oauthlib; ``python -m google_emulator``
runs the same thing as a command for the demo. It serves plain HTTP on
loopback: OAuth clients must set ``OAUTHLIB_INSECURE_TRANSPORT=1`` for it,
which is only acceptable because the address is loopback (tests, demo).
"""

import secrets
import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from .admin import AdminApi
from .batch import run_batch
from .calendar_api import ApiRequest, ApiResponse, CalendarApi
from .errors import ApiError
from .faults import (
    DEFAULT_KINDS,
    PER_PROJECT_PER_MINUTE,
    PER_USER_PER_MINUTE,
    TARGETS,
    WINDOW_SECONDS,
    FaultInjector,
    Quotas,
    RateLimits,
)
from .oauth import CALENDAR_SCOPE, OAuthServer
from .push import PushHub
from .recurrence import DEFAULT_LIMIT
from .requestlog import RequestLog
from .service import CalendarService, Phone
from .store import Store
from .ui import WebUI

OAUTH_ROUTES = {
    "/o/oauth2/auth": "handle_authorize",
    "/o/oauth2/v2/auth": "handle_authorize",
    "/o/oauth2/approval": "handle_approval",
    "/token": "handle_token",
    "/o/oauth2/token": "handle_token",
    "/revoke": "handle_revoke",
    "/o/oauth2/revoke": "handle_revoke",
    "/oauth2/v3/tokeninfo": "handle_tokeninfo",
    "/oauth2/v3/userinfo": "handle_userinfo",
    "/oauth2/v2/userinfo": "handle_userinfo",
}


class _QuietHandler(WSGIRequestHandler):
    """werkzeug's handler without the per-request stderr line (tests stay quiet)."""

    def log(self, type, message, *args):  # pylint: disable=redefined-builtin
        del type, message, args


class Emulator:
    """A Google Calendar v3 + OAuth 2.0 emulator. All state is in memory.

    ``seed`` makes generated calendar and event ids reproducible; ``access_token_ttl``
    is the lifetime of access tokens in seconds; ``max_instances`` caps the
    expansion of a recurring series when no time window bounds it.

    Google's per-minute quotas are enforced by default, as its "Usage limits"
    guide documents them: ``quota_per_user`` requests per user per project
    (600) and ``quota_per_project`` per project, i.e. OAuth client id (10,000),
    on a sliding window of ``quota_window`` seconds of emulated time, batch
    parts counted one by one; beyond, 403 ``userRateLimitExceeded`` /
    ``rateLimitExceeded`` (``quota_status=429``: 429 ``rateLimitExceeded``).
    ``None`` removes a limit. :meth:`reset` comes back to these values.

    Push addresses must be HTTPS, as at Google; ``allow_loopback_http_push``
    (on by default, tests' receivers are plain HTTP) also accepts ``http://``
    on a loopback host. Only loopback hosts are ever accepted.
    """

    def __init__(
        self,
        seed=0,
        access_token_ttl=3600,
        max_instances=DEFAULT_LIMIT,
        verbose=False,
        quota_per_user=PER_USER_PER_MINUTE,
        quota_per_project=PER_PROJECT_PER_MINUTE,
        quota_window=WINDOW_SECONDS,
        quota_status=403,
        quota_retry_after=False,
        allow_loopback_http_push=True,
    ):
        self.store = Store(seed)
        self.push = PushHub(self.store, allow_loopback_http=allow_loopback_http_push)
        self.service = CalendarService(
            self.store, notify=self.push.notify, max_instances=max_instances
        )
        self.oauth = OAuthServer(self.store, self.service, access_token_ttl)
        self.faults = FaultInjector()
        self.quotas = Quotas()
        self.rate_limits = RateLimits(
            self.store.clock,
            per_user=quota_per_user,
            per_project=quota_per_project,
            window=quota_window,
            status=quota_status,
            retry_after=quota_retry_after,
        )
        self.log = RequestLog()
        self.api = CalendarApi(self)
        self.admin = AdminApi(self)
        self.ui = WebUI(self.service)
        self.verbose = verbose
        self._service_account_serial = 0
        self._server = None
        self._thread = None

    # -- lifecycle ------------------------------------------------------------
    def start(self, host="127.0.0.1", port=0):
        """Serve on ``host:port`` (0 = a free port) in a daemon thread; returns self."""
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        handler = WSGIRequestHandler if self.verbose else _QuietHandler
        self._server = make_server(
            host, port, self.wsgi_app, threaded=True, request_handler=handler
        )
        shown = "[%s]" % host if ":" in host else host
        self.store.base_url = "http://%s:%d" % (shown, self._server.server_port)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="google-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self):
        """Stop serving (state is kept until the object goes away)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None
            self._thread = None
        self.push.close()

    def serve_forever(self):
        """Block until interrupted (for the command line)."""
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self):
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc_info):
        self.stop()

    # -- URLs -------------------------------------------------------------------
    @property
    def base_url(self):
        """``http://127.0.0.1:PORT`` once started, else None."""
        return self.store.base_url

    @property
    def api_endpoint(self):
        """Value for googleapiclient's ``client_options={"api_endpoint": ...}``."""
        return self.base_url + "/calendar/v3/"

    @property
    def batch_uri(self):
        """Batch endpoint. googleapiclient does NOT derive it from api_endpoint:
        pass it to ``BatchHttpRequest(batch_uri=...)``."""
        return self.base_url + "/batch/calendar/v3"

    @property
    def auth_uri(self):
        """OAuth authorization endpoint (consent page)."""
        return self.base_url + "/o/oauth2/auth"

    @property
    def token_uri(self):
        """OAuth token endpoint."""
        return self.base_url + "/token"

    @property
    def revoke_uri(self):
        """OAuth revocation endpoint."""
        return self.base_url + "/revoke"

    # -- admin: accounts, clients, tokens ------------------------------------------
    def add_client(self, client_id, client_secret, redirect_uris=()):
        """Register an OAuth client with its allowed redirect URIs."""
        self.oauth.add_client(client_id, client_secret, redirect_uris)

    def has_client(self, client_id):
        """True when an OAuth client with this id is registered."""
        return client_id in self.oauth.clients

    def add_account(self, email, time_zone="UTC"):
        """Create a Google account and its primary calendar (id == email)."""
        return self.service.add_account(email, time_zone)

    def add_calendar(self, email, summary, time_zone=None):
        """Create a secondary calendar for ``email``; returns its id."""
        return self.service.add_calendar(email, summary, time_zone)

    def mint_token(self, email, client_id=None, scopes=None):
        """Tokens as if ``email`` had consented (full calendar scope by default)."""
        return self.oauth.mint(email, client_id, scopes)

    def add_service_account(
        self, name="sync", project_id="emulator-project", domain=None, scopes=None
    ):
        """A service account with a new RSA key; returns its JSON key file's content
        (a dict: ``json.dumps`` it for a file). With ``domain``, the account is also
        authorised for domain-wide delegation there (``scopes``: the calendar scope)."""
        if self.base_url is None:
            raise RuntimeError("start the emulator first: the key file names its token_uri")
        with self.store.lock:
            self._service_account_serial += 1
            client_email = "%s@%s.iam.gserviceaccount.com" % (name, project_id)
            client_id = str(10**20 + self._service_account_serial)
            info = self.oauth.service_accounts.create(
                client_email, client_id, project_id, secrets.token_hex(20), self.token_uri
            )
            if domain:
                self.authorize_delegation(client_id, domain, scopes)
            return info

    def _service_account_client_id(self, account):
        accounts = self.oauth.service_accounts.accounts
        if account in accounts:
            return accounts[account]["client_id"]
        if any(record["client_id"] == account for record in accounts.values()):
            return account
        raise KeyError("unknown service account %r" % (account,))

    def authorize_delegation(self, account, domain, scopes=None):
        """Domain-wide delegation of ``scopes`` (default: the calendar scope) for
        ``domain`` to a service account (its client id or e-mail)."""
        with self.store.lock:
            self.oauth.service_accounts.authorize(
                self._service_account_client_id(account), domain, list(scopes or [CALENDAR_SCOPE])
            )

    def revoke_delegation(self, account, domain=None):
        """Withdraw a delegation (one domain, or all); issued tokens live on until
        they expire, as at Google, but no new one is given."""
        with self.store.lock:
            self.oauth.service_accounts.revoke(self._service_account_client_id(account), domain)

    def expire_access_tokens(self, email=None):
        """Current access tokens now get 401 ``authError`` (refresh works)."""
        self.oauth.expire_access_tokens(email)

    def set_token_outage(self, status=503):
        """The token endpoint answers ``status`` (503 by default) to every grant,
        as Google's does when it is down; ``None`` brings it back."""
        self.oauth.set_token_outage(status)

    def revoke(self, email):
        """Revoke the user's grants: refreshing gives ``invalid_grant``."""
        self.oauth.revoke_account(email)

    def expire_sync_tokens(self):
        """Every outstanding sync (and page) token now gets 410 ``fullSyncRequired``."""
        self.store.expire_sync_tokens()

    def advance_clock(self, seconds):
        """Move emulated time forward: tokens, codes and channels expire."""
        with self.store.lock:
            self.store.clock.advance(seconds)

    def phone(self, email):
        """Act as the Google user (no HTTP): see :class:`service.Phone`."""
        return Phone(self.service, email)

    def account_items(self, email, include_cancelled=False):
        """What every calendar of the account (owned or in his list) holds, one row
        per stored event, copies of invitations included: see the README."""
        return self.service.account_items(email, include_cancelled)

    # -- admin: faults, quota, log ---------------------------------------------------
    def set_faults(
        self, rate=0.3, kinds=DEFAULT_KINDS, seed=1, latency=0.0, retry_after=1, targets=TARGETS
    ):
        """Inject failures in ``rate`` of the API calls (0 turns them off)."""
        self.faults.configure(rate, kinds, seed, latency, retry_after, targets)

    def set_quota(self, email, max_requests):
        """After ``max_requests`` more calls, ``email`` gets 403 ``quotaExceeded``."""
        self.quotas.set(email, max_requests)

    def set_rate_limits(self, **settings):
        """Change Google's per-minute quotas: any of ``per_user``, ``per_project``
        (None = unlimited), ``window`` (seconds), ``status`` (403 or 429) and
        ``retry_after`` (bool); unspecified ones keep their value. Counters restart."""
        current = self.rate_limits.settings()
        unknown = set(settings) - set(current)
        if unknown:
            raise TypeError("unknown rate limit settings: %s" % ", ".join(sorted(unknown)))
        current.update(settings)
        self.rate_limits.configure(**current)
        return self.rate_limits.settings()

    def disable_rate_limits(self):
        """No per-minute quota at all (until :meth:`reset` or a new setting)."""
        return self.set_rate_limits(per_user=None, per_project=None)

    def rate_limit_usage(self, client_id=None, email=None):
        """Calls counted in the current window (see :meth:`RateLimits.usage`)."""
        return self.rate_limits.usage(client_id, email)

    @property
    def request_log(self):
        """Copy of the request log entries (see :mod:`requestlog`)."""
        return self.log.entries()

    def http_round_trips(self):
        """Number of real HTTP requests to the Calendar API and batch endpoints."""
        return self.log.round_trips()

    def clear_log(self):
        """Empty the request log."""
        self.log.clear()

    @property
    def push_deliveries(self):
        """Notifications attempted so far: address, channel, state, status."""
        with self.push._idle:  # pylint: disable=protected-access
            return list(self.push.deliveries)

    def wait_for_push(self, timeout=5.0):
        """Wait until queued notifications were delivered; False on timeout."""
        return self.push.wait_idle(timeout)

    def reset(self):
        """Forget everything: accounts, clients, tokens, channels, faults, log."""
        with self.store.lock:
            self.store.reset()
            self.oauth.reset()
            self.push.reset()
            self.quotas.reset()
            self.rate_limits.reset()
            self.faults.configure(rate=0.0)
            self.log.clear()

    # -- HTTP -------------------------------------------------------------------------
    def wsgi_app(self, environ, start_response):
        """The WSGI application serving every endpoint."""
        request = Request(environ)
        response = self.dispatch(request)
        return response(environ, start_response)

    def dispatch(self, request):
        """Route one HTTP request to the API, batch, OAuth, admin or web page."""
        path = request.path
        api_path = path.startswith("/calendar/v3") or path == "/batch" or path.startswith("/batch/")
        if api_path and not self._delay():
            # A reset happened while this request was delayed: its client has
            # long given up, and it must not touch (or log into) the new state.
            return self._to_response(
                ApiResponse.from_error(ApiError(503, "backendError", "The emulator was reset."))
            )
        if path.startswith("/calendar/v3"):
            api_request = ApiRequest(
                request.method, path, request.args, request.headers, request.get_data()
            )
            return self._to_response(self.api.call(api_request))
        if path == "/batch" or path.startswith("/batch/"):
            header = request.headers.get("Authorization", "")
            token = header[7:].strip() if header[:7].lower() == "bearer " else None
            result = run_batch(
                self, path, request.headers.get("Content-Type", ""), request.get_data(), token
            )
            return self._to_response(result)
        if path in OAUTH_ROUTES:
            entry = self.log.add(method=request.method, path=path)
            response = getattr(self.oauth, OAUTH_ROUTES[path])(request)
            entry["status"] = response.status_code
            return response
        if path == "/_emulator" or path.startswith("/_emulator/"):
            return self.admin.handle(request)
        response = self.ui.handle(request)
        if response is not None:
            return response
        return Response("Not Found", status=404, mimetype="text/plain")

    def _delay(self):
        """Sleep the configured latency; False if the emulator was reset meanwhile."""
        latency = self.faults.latency
        if latency <= 0:
            return True
        generation = self.store.generation
        time.sleep(latency)
        return generation == self.store.generation

    @staticmethod
    def _to_response(result):
        response = Response(result.body, status=result.status)
        for key, value in result.headers.items():
            response.headers[key] = value
        if "Content-Type" not in result.headers:
            response.headers.pop("Content-Type", None)
        return response
