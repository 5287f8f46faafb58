"""Processes as production runs them: the Google emulator and Odoo servers, each in a
process group of its own on loopback ports, so that a SIGKILL takes a server's workers with
it and whatever ends the harness ends them too. The system tier and the benches start them
from here, and nowhere else.

Only Python's standard library and requests: this runs under Odoo's virtualenv as well as
the repository's.
"""

import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, replace

import requests

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LOOPBACK = ("127.0.0.1", "localhost", "::1")
CHILDREN = []  # process groups started from here: killed whatever ends the harness


def kill_children(*_args):
    """SIGKILL every process group started from here that still runs."""
    for proc in CHILDREN:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                pass


def on_sigterm(signum, _frame):
    """A harness stopped by a signal stops its servers first."""
    kill_children()
    raise SystemExit(128 + signum)


def ephemeral_range():
    """The ports the kernel gives to outgoing connections (Linux's default elsewhere)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            low, high = (int(part) for part in f.read().split())
        return low, high
    except (OSError, ValueError):
        return 32768, 60999


def free_port():
    """A TCP port free on 127.0.0.1 now, outside the kernel's ephemeral range: a port
    the kernel picks itself (bind to port 0) can be given to one of the tier's many
    outgoing connections between the pick and the server's own bind ("Address already
    in use" at a server's start); a port below the range is only taken by a bind."""
    low, high = ephemeral_range()
    candidates = range(20000, low) if low > 21000 else range(high + 1, 65535)
    for port in random.sample(candidates, 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def kill_group(proc, sig, wait):
    """Send ``sig`` to ``proc``'s process group and wait up to ``wait`` s; True when it ended."""
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass
    try:
        proc.wait(wait)
        return True
    except subprocess.TimeoutExpired:
        return False


@dataclass(frozen=True)
class Postgres:
    """Where Odoo's databases are: PGHOST/PGPORT/PGUSER, loopback only."""

    host: str = "127.0.0.1"
    port: int = 5432
    user: str = "root"

    @classmethod
    def from_environ(cls):
        return cls(
            os.environ.get("PGHOST", "127.0.0.1"),
            int(os.environ.get("PGPORT", "5432")),
            os.environ.get("PGUSER", "root"),
        )

    @property
    def local(self):
        return self.host in LOOPBACK or self.host.startswith("/")

    def odoo_options(self):
        return ["--db_host", self.host, "--db_port", str(self.port), "--db_user", self.user]

    def environ(self):
        """The environment for createdb, dropdb and psql."""
        return dict(os.environ, PGHOST=self.host, PGPORT=str(self.port), PGUSER=self.user)

    def dropdb(self, db, check=False):
        return subprocess.run(
            ["dropdb", "--if-exists", db], env=self.environ(), check=check, capture_output=True
        )

    def createdb(self, db, template):
        subprocess.run(
            ["createdb", "-T", template, db], env=self.environ(), check=True, capture_output=True
        )


@dataclass(frozen=True)
class OdooInstall:
    """One Odoo series as installed: its interpreter, its odoo-bin, the addons path."""

    python: str
    home: str
    addons_path: str
    pg: Postgres

    def options(self, db, *extra):
        """The command-line options that put Odoo on ``db`` with these addons."""
        return ["--addons-path", self.addons_path, "-d", db] + self.pg.odoo_options() + list(extra)

    def command(self, db, *options):
        """odoo-bin on ``db`` with these options."""
        return [self.python, os.path.join(self.home, "odoo-bin")] + self.options(db, *options)

    def with_addons(self, *directories):
        """The same Odoo with more addon directories (OCA's, say)."""
        return replace(self, addons_path=",".join([self.addons_path, *directories]))

    def install(self, db, modules, *options, stdout=None, timeout=None):
        """``odoo-bin -i MODULES --without-demo=all --stop-after-init``: a new database
        with our addons, the way an integrator makes one; the CompletedProcess."""
        return subprocess.run(
            self.command(db, "-i", modules, "--without-demo=all", "--stop-after-init", *options),
            stdout=stdout,
            stderr=subprocess.STDOUT if stdout is not None else None,
            timeout=timeout,
            check=False,
        )


# --------------------------------------------------------------------------- the emulator


class EmulatorProcess:
    """``python -m google_emulator`` in a process of its own, driven by its admin API.

    ``options`` are the emulator's command line after ``--port``; ``emulator_path`` is put
    first on PYTHONPATH (this checkout by default)."""

    def __init__(
        self,
        log_path,
        options=(),
        python=None,
        port=None,
        env=None,
        emulator_path=REPO,
        admin_timeout=30,
    ):
        self.port = port or free_port()
        self.url = self.base_url = "http://127.0.0.1:%d" % self.port
        self.admin_timeout = admin_timeout
        env = dict(os.environ if env is None else env)
        env["PYTHONPATH"] = emulator_path + (
            os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else ""
        )
        cmd = [python or sys.executable, "-m", "google_emulator", "--port", str(self.port)]
        self.log = open(log_path, "ab")  # noqa: SIM115  (closed in stop)
        self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
            cmd + list(options),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env=env,
            # ``-m`` puts the working directory first on sys.path: run from the
            # emulator's checkout so that SYSTEM_TIER_EMULATOR_PATH is the one imported
            cwd=emulator_path,
            start_new_session=True,
        )
        CHILDREN.append(self.proc)
        self.http = requests.Session()
        self.info = self._wait_up(log_path)

    def _wait_up(self, log_path, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the emulator exited; see %s" % log_path)
            try:
                return self.admin("GET", "")
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError("the emulator did not start within %d s" % seconds)

    def admin(self, method, path, body=None, params=None, headers=None, ok=(200, 204)):
        """``/_emulator/<path>``'s JSON; any other status than ``ok`` raises."""
        response = self.http.request(
            method,
            self.url + "/_emulator/" + path,
            json=body,
            params=params,
            headers=headers,
            timeout=self.admin_timeout,
        )
        if response.status_code not in ok:
            raise RuntimeError(
                "emulator %s %s: %s %s" % (method, path, response.status_code, response.text[:300])
            )
        return response.json() if response.content else {}

    def stop(self):
        if self.proc.poll() is None and not kill_group(self.proc, signal.SIGTERM, 10):
            kill_group(self.proc, signal.SIGKILL, 10)
        self.log.close()


# --------------------------------------------------------------------------- Odoo


class OdooProcess:
    """``odoo-bin`` bound to 127.0.0.1 on free ports (HTTP and gevent), its output
    appended to ``log_path``; ``options`` are added to the command (workers, limits...)."""

    def __init__(self, odoo, db, log_path, options=(), env=None):
        self.odoo, self.db = odoo, db
        self.port = free_port()
        self.gevent_port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = log_path
        self.options = list(options)
        self.env = env
        self.proc = None

    def command(self):
        return self.odoo.command(
            self.db,
            "--db-filter",
            "^%s$" % re.escape(self.db),
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(self.port),
            "--gevent-port",
            str(self.gevent_port),
            *self.options,
        )

    def start(self, seconds=120, banner=None):
        """Start it and wait until it answers (``seconds`` at most)."""
        with open(self.log_path, "ab") as out:
            if banner:
                out.write(banner.encode())
                out.flush()
            self.proc = subprocess.Popen(  # pylint: disable=consider-using-with
                self.command(),
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
            CHILDREN.append(self.proc)
        self.wait_up(seconds)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def ping(self, timeout=5):
        """True when the server answers a JSON-RPC call (its registry loaded)."""
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
                self.answering()
                return
            time.sleep(0.3)
        raise RuntimeError("Odoo did not answer within %d s; see %s" % (seconds, self.log_path))

    def answering(self):
        """Called once the server answers after a start."""

    def kill(self):
        """SIGKILL the whole process group: master, HTTP workers, cron worker, gevent."""
        if self.proc is not None:
            kill_group(self.proc, signal.SIGKILL, 30)

    def stop(self):
        if self.alive() and not kill_group(self.proc, signal.SIGTERM, 20):
            kill_group(self.proc, signal.SIGKILL, 20)


class OdooServer(OdooProcess):
    """The system tier's server: threaded (``--workers=0``, the demo) or prefork
    (``--workers=2 --max-cron-threads=1``, as deployed), killed with SIGKILL and restarted
    on the same database at will; ``up`` is clear while it is down."""

    def __init__(self, args, mode, db, data_dir, log_path):
        options = ["--data-dir", data_dir, "--limit-time-real", str(args.limit_time_real)]
        options += ["--log-level", "info"]
        if mode == "prefork":
            options += ["--workers", "2", "--max-cron-threads", "1"]
        else:
            options += ["--workers", "0"]
        super().__init__(args.odoo, db, log_path, options)
        self.mode = mode
        self.data_dir = data_dir
        self.up = threading.Event()
        self.lock = threading.Lock()
        self.generation = 0
        self.kills = 0
        self.hangs = 0
        self.up_since = 0.0

    def start(self, seconds=120, banner=None):
        banner = "\n===== system tier: start #%d =====\n" % self.generation
        super().start(seconds, banner)

    def answering(self):
        self.up_since = time.monotonic()
        self.up.set()

    def kill(self):
        self.up.clear()
        super().kill()
        self.generation += 1

    def restart(self, why="kill"):
        """SIGKILL, then start again on the same database; counted as a kill or a hang."""
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
        super().stop()
