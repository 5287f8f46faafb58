#!/usr/bin/env python3
"""The system tier (issue 13, Deliver 4): the connector as it runs in production.

A real Odoo server process (threaded as in the demo, and prefork as deployed), the Google
emulator in a process of its own sending push notifications, and everything driven over
HTTP / JSON-RPC as the browser and the phone do: planners creating, moving and cancelling
RDVs, technicians pressing "Sync. avec Google", planners pressing "Réessayer", phone edits,
transient Google faults, the cron, push, and the Odoo server killed with SIGKILL and
restarted on the same database. At quiescence it checks that both sides hold the same RDVs,
that no edit was lost (present, or posted as a conflict's loser), and that the server kept
answering. See tools/system_tier/README.md.

    /opt/odoo17/.venv/bin/python tools/system_tier.py --odoo-home /opt/odoo17 \\
        --addons-path /opt/odoo17/addons,/opt/odoo17/odoo/addons,$PWD [--size small|big] \\
        [--planners N --technicians N --edits N --kills N --fault-rate 0.2] \\
        [--mode threaded|prefork|both] [--keep]

Only Python's standard library, requests and (in its own process) google_emulator. Every
loop is bounded in count and time; every address is loopback. Exit 0 when every check of
every mode passed; the last line is `system tier: ok (...)` or `system tier: FAILED (...)`.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import requests

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = "of.planning.intervention"
CLIENT_ID = "system-tier.apps.example"
CLIENT_SECRET = "system-tier-secret"
CALENDAR_NAME = "Interventions"
SIZES = {
    "small": dict(planners=3, technicians=2, edits=80, kills=3),
    "big": dict(planners=10, technicians=3, edits=1000, kills=5),
}
SLOW_REQUEST = 10.0  # seconds: no request may take longer
RETRY_LIMIT = 2.0  # seconds: "Réessayer" must return within this
RETRY_SYNCED_WITHIN = 60.0  # seconds: ... and the RDV be synced within this
REQUEST_TIMEOUT = 30.0  # client timeout of one request (a request never waits longer)
COLD_START = 10.0  # seconds after a restart when "Réessayer" may wait for workers
CANCELLED_STATES = ("cancel", "postponed")
WATCHDOG_PATTERNS = [
    ("watchdog", re.compile(r"virtual real time limit")),
    ("watchdog", re.compile(r"\((\d+)\) timeout after \d+s")),
    ("watchdog", re.compile(r"CPU time limit .* reached")),
    ("watchdog", re.compile(r"virtual memory limit .* reached")),
    ("watchdog", re.compile(r"Dumping stacktrace of limit exceeding threads")),
]


# A log record of Odoo's (time, pid, level, database, logger): its first line; the lines up to the next record (a stack, a
# traceback) belong to it.
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) \S+ (\S+): ")
OURS = re.compile(r"openfire|of[._]planning|google_emulator", re.IGNORECASE)


def records_about_us(text, levels=("WARNING", "ERROR", "CRITICAL")):
    """The WARNING/ERROR records of an Odoo log that our addons raised or that
    name them (in the message or in its stack: Odoo 19 logs an import of its
    test framework at ERROR, the importer only in the stack)."""
    found, current = [], None
    for line in text.splitlines():
        match = LOG_RECORD.match(line)
        if match:
            current = [line] if match.group(1) in levels else None
            if current is not None:
                found.append(current)
        elif current is not None:
            current.append(line)
    return ["\n".join(record) for record in found if OURS.search("\n".join(record))]


CHILDREN = []  # process groups this harness started: killed whatever ends it


def _kill_children(*_args):
    for proc in CHILDREN:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass


def _on_sigterm(signum, _frame):
    _kill_children()
    raise SystemExit(128 + signum)


def log(message):
    sys.stdout.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stdout.flush()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def utc(text):
    """An aware UTC datetime from Odoo's 'YYYY-MM-DD HH:MM:SS' or an RFC 3339 string."""
    if not text:
        return None
    text = str(text).replace("Z", "+00:00")
    value = datetime.fromisoformat(text.replace(" ", "T"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def odoo_dt(value):
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


class ServerDown(Exception):
    """Nothing reached the server (connection refused): safe to send again."""


class Interrupted(Exception):
    """The connection broke after the request was sent: it may or may not have run."""


class RequestTimeout(Exception):
    """No answer within the client's timeout."""


class RpcError(Exception):
    def __init__(self, error):
        data = error.get("data") or {}
        self.name = data.get("name") or ""
        self.message = data.get("message") or error.get("message") or str(error)
        super().__init__("%s: %s" % (self.name, self.message[:300]))


# --------------------------------------------------------------------------- statistics


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

    def error(self, text):
        with self.lock:
            self.errors.append(text)
            if len(self.errors) <= 15:
                log("  ! " + text)

    def max_latency(self, kind):
        with self.lock:
            return max(self.latencies.get(kind) or [0.0])


# --------------------------------------------------------------------------- processes


class EmulatorProcess:
    """python -m google_emulator in a process of its own, driven by its admin API."""

    def __init__(self, python, port, redirect_uri, accounts, log_path, env):
        self.port = port
        self.url = "http://127.0.0.1:%d" % port
        cmd = [
            python,
            "-m",
            "google_emulator",
            "--port",
            str(port),
            "--time-zone",
            "Europe/Paris",
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--redirect-uri",
            redirect_uri,
        ]
        for email in accounts:
            cmd += ["--account", email]
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        CHILDREN.append(self.proc)
        self.http = requests.Session()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the emulator exited; see %s" % log_path)
            try:
                self.admin("GET", "")
                return
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the emulator did not start within 30 s")

    def admin(self, method, path, body=None, params=None, headers=None, ok=(200, 204)):
        response = self.http.request(
            method,
            self.url + "/_emulator/" + path,
            json=body,
            params=params,
            headers=headers,
            timeout=30,
        )
        if response.status_code not in ok:
            raise RuntimeError(
                "emulator %s %s: %s %s" % (method, path, response.status_code, response.text[:300])
            )
        return response.json() if response.content else {}

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


class OdooServer:
    """One Odoo server (and its workers), killed with SIGKILL and restarted at will."""

    def __init__(self, args, mode, db, data_dir, log_path):
        self.args, self.mode, self.db = args, mode, db
        self.port = free_port()
        self.gevent_port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = log_path
        self.data_dir = data_dir
        self.proc = None
        self.up = threading.Event()
        self.lock = threading.Lock()
        self.generation = 0
        self.kills = 0
        self.hangs = 0
        self.up_since = 0.0

    def command(self):
        cmd = [
            self.args.odoo_python,
            os.path.join(self.args.odoo_home, "odoo-bin"),
            "--addons-path",
            self.args.addons_path,
            "-d",
            self.db,
            "--db-filter",
            "^%s$" % re.escape(self.db),
            "--db_host",
            self.args.pg_host,
            "--db_port",
            str(self.args.pg_port),
            "--db_user",
            self.args.pg_user,
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(self.port),
            "--gevent-port",
            str(self.gevent_port),
            "--data-dir",
            self.data_dir,
            "--limit-time-real",
            str(self.args.limit_time_real),
            "--log-level",
            "info",
        ]
        if self.mode == "prefork":
            cmd += ["--workers", "2", "--max-cron-threads", "1"]
        else:
            cmd += ["--workers", "0"]
        return cmd

    def start(self):
        with open(self.log_path, "ab") as out:
            out.write(("\n===== system tier: start #%d =====\n" % self.generation).encode())
            out.flush()
            self.proc = subprocess.Popen(
                self.command(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
            CHILDREN.append(self.proc)
        self.wait_up(120)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ping(self, timeout=5):
        try:
            response = requests.post(
                self.url + "/web/webclient/version_info",
                json={"jsonrpc": "2.0", "method": "call", "params": {}},
                timeout=timeout,
            )
            return response.status_code == 200
        except requests.RequestException:
            return False

    def wait_up(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(
                    "Odoo exited (code %s); see %s" % (self.proc.returncode, self.log_path)
                )
            if self.ping(timeout=5):
                self.up_since = time.monotonic()
                self.up.set()
                return
            time.sleep(0.3)
        raise RuntimeError("Odoo did not answer within %d s; see %s" % (seconds, self.log_path))

    def kill(self):
        """SIGKILL the whole process group: master, HTTP workers, cron worker, gevent."""
        self.up.clear()
        if self.proc is not None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                pass
        self.generation += 1

    def restart(self, why="kill"):
        with self.lock:
            self.kill()
            if why == "kill":
                self.kills += 1
            else:
                self.hangs += 1
            time.sleep(random.uniform(0.2, 1.5))
            self.start()

    def stop(self):
        self.up.clear()
        if self.alive():
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(20)


# --------------------------------------------------------------------------- JSON-RPC


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


# --------------------------------------------------------------------------- one mode


class Edit:
    __slots__ = (
        "seq",
        "side",
        "kind",
        "rdv_id",
        "tech",
        "event_id",
        "title",
        "base",
        "base_exact",
        "when",
        "uncertain",
    )

    def __init__(
        self,
        seq,
        side,
        kind,
        title,
        rdv_id=None,
        tech=None,
        event_id=None,
        base=None,
        base_exact=True,
        uncertain=False,
    ):
        self.seq, self.side, self.kind, self.title = seq, side, kind, title
        self.rdv_id, self.tech, self.event_id = rdv_id, tech, event_id
        self.base, self.base_exact, self.uncertain = base, base_exact, uncertain
        self.when = time.monotonic()


class ModeRun:
    """Everything of one mode: database, emulator, server, workload, checks."""

    def __init__(self, args, mode, template_db, workdir):
        self.args, self.mode = args, mode
        self.db = "%s_%s" % (template_db.rsplit("_", 1)[0], mode)
        self.template_db = template_db
        self.workdir = os.path.join(workdir, mode)
        os.makedirs(self.workdir, exist_ok=True)
        self.stats = Stats()
        self.rng = random.Random(args.seed + (0 if mode == "threaded" else 1))
        self.failures = []
        self.notes = []
        self.lock = threading.Lock()
        self.edits = []
        self.seq = 0
        self.rdvs = {}  # rdv id -> {"title", "techs", "cancelled"}
        self.techs = []
        self.planners = []
        self.stop = threading.Event()
        self.done_edits = 0
        self.edit_cond = threading.Condition()
        self.retry_field = None
        self.phone_if_match = None
        self.server = None
        self.emulator = None
        self.admin = None
        self.started = time.monotonic()
        self.row = {}
        self.kill_times = []

    # ---------------------------------------------------------------- helpers
    def fail(self, text):
        with self.lock:
            self.failures.append(text)
        log("  FAIL: " + text)

    def next_title(self, side):
        with self.lock:
            self.seq += 1
            return "ST-%s%05d" % ("o" if side == "odoo" else "g", self.seq), self.seq

    def add_edit(self, edit):
        with self.lock:
            self.edits.append(edit)
        with self.edit_cond:
            self.done_edits += 1
            self.edit_cond.notify_all()

    # ------------------------------------------------------------------ setup
    def create_database(self):
        psql_env = dict(
            os.environ,
            PGHOST=self.args.pg_host,
            PGPORT=str(self.args.pg_port),
            PGUSER=self.args.pg_user,
        )
        subprocess.run(
            ["dropdb", "--if-exists", self.db], env=psql_env, check=True, capture_output=True
        )
        subprocess.run(
            ["createdb", "-T", self.template_db, self.db],
            env=psql_env,
            check=True,
            capture_output=True,
        )
        src = os.path.join(self.args.data_dir, "filestore", self.template_db)
        dst = os.path.join(self.args.data_dir, "filestore", self.db)
        shutil.rmtree(dst, ignore_errors=True)
        if os.path.isdir(src):
            shutil.copytree(src, dst)

    def xmlid(self, module, name):
        rows = self.admin.kw(
            "ir.model.data",
            "search_read",
            [[("module", "=", module), ("name", "=", name)]],
            {"fields": ["res_id"]},
            kind="setup",
        )
        if not rows:
            raise RuntimeError("no record %s.%s" % (module, name))
        return rows[0]["res_id"]

    def configure(self):
        admin = self.admin
        set_param = lambda key, value: admin.kw(
            "ir.config_parameter", "set_param", [key, value], kind="setup"
        )
        odoo_url, emu_url = self.server.url, self.emulator.url
        set_param("web.base.url", odoo_url)
        set_param("web.base.url.freeze", "True")
        set_param("google_calendar_client_id", CLIENT_ID)
        set_param("google_calendar_client_secret", CLIENT_SECRET)
        for key, path in (
            ("auth_uri", "/o/oauth2/auth"),
            ("token_uri", "/token"),
            ("revoke_uri", "/revoke"),
            ("api_endpoint", "/calendar/v3/"),
        ):
            set_param("openfire_google_calendar." + key, emu_url + path)
        set_param("openfire_google_calendar.push_base_url", odoo_url)
        set_param("openfire_google_calendar.conflict_policy", "odoo")
        set_param("openfire_google_calendar.calendar_name", CALENDAR_NAME)
        recurring = self.xmlid("openfire_planning", "group_of_planning_recurring")
        google = self.xmlid("openfire_google_calendar", "group_of_planning_google")
        admin.kw(
            "res.groups",
            "write",
            [[self.xmlid("base", "group_user")], {"implied_ids": [(4, recurring), (4, google)]}],
            kind="setup",
        )
        user_group = self.xmlid("openfire_planning", "group_of_planning_user")
        manager_group = self.xmlid("openfire_planning", "group_of_planning_manager")
        base_user = self.xmlid("base", "group_user")
        # 19 renamed res.users.groups_id to group_ids.
        user_fields = admin.kw(
            "res.users", "fields_get", [], {"attributes": ["type"]}, kind="setup"
        )
        groups = "group_ids" if "group_ids" in user_fields else "groups_id"
        for i in range(self.args.technicians):
            login = "tech%d@example.com" % (i + 1)
            uid = admin.kw(
                "res.users",
                "create",
                [
                    {
                        "name": "Technicien %d" % (i + 1),
                        "login": login,
                        "email": login,
                        "password": "tech-pw-%d" % (i + 1),
                        "tz": "Europe/Paris",
                        groups: [(6, 0, [base_user, user_group])],
                    }
                ],
                kind="setup",
            )
            employees = admin.kw("hr.employee", "search", [[("user_id", "=", uid)]], kind="setup")
            if employees:
                employee = employees[0]
                admin.kw("hr.employee", "write", [[employee], {"work_email": login}], kind="setup")
            else:
                employee = admin.kw(
                    "hr.employee",
                    "create",
                    [{"name": "Technicien %d" % (i + 1), "user_id": uid, "work_email": login}],
                    kind="setup",
                )
            client = Client(self.server, self.stats, login, "tech-pw-%d" % (i + 1))
            self.techs.append(
                {
                    "login": login,
                    "uid": uid,
                    "employee": employee,
                    "client": client,
                    "calendar": None,
                    "index": i,
                }
            )
        for i in range(self.args.planners):
            login = "planner%d" % (i + 1)
            admin.kw(
                "res.users",
                "create",
                [
                    {
                        "name": "Planificateur %d" % (i + 1),
                        "login": login,
                        "password": "planner-pw-%d" % (i + 1),
                        "tz": "Europe/Paris",
                        groups: [(6, 0, [base_user, manager_group])],
                    }
                ],
                kind="setup",
            )
            self.planners.append(Client(self.server, self.stats, login, "planner-pw-%d" % (i + 1)))
        # The scheduled action every minute instead of every 10, due now.
        cron = self.xmlid("openfire_google_calendar", "ir_cron_of_google_sync")
        admin.kw(
            "ir.cron",
            "write",
            [
                [cron],
                {
                    "interval_number": 1,
                    "interval_type": "minutes",
                    "active": True,
                    "nextcall": odoo_dt(datetime.now(timezone.utc)),
                },
            ],
            kind="setup",
        )
        fields = admin.kw(MODEL, "fields_get", [], {"attributes": ["type"]}, kind="setup")
        self.retry_field = "of_google_sync_state" if "of_google_sync_state" in fields else None

    def connect(self, tech):
        """The real consent flow: sync_data -> consent URL -> "Autoriser" -> callback."""
        client = tech["client"]
        result = client.sync_data(kind="connect")
        if result.get("status") != "need_auth" or not result.get("url"):
            raise RuntimeError(
                "%s: sync_data answered %r, not need_auth with a URL" % (tech["login"], result)
            )
        page = requests.get(result["url"], timeout=10)
        page.raise_for_status()
        match = re.search(r'name="request_id" value="([^"]+)"', page.text)
        if not match:
            raise RuntimeError("no request_id on the emulator's consent page")
        answer = requests.post(
            self.emulator.url + "/o/oauth2/approval",
            data={"request_id": match.group(1), "decision": "allow", "email": tech["login"]},
            allow_redirects=False,
            timeout=10,
        )
        if answer.status_code not in (302, 303):
            raise RuntimeError("consent answered %s" % answer.status_code)
        back = answer.headers["Location"]
        if not back.startswith(self.server.url):
            raise RuntimeError("consent redirects elsewhere: %s" % back)
        started = time.monotonic()
        response = client.http.get(back, allow_redirects=False, timeout=REQUEST_TIMEOUT)
        self.stats.latency("connect", time.monotonic() - started, "oauth callback")
        if response.status_code not in (302, 303):
            raise RuntimeError(
                "%s: the OAuth callback answered %s: %s"
                % (tech["login"], response.status_code, response.text[:300])
            )
        result = self.sync(tech, kind="connect")
        if result.get("status") not in ("need_refresh", "no_new_event_from_google"):
            raise RuntimeError("%s: first sync answered %r" % (tech["login"], result))
        tech["calendar"] = self.synced_calendar(tech)

    def check_plain_start(self, server_log):
        """A server started as in production (no test mode), its registry loaded
        and configured, has logged no WARNING or ERROR about our addons."""
        with open(server_log, errors="replace") as handle:
            records = records_about_us(handle.read())
        self.row["start_warnings"] = len(records)
        if records:
            log("  the plain start logged about our addons:\n%s" % records[0][:2000])
            self.fail("%d WARNING/ERROR records about our addons at start" % len(records))

    def fresh_session_probe(self, tech, rounds=3):
        """A connected user whose first request of a new session is the sync: Odoo 18+
        writes the session's device log in that request's transaction, which must not
        stop the sync. Each of ``rounds`` new sessions syncs."""
        for n in range(rounds):
            client = Client(self.server, self.stats, tech["login"], tech["client"].password)
            client.authenticate()
            try:
                result = client.sync_data(kind="first request")
            except RpcError as exc:
                self.fail(
                    "fresh session %d of %s: the sync failed: %s" % (n + 1, tech["login"], exc)
                )
                continue
            if result.get("status") not in ("need_refresh", "no_new_event_from_google"):
                self.fail(
                    "fresh session %d of %s: the sync answered %r" % (n + 1, tech["login"], result)
                )
        self.row["fresh_sessions"] = rounds

    def synced_calendar(self, tech):
        accounts = self.emulator.admin("GET", "accounts")["accounts"]
        for account in accounts:
            if account["email"] == tech["login"]:
                cals = [c for c in account["calendars"] if not c["primary"]]
                if len(cals) > 1:
                    self.fail(
                        "%s has %d secondary calendars (a second calendar was made)"
                        % (tech["login"], len(cals))
                    )
                return cals[0]["id"] if cals else None
        return None

    def sync(self, tech, kind="sync", timeout=REQUEST_TIMEOUT, **opts):
        """ "Sync. avec Google" as the technician; a confirmation is confirmed."""
        result = tech["client"].sync_data(kind=kind, timeout=timeout, **opts)
        status = result.get("status")
        self.stats.count("sync:" + str(status))
        if status == "confirm_needed":
            self.notes.append("%s: confirm_needed (%s)" % (tech["login"], result.get("message")))
            result = tech["client"].sync_data(kind=kind, timeout=timeout, force=True, **opts)
            self.stats.count("sync:" + str(result.get("status")))
        return result

    # ------------------------------------------------------------ the probe
    def api_calls_of(self, email, since_seq):
        entries = self.emulator.admin("GET", "log")["entries"]
        calls = [
            e
            for e in entries
            if e["seq"] > since_seq
            and e.get("email") == email
            and (
                e.get("in_batch")
                or (not e.get("batch_size") and e["path"].startswith("/calendar/v3"))
            )
        ]
        last = max([e["seq"] for e in entries] or [0])
        return calls, last

    def acceptance_probe(self):
        """Issue 13's acceptance: an RDV in error, "Réessayer" returns in < 2 s, the RDV
        is synced within a minute, the server keeps answering, the next sync syncs."""
        tech, planner = self.techs[0], self.planners[0]
        budget = None
        _calls, last = self.api_calls_of(tech["login"], 0)
        for _ in range(3):  # until two syncs with nothing new cost the same (channel open)
            self.sync(tech, kind="probe")
            calls, last = self.api_calls_of(tech["login"], last)
            if budget == len(calls):
                break
            budget = len(calls)
        title, _seq = self.next_title("odoo")
        start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(
            days=2, hours=1
        )
        rdv_id = planner.kw(
            MODEL,
            "create",
            [
                {
                    "name": title,
                    "employee_ids": [(6, 0, [tech["employee"]])],
                    "date": odoo_dt(start),
                    "duree": 1.0,
                    "state": "confirm",
                }
            ],
            kind="probe",
        )
        self.rdvs[rdv_id] = {"title": title, "techs": [tech["index"]], "cancelled": False}
        self.add_edit(Edit(self.seq, "odoo", "create", title, rdv_id=rdv_id))
        # A per-user budget of exactly what a no-change sync uses: the listing
        # passes, the insert of the new RDV is refused (403 quotaExceeded, permanent).
        self.emulator.admin("POST", "quota", {"email": tech["login"], "max_requests": budget})
        self.sync(tech, kind="probe")
        self.emulator.admin("POST", "quota", {"email": tech["login"], "max_requests": None})
        state = None
        if self.retry_field:
            state = planner.kw(MODEL, "read", [[rdv_id], [self.retry_field]], kind="probe")[0][
                self.retry_field
            ]
        if state != "error":
            self.notes.append(
                "probe: the RDV is %r, not in error, after a quota-refused "
                "sync (%d calls allowed)" % (state, budget)
            )
        started = time.monotonic()
        outcome = "returned"
        try:
            planner.kw(
                MODEL,
                "action_of_google_retry",
                [[rdv_id]],
                kind="retry",
                timeout=max(15.0, RETRY_LIMIT * 4),
            )
        except RequestTimeout:
            outcome = "no answer"
        except (Interrupted, ServerDown, RpcError) as exc:
            outcome = "failed: %s" % exc
        elapsed = time.monotonic() - started
        self.row["probe_retry"] = elapsed
        if outcome != "returned" or elapsed > RETRY_LIMIT:
            self.fail(
                'acceptance: "Réessayer" on an RDV in error: %s after %.1f s '
                "(limit %.0f s)" % (outcome, elapsed, RETRY_LIMIT)
            )
        synced_after = None
        deadline = time.monotonic() + RETRY_SYNCED_WITHIN
        while time.monotonic() < deadline:
            events = self.events_of(tech)
            in_google = any(
                self.key_of(e) == str(rdv_id) and e.get("status") != "cancelled" for e in events
            )
            in_odoo = True
            if self.retry_field:  # Odoo must know it too: the RDV no longer pending/error
                try:
                    in_odoo = (
                        self.admin.kw(
                            MODEL,
                            "read",
                            [[rdv_id], [self.retry_field]],
                            kind="probe",
                            timeout=10,
                            patience=10,
                        )[0][self.retry_field]
                        == "synced"
                    )
                except (RequestTimeout, Interrupted, ServerDown, RpcError):
                    in_odoo = False
            if in_google and in_odoo:
                synced_after = time.monotonic() - started
                break
            time.sleep(2)
        self.row["probe_synced"] = synced_after
        if synced_after is None:
            self.fail(
                'acceptance: the RDV is not in Google %d s after "Réessayer"' % RETRY_SYNCED_WITHIN
            )
        if not self.server.ping(timeout=5):
            self.fail('acceptance: the server no longer answers after "Réessayer"')
            return False
        try:
            # The cron run that Réessayer woke may still be finishing this user's sync
            # (items are committed one by one, the RDV shows synced before the run ends):
            # already_running for a few seconds is that, not the stuck lock.
            for attempt in range(6):
                result = self.sync(tech, kind="probe", timeout=15, patience=15)
                if result.get("status") != "already_running":
                    break
                time.sleep(2)
            if attempt:
                self.notes.append(
                    "probe: the next sync answered already_running %d time(s) "
                    "first (the cron finishing the retried sync)" % attempt
                )
            if result.get("status") in ("already_running", "error"):
                self.fail(
                    'acceptance: the next "Sync. avec Google" answered %r for 10 s'
                    % (result.get("status"),)
                )
        except (RequestTimeout, Interrupted, ServerDown) as exc:
            self.fail('acceptance: the next "Sync. avec Google": %s' % exc)
        return not [f for f in self.failures if f.startswith("acceptance")]

    def aftermath(self):
        """After a failed probe: how the server behaves from then on (the issue's
        hang: watchdog, reload that never completes, already_running)."""
        limit = self.args.limit_time_real
        log(
            "  probe failed: watching the server for %d s (limit_time_real %d s)"
            % (limit + 45, limit)
        )
        deadline = time.monotonic() + limit + 45
        first_silence = None
        while time.monotonic() < deadline:
            if not self.server.ping(timeout=5):
                first_silence = first_silence or time.monotonic() - self.started
            time.sleep(5)
        answering = self.server.ping(timeout=5)
        status = None
        if answering:
            try:
                status = (
                    self.techs[0]["client"]
                    .sync_data(kind="probe", timeout=10, patience=10)
                    .get("status")
                )
            except Exception as exc:  # pylint: disable=broad-except
                status = "no answer (%s)" % type(exc).__name__
        self.notes.append(
            "aftermath: server answering=%s, first silence at %s s, "
            "tech1 sync_data=%s, watchdog lines=%d"
            % (
                answering,
                "%.0f" % first_silence if first_silence else "never",
                status,
                len(self.scan_log()["watchdog"]),
            )
        )
        self.server.restart(why="hang")

    # --------------------------------------------------------------- the phone
    def events_of(self, tech, show_deleted=True):
        if not tech["calendar"]:
            return []
        return self.emulator.admin(
            "GET",
            "phone/%s/events" % tech["login"],
            params={"calendar_id": tech["calendar"], "show_deleted": "1" if show_deleted else "0"},
        )["items"]

    @staticmethod
    def key_of(event):
        private = (event.get("extendedProperties") or {}).get("private") or {}
        return private.get("openfireRdv")

    def phone_edit(self, tech, rng):
        """One change on the technician's phone: move/rename, create, or delete."""
        path = "phone/%s/calendars/%s/events" % (
            quote(tech["login"], safe=""),
            quote(tech["calendar"], safe=""),
        )
        roll = rng.random()
        if roll < 0.25:
            title, seq = self.next_title("google")
            start = datetime.now(timezone.utc).replace(
                minute=0, second=0, microsecond=0
            ) + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 9))
            event = self.emulator.admin(
                "POST",
                path,
                {
                    "summary": title,
                    "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Paris"},
                    "end": {
                        "dateTime": (start + timedelta(hours=1)).isoformat(),
                        "timeZone": "Europe/Paris",
                    },
                },
            )
            self.add_edit(
                Edit(seq, "google", "create", title, tech=tech["index"], event_id=event["id"])
            )
            return True
        live = [
            e
            for e in self.events_of(tech, show_deleted=False)
            if e.get("status") != "cancelled"
            and not e.get("recurrence")
            and (e.get("summary") or "").startswith("ST-")
        ]
        if not live:
            return False
        event = rng.choice(live)
        current = self.emulator.admin("GET", "%s/%s" % (path, event["id"]))
        if current.get("status") == "cancelled":
            return False
        base, sequence = current.get("summary"), current.get("sequence", 0)
        headers = {"If-Match": current["etag"]}
        key = self.key_of(current)
        rdv_id = int(key) if key and key.isdigit() else None
        if roll < 0.37:
            response = self.emulator.http.delete(
                "%s/_emulator/%s/%s" % (self.emulator.url, path, event["id"]),
                headers=headers,
                timeout=30,
            )
            if response.status_code == 412:
                return False  # changed meanwhile: the phone shows the new version first
            if response.status_code not in (200, 204):
                self.stats.error(
                    "phone delete: %s %s" % (response.status_code, response.text[:200])
                )
                return False
            _title, seq = self.next_title("google")
            self.add_edit(
                Edit(
                    seq,
                    "google",
                    "delete",
                    None,
                    rdv_id=rdv_id,
                    tech=tech["index"],
                    event_id=event["id"],
                    base=base,
                )
            )
            return True
        title, seq = self.next_title("google")
        start = utc(current["start"].get("dateTime")) or datetime.now(timezone.utc)
        start += timedelta(hours=rng.choice((-3, -2, -1, 1, 2, 3, 24, 48)))
        response = self.emulator.http.patch(
            "%s/_emulator/%s/%s" % (self.emulator.url, path, event["id"]),
            json={
                "summary": title,
                "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Paris"},
                "end": {
                    "dateTime": (start + timedelta(hours=1)).isoformat(),
                    "timeZone": "Europe/Paris",
                },
            },
            headers=headers,
            timeout=30,
        )
        if response.status_code == 412:
            self.phone_if_match = True
            return False
        if response.status_code != 200:
            self.stats.error("phone patch: %s %s" % (response.status_code, response.text[:200]))
            return False
        after = response.json()
        # Without If-Match on the phone API, a write between our GET and PATCH shows as
        # a sequence that grew by more than our own move.
        exact = after.get("sequence", 0) <= sequence + 1
        if not exact:
            self.stats.count("phone edits with an uncertain base")
        self.add_edit(
            Edit(
                seq,
                "google",
                "move",
                title,
                rdv_id=rdv_id,
                tech=tech["index"],
                event_id=event["id"],
                base=base,
                base_exact=exact,
            )
        )
        return True

    # --------------------------------------------------------------- workload
    def planner_loop(self, planner, quota, deadline, rng):
        done = 0
        for _ in range(quota * 5 + 50):
            if done >= quota or self.stop.is_set() or time.monotonic() >= deadline:
                break
            try:
                done += self.planner_op(planner, rng)
            except (ServerDown, RequestTimeout) as exc:
                self.stats.error("%s: %s" % (planner.login, exc))
                time.sleep(1)
            except RpcError as exc:
                self.stats.count("rpc errors")
                self.stats.error("%s: %s" % (planner.login, exc))
            except Exception:  # pylint: disable=broad-except
                self.stats.error("%s: %s" % (planner.login, traceback.format_exc(limit=3)))
                time.sleep(1)
            time.sleep(rng.uniform(0.0, 0.3))

    def refresh_rdvs(self, planner):
        """The planning view: what the planner sees (RDVs created from Google included)."""
        rows = planner.kw(
            MODEL,
            "search_read",
            [[("name", "like", "ST-")]],
            {"fields": ["name", "state", "employee_ids"], "limit": 2000},
            kind="read",
            retry_interrupted=True,
        )
        by_employee = {t["employee"]: t["index"] for t in self.techs}
        with self.lock:
            for row in rows:
                entry = self.rdvs.setdefault(
                    row["id"],
                    {
                        "title": row["name"],
                        "techs": [by_employee[e] for e in row["employee_ids"] if e in by_employee],
                        "cancelled": False,
                    },
                )
                entry["cancelled"] = row["state"] in CANCELLED_STATES

    def planner_op(self, planner, rng):
        with self.lock:
            live = [rid for rid, r in self.rdvs.items() if not r["cancelled"]]
        roll = rng.random()
        if roll < 0.08:
            self.refresh_rdvs(planner)
            return 0
        if roll < 0.18 and live:
            return self.planner_retry(planner, rng, live)
        if roll < 0.45 or len(live) < 3:
            title, seq = self.next_title("odoo")
            techs = rng.sample(
                range(len(self.techs)),
                2 if len(self.techs) > 1 and rng.random() < self.args.shared else 1,
            )
            start = datetime.now(timezone.utc).replace(
                minute=0, second=0, microsecond=0
            ) + timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 9))
            values = {
                "name": title,
                "date": odoo_dt(start),
                "duree": 1.0,
                "state": "confirm",
                "employee_ids": [(6, 0, [self.techs[i]["employee"] for i in techs])],
            }
            uncertain = False
            try:
                rdv_id = planner.kw(MODEL, "create", [values], kind="write")
            except Interrupted:
                uncertain = True
                found = planner.kw(
                    MODEL, "search", [[("name", "=", title)]], kind="read", retry_interrupted=True
                )
                if not found:
                    self.stats.count("interrupted writes")
                    return 0
                rdv_id = found[0]
            with self.lock:
                self.rdvs[rdv_id] = {"title": title, "techs": techs, "cancelled": False}
            self.add_edit(Edit(seq, "odoo", "create", title, rdv_id=rdv_id, uncertain=uncertain))
            return 1
        rdv_id = rng.choice(live)
        title, seq = self.next_title("odoo")
        if roll < 0.85:
            start = datetime.now(timezone.utc).replace(
                minute=0, second=0, microsecond=0
            ) + timedelta(
                days=rng.randint(1, 20), hours=rng.randint(0, 9), minutes=rng.choice((0, 30))
            )
            values, kind = {"name": title, "date": odoo_dt(start)}, "move"
        else:
            values, kind = {"name": title, "state": "cancel"}, "cancel"
        uncertain = False
        try:
            planner.kw(MODEL, "write", [[rdv_id], values], kind="write")
        except Interrupted:
            uncertain = True
            self.stats.count("interrupted writes")
        except RpcError as exc:
            if "MissingError" in exc.name:
                with self.lock:
                    self.rdvs.pop(rdv_id, None)
                return 0
            raise
        with self.lock:
            self.rdvs[rdv_id]["title"] = title
            if kind == "cancel":
                self.rdvs[rdv_id]["cancelled"] = True
        self.add_edit(Edit(seq, "odoo", kind, title, rdv_id=rdv_id, uncertain=uncertain))
        return 1

    def planner_retry(self, planner, rng, live):
        """ "Réessayer" on an RDV in error when the planner sees one."""
        sample = rng.sample(live, min(20, len(live)))
        target = None
        if self.retry_field:
            rows = planner.kw(
                MODEL, "read", [sample, [self.retry_field]], kind="read", retry_interrupted=True
            )
            errors = [row["id"] for row in rows if row[self.retry_field] == "error"]
            target = rng.choice(errors) if errors else None
        if target is None and rng.random() < 0.3:
            target = rng.choice(sample)  # the button is on every synced RDV's form
        if target is None:
            return 0
        self.stats.count("retries")
        try:
            planner.kw(
                MODEL, "action_of_google_retry", [[target]], kind="retry", timeout=REQUEST_TIMEOUT
            )
        except Interrupted:
            pass
        except RpcError as exc:
            if "MissingError" not in exc.name:
                raise
        return 0

    def tech_loop(self, tech, quota, deadline, rng):
        done = 0
        for _ in range(quota * 4 + 20):
            if done >= quota or self.stop.is_set() or time.monotonic() >= deadline:
                break
            try:
                if rng.random() < 0.3:
                    self.sync(tech)
                elif self.phone_edit(tech, rng):
                    done += 1
            except (ServerDown, RequestTimeout, Interrupted) as exc:
                self.stats.error("%s sync: %s" % (tech["login"], exc))
                time.sleep(1)
            except Exception:  # pylint: disable=broad-except
                self.stats.error("%s: %s" % (tech["login"], traceback.format_exc(limit=3)))
                time.sleep(1)
            time.sleep(rng.uniform(0.1, 0.6))

    def killer(self, points, deadline):
        self.last_kill = 0.0
        for point in points:
            with self.edit_cond:
                while (
                    self.done_edits < point
                    and not self.stop.is_set()
                    and time.monotonic() < deadline
                ):
                    self.edit_cond.wait(1)
            if self.stop.is_set() or time.monotonic() >= deadline:
                return
            # a random moment, and never two kills within a few seconds of each other
            time.sleep(
                self.rng.uniform(0.0, 1.0) + max(0.0, 4.0 - (time.monotonic() - self.last_kill))
            )
            self.last_kill = time.monotonic()
            self.kill_times.append(self.last_kill)
            log("  SIGKILL Odoo (after %d edits)" % self.done_edits)
            try:
                self.server.restart()
            except RuntimeError as exc:
                self.fail("restart after SIGKILL: %s" % exc)
                self.stop.set()
                return

    def health(self, deadline):
        """The server must keep answering: 60 s of silence from a live server is a hang."""
        silent_since = None
        while not self.stop.is_set() and time.monotonic() < deadline:
            time.sleep(5)
            if self.server.lock.locked() or not self.server.up.is_set():
                silent_since = None
                continue
            if self.server.ping(timeout=5):
                silent_since = None
                continue
            silent_since = silent_since or time.monotonic()
            if time.monotonic() - silent_since > 60:
                self.fail("the Odoo server stopped answering for 60 s (hung): killed and restarted")
                silent_since = None
                try:
                    self.server.restart(why="hang")
                except RuntimeError as exc:
                    self.fail("restart after a hang: %s" % exc)
                    self.stop.set()

    def workload(self):
        args = self.args
        edits = args.edits
        phone_share = max(1, edits * 3 // 10) if args.technicians else 0
        planner_share = edits - phone_share
        deadline = time.monotonic() + args.time_limit
        self.emulator.admin(
            "POST", "faults", {"rate": args.fault_rate, "seed": args.seed, "retry_after": 1}
        )
        threads = []
        for i, planner in enumerate(self.planners):
            quota = planner_share // len(self.planners) + (
                1 if i < planner_share % len(self.planners) else 0
            )
            threads.append(
                threading.Thread(
                    target=self.planner_loop,
                    args=(planner, quota, deadline, random.Random(self.rng.random())),
                    daemon=True,
                )
            )
        for i, tech in enumerate(self.techs):
            quota = phone_share // len(self.techs) + (1 if i < phone_share % len(self.techs) else 0)
            threads.append(
                threading.Thread(
                    target=self.tech_loop,
                    args=(tech, quota, deadline, random.Random(self.rng.random())),
                    daemon=True,
                )
            )
        lo, hi = max(1, edits // 10), max(2, edits * 9 // 10)
        points = sorted(self.rng.sample(range(lo, hi), min(args.kills, hi - lo)))
        killer = threading.Thread(target=self.killer, args=(points, deadline), daemon=True)
        health = threading.Thread(target=self.health, args=(deadline + 600,), daemon=True)
        for thread in threads + [killer, health]:
            thread.start()
        for thread in threads:
            thread.join(max(1.0, deadline - time.monotonic() + 60))
        if any(t.is_alive() for t in threads):
            self.fail("the workload did not end within --time-limit %d s" % args.time_limit)
            self.stop.set()
        # Kills still due (a fast workload): done now, before quiescence.
        with self.edit_cond:
            self.done_edits = max(self.done_edits, edits)
            self.edit_cond.notify_all()
        killer.join(120)
        self.workload_health = health
        self.row["kills"] = self.server.kills

    # ------------------------------------------------------------- quiescence
    def snapshot(self):
        events = {
            t["login"]: sorted((e["id"], e.get("etag")) for e in self.events_of(t))
            for t in self.techs
        }
        rows = self.admin.kw(
            MODEL,
            "search_read",
            [[("name", "like", "ST-")]],
            {"fields": ["name", "state", "date"], "order": "id"},
            kind="check",
            retry_interrupted=True,
        )
        return events, [(r["id"], r["name"], r["state"], r["date"]) for r in rows]

    def quiesce(self):
        self.emulator.admin("POST", "faults", {"rate": 0.0})
        deadline = time.monotonic() + self.args.quiesce_time
        previous, rounds = None, 0
        while time.monotonic() < deadline and rounds < 40:
            rounds += 1
            quiet = True
            for tech in self.techs:
                status = self.sync_settled(tech)
                if status != "no_new_event_from_google":
                    quiet = False
            current = self.snapshot()
            if quiet and current == previous:
                self.row["quiesce_rounds"] = rounds
                return True
            previous = current
            time.sleep(1)
        self.fail("no quiescence after %d rounds of syncs" % rounds)
        return False

    def sync_settled(self, tech, tries=20):
        """sync_data until it is not already_running (the cron may hold the lock a while)."""
        status = None
        for _ in range(tries):
            try:
                status = self.sync(tech, kind="quiesce").get("status")
            except (RequestTimeout, Interrupted, ServerDown) as exc:
                status = "no answer (%s)" % exc
            if status != "already_running":
                return status
            time.sleep(2)
        return status

    # ----------------------------------------------------------------- checks
    def scan_log(self):
        found = {"watchdog": [], "traceback": [], "error": [], "environment": [], "cron_syncs": 0}
        try:
            with open(self.server.log_path, errors="replace") as handle:
                lines = handle.readlines()
        except OSError:
            return found
        for i, line in enumerate(lines):
            if "Google Calendar sync of user" in line and "already_running" not in line:
                found["cron_syncs"] += 1
            for name, pattern in WATCHDOG_PATTERNS:
                if pattern.search(line):
                    found[name].append(line.strip())
            if line.startswith("Traceback"):
                context = "".join(lines[max(0, i - 1) : i + 16])
                if "gevent.monkey.patch_all()" in context and "import odoo" in context:
                    # prefork's gevent (websocket) process cannot even import Odoo: the
                    # virtualenv's problem, not the connector's; reported apart
                    found["environment"].append(context)
                else:
                    found["traceback"].append(context)
            elif " ERROR " in line:
                found["error"].append(line.strip())
        return found

    def check(self):
        admin = self.admin
        rows = admin.kw(
            MODEL,
            "search_read",
            [[("name", "like", "ST-")]],
            {"fields": ["name", "state", "date", "employee_ids"], "order": "id"},
            kind="check",
            retry_interrupted=True,
        )
        rdvs = {r["id"]: r for r in rows}
        by_employee = {t["employee"]: t["index"] for t in self.techs}
        events = {t["index"]: self.events_of(t) for t in self.techs}
        duplicates, mismatches, orphans = 0, [], []
        event_rdv = self.link_rows()  # (tech, event id) -> rdv id
        for tech in self.techs:
            idx = tech["index"]
            mine = {
                rid: r
                for rid, r in rdvs.items()
                if any(by_employee.get(e) == idx for e in r["employee_ids"])
            }
            by_name = {}
            for rid, r in mine.items():
                by_name.setdefault(r["name"], []).append(rid)
            for name, ids in by_name.items():
                if len(ids) > 1:
                    duplicates += len(ids) - 1
                    mismatches.append(
                        "%s: %d RDVs titled %s (%s)" % (tech["login"], len(ids), name, ids)
                    )
            matched = {}
            for event in events[idx]:
                key = self.key_of(event)
                rid = int(key) if key and key.isdigit() and int(key) in rdvs else None
                if rid is None:
                    ids = by_name.get(event.get("summary")) or []
                    rid = ids[0] if ids else None
                if rid is not None:
                    event_rdv.setdefault((idx, event["id"]), rid)
                if event.get("status") == "cancelled":
                    continue
                if rid is None or rid not in mine:
                    orphans.append(
                        "%s: event %s %r has no RDV"
                        % (tech["login"], event["id"], event.get("summary"))
                    )
                    continue
                matched.setdefault(rid, []).append(event)
            for rid, r in mine.items():
                live = matched.get(rid, [])
                cancelled = r["state"] in CANCELLED_STATES
                if len(live) > 1:
                    duplicates += len(live) - 1
                    mismatches.append(
                        "%s: RDV %s %r has %d events" % (tech["login"], rid, r["name"], len(live))
                    )
                if cancelled and live:
                    mismatches.append(
                        "%s: RDV %s %r is %s in Odoo, its event is %s"
                        % (tech["login"], rid, r["name"], r["state"], live[0].get("status"))
                    )
                elif not cancelled and not live:
                    mismatches.append(
                        "%s: RDV %s %r (%s) has no event in Google"
                        % (tech["login"], rid, r["name"], r["state"])
                    )
                elif live:
                    event = live[0]
                    start = utc(event["start"].get("dateTime") or event["start"].get("date"))
                    if event.get("summary") != r["name"] or start != utc(r["date"]):
                        mismatches.append(
                            "%s: RDV %s is %r at %s in Odoo, %r at %s in "
                            "Google"
                            % (
                                tech["login"],
                                rid,
                                r["name"],
                                r["date"],
                                event.get("summary"),
                                start,
                            )
                        )
        self.row["duplicates"] = duplicates
        self.row["rdvs"] = len(rdvs)
        self.row["events"] = sum(
            1 for evs in events.values() for e in evs if e.get("status") != "cancelled"
        )
        for text in (mismatches + orphans)[:20]:
            log("  sides differ: " + text)
        if duplicates:
            self.fail("%d duplicates" % duplicates)
        if mismatches or orphans:
            self.fail(
                "the two sides differ: %d mismatches, %d events without RDV"
                % (len(mismatches), len(orphans))
            )
        self.check_edits(rdvs, event_rdv)

    def link_rows(self):
        """(tech, event id) -> RDV id as the connector recorded it, when its link model
        is readable (a cancelled event's tombstone carries no title to match by)."""
        by_uid = {t["uid"]: t["index"] for t in self.techs}
        try:
            rows = self.admin.kw(
                "of.google.event.link",
                "search_read",
                [[]],
                {"fields": ["google_event_id", "intervention_id", "user_id"]},
                kind="check",
                retry_interrupted=True,
            )
        except RpcError as exc:
            self.notes.append("links not readable (%s): events matched by title" % exc.name)
            return {}
        out = {}
        for row in rows:
            if row["intervention_id"] and row["user_id"] and row["user_id"][0] in by_uid:
                out[(by_uid[row["user_id"][0]], row["google_event_id"])] = row["intervention_id"][0]
        return out

    def chatter(self, rdv_ids):
        """{rdv id: text of the chatter bodies}, {rdv id: titles Odoo had before a planner
        wrote another (the tracking of the name field)}."""
        messages = self.admin.kw(
            "mail.message",
            "search_read",
            [[("model", "=", MODEL), ("res_id", "in", rdv_ids)]],
            {"fields": ["res_id", "body", "tracking_value_ids", "message_type"]},
            kind="check",
            retry_interrupted=True,
        )
        bodies, tracked = {}, {}
        track_ids, owner = [], {}
        for message in messages:
            if message["message_type"] == "user_notification":
                continue  # "you have been assigned to <title>": not a conflict's loser
            bodies[message["res_id"]] = (
                bodies.get(message["res_id"], "") + " " + (message["body"] or "")
            )
            for tid in message["tracking_value_ids"]:
                owner[tid] = message["res_id"]
                track_ids.append(tid)
        if track_ids:
            values = self.admin.kw(
                "mail.tracking.value",
                "read",
                [track_ids, ["field_id", "old_value_char", "new_value_char"]],
                kind="check",
                retry_interrupted=True,
            )
            for value in values:
                if (value.get("old_value_char") or "").startswith("ST-"):
                    tracked.setdefault(owner[value["id"]], set()).add(
                        value.get("old_value_char") or ""
                    )
        return bodies, tracked

    def check_edits(self, rdvs, event_rdv):
        """Every edit is present, or posted as a conflict's loser, or was seen by the
        other side (a later edit there started from it), or overwritten on its own side
        while that side still had it."""
        for edit in self.edits:
            if edit.side == "google" and edit.rdv_id is None:
                edit.rdv_id = event_rdv.get((edit.tech, edit.event_id))
        bodies, tracked = self.chatter(list(rdvs))
        seen_by_phone = {}  # rdv id or event -> titles a phone edit started from
        uncertain_after = {}  # rdv id -> time of the first phone edit with uncertain base
        for edit in self.edits:
            if edit.side != "google" or edit.base is None:
                continue
            for ref in (edit.rdv_id, (edit.tech, edit.event_id)):
                if ref is not None:
                    seen_by_phone.setdefault(ref, set()).add(edit.base)
            if not edit.base_exact and edit.rdv_id is not None:
                uncertain_after.setdefault(edit.rdv_id, []).append(edit.when)
        lost, uncertain = [], 0
        for edit in self.edits:
            rid = edit.rdv_id
            rdv = rdvs.get(rid) if rid is not None else None
            if edit.kind == "delete":
                body = bodies.get(rid, "")
                ok = (
                    rdv is None
                    or rdv["state"] in CANCELLED_STATES
                    or any(word in body for word in ("deleted", "not kept", "supprim", "conserv"))
                )
            else:
                title = edit.title
                ok = (
                    (rdv is not None and rdv["name"] == title)
                    or title in bodies.get(rid, "")
                    or title in tracked.get(rid, ())
                    or title in seen_by_phone.get(rid, ())
                    or title in seen_by_phone.get((edit.tech, edit.event_id), ())
                )
                if not ok and edit.side == "google" and rdv is None:
                    # never reached Odoo: fine only if the phone itself deleted it later
                    ok = any(
                        e.side == "google" and e.kind == "delete" and e.event_id == edit.event_id
                        for e in self.edits
                    )
                if (
                    not ok
                    and rid is not None
                    and any(when > edit.when for when in uncertain_after.get(rid, ()))
                ):
                    ok = True
                    uncertain += 1
            if not ok and edit.uncertain:
                ok = True
                uncertain += 1
            if not ok:
                lost.append(edit)
        self.row["lost"] = len(lost)
        self.row["uncertain"] = uncertain
        for edit in lost[:15]:
            rdv = rdvs.get(edit.rdv_id)
            log(
                "  lost edit: %s %s %r on RDV %s event %s (base %r; RDV now %r, %s)"
                % (
                    edit.side,
                    edit.kind,
                    edit.title,
                    edit.rdv_id,
                    edit.event_id,
                    edit.base,
                    rdv and rdv["name"],
                    rdv and rdv["state"],
                )
            )
        if lost:
            self.fail("%d lost edits" % len(lost))

    def final_already_running(self):
        left = []
        for tech in self.techs:
            status = None
            for _ in range(15):
                try:
                    status = tech["client"].sync_data(kind="final", timeout=15).get("status")
                except (RequestTimeout, Interrupted, ServerDown) as exc:
                    status = "no answer (%s)" % type(exc).__name__
                if status != "already_running":
                    break
                time.sleep(2)
            if status == "already_running":
                left.append(tech["login"])
            elif status not in ("need_refresh", "no_new_event_from_google"):
                self.fail("%s: the final sync answered %r" % (tech["login"], status))
        self.row["already_running"] = len(left)
        if left:
            self.fail("users left already_running: %s" % ", ".join(left))

    # -------------------------------------------------------------------- run
    def run(self):
        log("== mode %s: database %s" % (self.mode, self.db))
        self.create_database()
        server_log = os.path.join(self.workdir, "odoo.log")
        self.server = OdooServer(self.args, self.mode, self.db, self.args.data_dir, server_log)
        emails = ["tech%d@example.com" % (i + 1) for i in range(self.args.technicians)]
        env = dict(os.environ)
        env["PYTHONPATH"] = self.args.emulator_path + (
            os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
        )
        self.emulator = EmulatorProcess(
            self.args.odoo_python,
            free_port(),
            self.server.url + "/google_account/authentication",
            emails,
            os.path.join(self.workdir, "emulator.log"),
            env,
        )
        try:
            self.server.start()
            log(
                "  Odoo %s (%s), emulator %s, logs in %s"
                % (self.server.url, self.mode, self.emulator.url, self.workdir)
            )
            self.admin = Client(self.server, self.stats, "admin", "admin")
            self.configure()
            self.check_plain_start(server_log)
            for tech in self.techs:
                self.connect(tech)
            for planner in self.planners:  # people log in one by one, not all at once
                planner.authenticate()
            log("  %d technicians connected, %d planners" % (len(self.techs), len(self.planners)))
            self.fresh_session_probe(self.techs[0])
            if not self.acceptance_probe():
                self.aftermath()
            log(
                "  workload: %d edits, %d kills, %.0f %% faults"
                % (self.args.edits, self.args.kills, self.args.fault_rate * 100)
            )
            self.workload()
            log("  quiescence")
            self.quiesce()
            self.check()
            self.final_already_running()
        except Exception as exc:  # pylint: disable=broad-except
            self.fail("harness stopped: %s" % exc)
            traceback.print_exc()
        finally:
            self.stop.set()
            self.finish()
        return not self.failures

    def finish(self):
        row = self.row
        scan = self.scan_log()
        row["watchdog"] = len(scan["watchdog"])
        row["tracebacks"] = len(scan["traceback"])
        if scan["watchdog"]:
            self.fail("Odoo's watchdog: %s" % scan["watchdog"][0][:200])
        if scan["environment"]:
            self.notes.append(
                "%d crashes of prefork's gevent process at import (the "
                "virtualenv's, not the connector's): %s"
                % (len(scan["environment"]), scan["environment"][0].strip().splitlines()[-1][:200])
            )
        if scan["traceback"]:
            log(
                "  %d tracebacks in the Odoo log, the first:\n%s"
                % (len(scan["traceback"]), scan["traceback"][0])
            )
            self.fail("%d tracebacks in the Odoo log" % len(scan["traceback"]))
        try:
            entries = self.emulator.admin("GET", "log")["entries"]
            row["faults"] = sum(1 for e in entries if e.get("fault"))
            row["api_calls"] = sum(
                1
                for e in entries
                if not e.get("batch_size") and e["path"].startswith(("/calendar", "/batch"))
            )
            row["push"] = len(self.emulator.admin("GET", "push").get("deliveries") or [])
        except Exception:  # pylint: disable=broad-except
            row.setdefault("faults", "?")
        slowest, what = self.stats.slowest
        row["slowest"] = slowest
        row["slowest_what"] = what
        if slowest > SLOW_REQUEST:
            self.fail("slowest request %.1f s (%s), limit %.0f s" % (slowest, what, SLOW_REQUEST))
        row["retry_max"] = self.stats.max_latency("retry")
        if row["retry_max"] > RETRY_LIMIT:
            self.fail('slowest "Réessayer" %.1f s, limit %.0f s' % (row["retry_max"], RETRY_LIMIT))
        with self.stats.lock:
            counters = dict(self.stats.counters)
        row["syncs"] = (
            sum(
                n
                for k, n in counters.items()
                if k.startswith("sync:") and k not in ("sync:already_running",)
            )
            + scan["cron_syncs"]
        )
        row["cron_syncs"] = scan["cron_syncs"]
        row["already_running_seen"] = counters.get("sync:already_running", 0)
        row["edits"] = len(self.edits)
        row["kills"] = self.server.kills if self.server else 0
        row["hangs"] = self.server.hangs if self.server else 0
        row["wall"] = time.monotonic() - self.started
        row["counters"] = counters
        for note in self.notes:
            log("  note: " + note)
        kill_times = ", ".join("%.0f" % (t - self.stats.t0) for t in self.kill_times)
        log(
            "  kills at %s s; slowest requests (s, kind, started at s): %s"
            % (
                kill_times or "-",
                "; ".join(
                    "%.2f %s %s @%.0f" % (sec, kind, what.rsplit("/", 1)[-1], at)
                    for sec, kind, what, at in self.stats.top[:6]
                ),
            )
        )
        if self.server:
            self.server.stop()
        if self.emulator:
            self.emulator.stop()
        if not self.args.keep:
            psql_env = dict(
                os.environ,
                PGHOST=self.args.pg_host,
                PGPORT=str(self.args.pg_port),
                PGUSER=self.args.pg_user,
            )
            subprocess.run(["dropdb", "--if-exists", self.db], env=psql_env, capture_output=True)
            shutil.rmtree(
                os.path.join(self.args.data_dir, "filestore", self.db), ignore_errors=True
            )


# --------------------------------------------------------------------------- main


def install_template(args, workdir):
    db = "st_%d_%s_base" % (os.getpid(), time.strftime("%H%M%S"))
    log("installing openfire_google_calendar in %s (a few minutes)" % db)
    with open(os.path.join(workdir, "install.log"), "wb") as out:
        done = subprocess.run(
            [
                args.odoo_python,
                os.path.join(args.odoo_home, "odoo-bin"),
                "--addons-path",
                args.addons_path,
                "-d",
                db,
                "--db_host",
                args.pg_host,
                "--db_port",
                str(args.pg_port),
                "--db_user",
                args.pg_user,
                "-i",
                "openfire_google_calendar",
                "--without-demo=all",
                "--stop-after-init",
                "--max-cron-threads=0",
                "--http-port",
                str(free_port()),
                "--data-dir",
                args.data_dir,
                "--log-level",
                "warn",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=1200,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError("installation failed; see %s" % os.path.join(workdir, "install.log"))
    return db


def print_table(runs):
    columns = [
        ("mode", "mode", "%s"),
        ("edits", "edits", "%s"),
        ("syncs", "syncs", "%s"),
        ("faults", "faults injected", "%s"),
        ("kills", "kills", "%s"),
        ("wall", "wall time", "%.0f s"),
        ("slowest", "slowest request", "%.2f s"),
        ("retry_max", "slowest retry", "%.2f s"),
        ("duplicates", "duplicates", "%s"),
        ("lost", "lost edits", "%s"),
        ("already_running", "users left already_running", "%s"),
        ("watchdog", "watchdog kills", "%s"),
    ]
    table = [[title for _key, title, _fmt in columns]]
    for run in runs:
        row = dict(run.row, mode=run.mode)
        cells = []
        for key, _title, fmt in columns:
            value = row.get(key, "-")
            try:
                cells.append(fmt % value if value not in ("-", None) else "-")
            except TypeError:
                cells.append(str(value))
        table.append(cells)
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    out = []
    for n, line in enumerate(table):
        out.append("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("\n".join(out))
    for run in runs:
        row = run.row
        print(
            "%s: %s RDVs, %s live events, %s Google API requests, %s push deliveries, "
            '%s sync answers already_running during the load, %s "Réessayer", %s uncertain edits '
            "(interrupted by a kill or raced), probe: retry %s s, synced after %s s, "
            "hung-server restarts %s, slowest: %s"
            % (
                run.mode,
                row.get("rdvs"),
                row.get("events"),
                row.get("api_calls"),
                row.get("push"),
                row.get("already_running_seen"),
                row.get("counters", {}).get("retries", 0),
                row.get("uncertain"),
                "%.2f" % row["probe_retry"] if row.get("probe_retry") is not None else "-",
                "%.0f" % row["probe_synced"] if row.get("probe_synced") is not None else "never",
                row.get("hangs"),
                row.get("slowest_what"),
            )
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odoo-home", required=True)
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--planners", type=int)
    parser.add_argument("--technicians", type=int)
    parser.add_argument("--edits", type=int)
    parser.add_argument("--kills", type=int)
    parser.add_argument("--fault-rate", type=float, default=0.2)
    parser.add_argument(
        "--shared",
        type=float,
        default=0.2,
        help="share of new RDVs with two technicians (default 0.2)",
    )
    parser.add_argument("--mode", choices=("threaded", "prefork", "both"), default="both")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("SYSTEM_TIER_SEED", "13")))
    parser.add_argument("--limit-time-real", type=int, default=120)
    parser.add_argument("--time-limit", type=int, help="seconds for the workload of a mode")
    parser.add_argument("--quiesce-time", type=int, default=240)
    parser.add_argument(
        "--template-db", help="an installed database to copy (skips the installation)"
    )
    parser.add_argument("--workdir", help="logs (default: a new temporary directory)")
    parser.add_argument("--data-dir", help="Odoo's data dir (default: <workdir>/data)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sigterm)
    for key, value in SIZES[args.size].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.time_limit is None:
        args.time_limit = 300 if args.size == "small" else 2400
    if args.technicians < 1 or args.planners < 1:
        parser.error("at least one planner and one technician")
    args.odoo_home = os.path.abspath(args.odoo_home)
    args.odoo_python = os.environ.get("ODOO_PYTHON") or sys.executable
    args.pg_host = os.environ.get("PGHOST", "127.0.0.1")
    args.pg_port = int(os.environ.get("PGPORT", "5432"))
    args.pg_user = os.environ.get("PGUSER", "root")
    args.emulator_path = os.environ.get("SYSTEM_TIER_EMULATOR_PATH", REPO)
    workdir = args.workdir or tempfile.mkdtemp(prefix="system_tier-")
    os.makedirs(workdir, exist_ok=True)
    args.data_dir = os.path.abspath(args.data_dir or os.path.join(workdir, "data"))
    if args.pg_host not in ("127.0.0.1", "localhost", "::1") and not args.pg_host.startswith("/"):
        parser.error("PostgreSQL must be on a loopback address or a socket")
    random.seed(args.seed)
    started = time.monotonic()
    log(
        "system tier: size %s (%d planners, %d technicians, %d edits, %d kills, %.0f %% "
        "faults), mode %s, logs in %s"
        % (
            args.size,
            args.planners,
            args.technicians,
            args.edits,
            args.kills,
            args.fault_rate * 100,
            args.mode,
            workdir,
        )
    )
    modes = ("threaded", "prefork") if args.mode == "both" else (args.mode,)
    template = args.template_db
    runs = []
    try:
        if not template:
            template = install_template(args, workdir)
        elif not os.path.isdir(os.path.join(args.data_dir, "filestore", template)):
            os.makedirs(os.path.join(args.data_dir, "filestore"), exist_ok=True)
        for mode in modes:
            run = ModeRun(args, mode, template, workdir)
            runs.append(run)
            run.run()
    except (Exception, KeyboardInterrupt) as exc:  # pylint: disable=broad-except
        traceback.print_exc()
        print("system tier: FAILED (%s)" % (exc or type(exc).__name__))
        return 1
    finally:
        _kill_children()
        if template and not args.template_db and not args.keep:
            psql_env = dict(
                os.environ, PGHOST=args.pg_host, PGPORT=str(args.pg_port), PGUSER=args.pg_user
            )
            subprocess.run(["dropdb", "--if-exists", template], env=psql_env, capture_output=True)
    print()
    print_table(runs)
    failures = ["%s: %s" % (run.mode, text) for run in runs for text in run.failures]
    total = time.monotonic() - started
    if failures:
        print("system tier: FAILED (%s)" % "; ".join(failures[:8]))
        return 1
    print(
        "system tier: ok (%s; %s edits, %s kills, 0 duplicates, 0 lost edits, %.0f s)"
        % (
            ", ".join(run.mode for run in runs),
            sum(run.row.get("edits", 0) for run in runs),
            sum(run.row.get("kills", 0) for run in runs),
            total,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
