"""The browser's side of Odoo: a JSON-RPC session per person, every request timed, and
the ways a request can end when servers are killed under it (down, interrupted, timed out),
which the workload and the checks tell apart."""

import random
import threading
import time

import requests

from .common import COLD_START, MODEL, REQUEST_TIMEOUT, log


class ServerDown(Exception):
    """Nothing reached the server (connection refused): safe to send again."""


class Interrupted(Exception):
    """The connection broke after the request was sent: it may or may not have run."""


class RequestTimeout(Exception):
    """No answer within the client's timeout."""


class RpcError(Exception):
    """Odoo answered with an error (its exception's name and message)."""

    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name") or ""
        self.message = data.get("message") or error.get("message") or str(error)
        super().__init__("%s: %s" % (self.name, self.message[:300]))


class Stats:
    """Thread-safe counters and latencies of one mode."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {}  # kind -> [seconds]
        self.slowest = (0.0, "")
        self.top = []  # the slowest requests: (seconds, kind, what, at)
        self.t0 = time.monotonic()
        self.counters = {}
        self.errors = []
        self.other_errors = []  # the errors no restart of the server explains

    def latency(self, kind, seconds, what=""):
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)
            if kind in ("setup", "check"):
                return
            if seconds > self.slowest[0]:
                self.slowest = (seconds, "%s %s" % (kind, what))
            self.top.append((seconds, kind, what, time.monotonic() - self.t0 - seconds))
            self.top = sorted(self.top, reverse=True)[:8]

    def count(self, name, n=1):
        with self.lock:
            self.counters[name] = self.counters.get(name, 0) + n

    def get(self, name):
        with self.lock:
            return self.counters.get(name, 0)

    def error(self, text, cut=False):
        """A workload error; ``cut``: a request cut by a restart (the server went
        away under it), which the run's bounds tell from any other."""
        self.count("errors: request cut by a restart" if cut else "errors: other")
        with self.lock:
            self.errors.append(text)
            if not cut:
                self.other_errors.append(text)
            if len(self.errors) <= 15:
                log("  ! " + text)

    def max_latency(self, kind):
        with self.lock:
            return max(self.latencies.get(kind) or [0.0])


class Client:
    """One browser: an Odoo session over JSON-RPC, with per-request latency."""

    def __init__(self, server, stats, login, password):
        self.server, self.stats = server, stats
        self.login, self.password = login, password
        self.http = requests.Session()
        self.uid = None

    def _post(self, path, params, timeout, kind):
        body = {
            "jsonrpc": "2.0",
            "method": "call",
            "params": params,
            "id": random.randint(1, 1 << 30),
        }
        started = time.monotonic()
        if kind == "retry" and started - self.server.up_since < COLD_START:
            # the first requests after a restart wait for fresh workers to load the
            # registry: timed, but not held to the 2 s of "Réessayer"
            kind = "retry after a restart"
        try:
            response = self.http.post(self.server.url + path, json=body, timeout=timeout)
        except requests.exceptions.ConnectTimeout as exc:
            raise ServerDown(str(exc)) from exc
        except requests.exceptions.Timeout as exc:
            elapsed = time.monotonic() - started
            self.stats.latency(kind, elapsed, "(timed out) " + path)
            raise RequestTimeout("%s: no answer in %.0f s" % (path, elapsed)) from exc
        except requests.exceptions.ConnectionError as exc:
            text = str(exc)
            if "refused" in text or "Errno 111" in text:
                raise ServerDown(text) from exc
            raise Interrupted(text) from exc
        elapsed = time.monotonic() - started
        if (
            response.status_code >= 500
            or response.status_code == 404
            and not response.headers.get("content-type", "").startswith("application/json")
        ):
            # a server (re)starting answers 404/502 pages before its registry is loaded
            raise ServerDown("HTTP %s" % response.status_code)
        self.stats.latency(kind, elapsed, path)
        try:
            answer = response.json()
        except ValueError as exc:  # a server being killed may close mid-answer
            raise Interrupted(
                "%s: HTTP %s, not JSON: %r" % (path, response.status_code, response.text[:100])
            ) from exc
        if "error" in answer:
            raise RpcError(answer["error"])
        return answer.get("result")

    def call(
        self,
        path,
        params,
        kind="rpc",
        timeout=REQUEST_TIMEOUT,
        retry_interrupted=False,
        patience=300,
    ):
        """Send, re-sending while the server is down (for ``patience`` seconds at most);
        re-log in when the session is gone. Interrupted is raised unless
        ``retry_interrupted``."""
        deadline = time.monotonic() + patience
        attempts = 0
        while True:
            attempts += 1
            if not self.server.up.wait(timeout=max(1.0, deadline - time.monotonic())):
                raise ServerDown("Odoo not back within 300 s")
            try:
                if self.uid is None and path != "/web/session/authenticate":
                    self.authenticate()
                return self._post(path, params, timeout, kind)
            except ServerDown:
                if time.monotonic() > deadline or attempts > 200:
                    raise
                time.sleep(0.5)
            except Interrupted:
                if not retry_interrupted or time.monotonic() > deadline or attempts > 200:
                    raise
                time.sleep(0.5)
            except RpcError as exc:
                if "SessionExpired" in exc.name and attempts < 5:
                    self.uid = None
                    continue
                raise

    def authenticate(self):
        self.uid = None
        result = self._post(
            "/web/session/authenticate",
            {"db": self.server.db, "login": self.login, "password": self.password},
            REQUEST_TIMEOUT,
            "login",
        )
        if not result or not result.get("uid"):
            raise RuntimeError("login refused for %s" % self.login)
        self.uid = result["uid"]
        return self.uid

    def kw(self, model, method, args=(), kwargs=None, kind="rpc", **opts):
        return self.call(
            "/web/dataset/call_kw/%s/%s" % (model, method),
            {"model": model, "method": method, "args": list(args), "kwargs": kwargs or {}},
            kind=kind,
            **opts,
        )

    def sync_data(self, kind="sync", timeout=REQUEST_TIMEOUT, force=False, **opts):
        params = {"model": MODEL, "fromurl": "/web"}
        if force:
            params["force"] = True
        return self.call("/google_calendar/sync_data", params, kind=kind, timeout=timeout, **opts)
