"""PostgreSQL restarted under the load. The machine's PostgreSQL is shared, so the tier
runs on a cluster of its own (``initdb``/``pg_ctl`` of the installed server, a free
port, its data under the run's directory), which it may stop and start at will:

* during the load (``PgRestarts``, started with the killer): once "fast" (``pg_ctl
  restart -m fast``: sessions terminated, back within a second) and once after a pause
  (``-m immediate``, the crash-recovery path, down for ``PAUSE`` seconds) while syncs,
  requests and queue_job's jobs run;
* the scenario ``pg-restart`` then judges: the server answered again by itself within
  ``RECOVER_WITHIN`` seconds of each restart (never restarted by the tier, but for
  Odoo's own defects, said as such: a prefork master that exits, a threaded cron
  thread that dies), the scheduled action ran again after the last restart, no queue_job job is left
  "started", and quiescence and both sides hold (no half-stored item: an event written
  in Google whose link was not stored is adopted, never duplicated).

Odoo logs the requests and jobs that PostgreSQL's restart cut (psycopg2's
OperationalError, "terminating connection due to administrator command"...): those
tracebacks, within a restart's window, are counted apart (``excuse``) and printed, the
others still fail the run."""

import glob
import os
import re
import shutil
import subprocess
import threading
import time
from datetime import datetime, timezone

from .common import log
from .processes import Postgres, free_port

PAUSE = 8.0  # seconds PostgreSQL stays down in the "after a pause" restart
RECOVER_WITHIN = 45.0  # seconds after PostgreSQL is back for the server to answer again
WINDOW = 60.0  # seconds after a restart when a cut request's traceback is expected
CUT = re.compile(
    r"psycopg2\.(OperationalError|InterfaceError)|terminating connection due to administrator"
    r"|server closed the connection unexpectedly|connection already closed"
    r"|the database system is (starting up|shutting down|in recovery mode)"
    r"|Connection refused|could not connect to server|connection to server at"
)
# queue_job's runner logs the job's own request that PostgreSQL's restart cut (answered
# 500; that request's traceback is excused above): the runner requeues the job
RUNJOB_CUT = re.compile(
    r"queue_job\.jobrunner\.runner: exception in GET \S+/queue_job/runjob"
    r"[\s\S]*HTTPError: 500 Server Error"
)
LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d),\d+ ")


def pg_bin():
    """The newest installed PostgreSQL's bin directory (initdb, pg_ctl), else None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_version)
    return os.path.dirname(found[-1]) if found else None


def _version(path):
    try:
        return int(path.split("/")[-3])
    except ValueError:
        return 0


class PrivateCluster:
    """A PostgreSQL cluster of the tier's own, trust authentication for ``root``."""

    def __init__(self, workdir, user="root"):
        self.bin = pg_bin()
        if not self.bin:
            raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl) found")
        # PostgreSQL refuses to run as root: then it runs as the system's "postgres" user,
        # in a directory of his
        self.as_user = "postgres" if os.geteuid() == 0 else None
        self.home = os.path.join(workdir, "postgres")
        self.dir = os.path.join(self.home, "data")
        self.socket_dir = os.path.join(self.home, "sock")
        self.log_path = os.path.join(self.home, "postgres.log")
        self.port = free_port()
        self.user = user
        self.pg = Postgres("127.0.0.1", self.port, user)
        self.restarts = []  # (kind, stopped at, back at) in time.time()

    def _run(self, *cmd, check=True):
        prefix = ["runuser", "-u", self.as_user, "--"] if self.as_user else []
        return subprocess.run(
            prefix + [os.path.join(self.bin, cmd[0]), *cmd[1:]],
            check=check,
            capture_output=True,
            text=True,
            timeout=180,
        )

    def create(self):
        shutil.rmtree(self.home, ignore_errors=True)
        os.makedirs(self.socket_dir, exist_ok=True)
        if self.as_user:
            for path in (self.home, self.socket_dir):
                shutil.chown(path, self.as_user, self.as_user)
            # a run's directory is made private (mkdtemp's 0700): he must be able to
            # go through it to his own
            parent = os.path.dirname(self.home)
            os.chmod(parent, os.stat(parent).st_mode | 0o111)
        self._run(
            "initdb",
            "-D",
            self.dir,
            "-U",
            self.user,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.start()
        log("  private PostgreSQL on 127.0.0.1:%d (%s)" % (self.port, self.dir))
        return self

    def options(self):
        """Fast, but never losing a commit Odoo reported: the "pause" restart is a crash
        of PostgreSQL (``-m immediate``), and with ``synchronous_commit=off`` the last
        commits (up to 3 x wal_writer_delay) were lost with it, which the tier took for
        the connector's lost edits. fsync and full-page writes only guard against the
        machine's crash, never simulated."""
        return (
            "-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off "
            "-c synchronous_commit=on -c full_page_writes=off -c shared_buffers=64MB"
            % (self.port, self.socket_dir)
        )

    def start(self):
        self._run(
            "pg_ctl",
            "-D",
            self.dir,
            "-o",
            self.options(),
            "-l",
            self.log_path,
            "-w",
            "-t",
            "120",
            "start",
        )

    def stop(self, mode="fast"):
        return self._run(
            "pg_ctl", "-D", self.dir, "-m", mode, "-w", "-t", "60", "stop", check=False
        )

    def restart(self, kind):
        """``fast``: stop (sessions terminated) and start at once; ``pause``: an immediate
        stop (no checkpoint: crash recovery at start), down for PAUSE seconds."""
        stopped = time.time()
        self.stop("fast" if kind == "fast" else "immediate")
        if kind != "fast":
            time.sleep(PAUSE)
        self.start()
        back = time.time()
        self.restarts.append((kind, stopped, back))
        return stopped, back

    def destroy(self):
        self.stop("immediate")
        shutil.rmtree(self.home, ignore_errors=True)

    def copy_from(self, source, db):
        """``db`` of the ``source`` cluster copied here (a --template-db of the shared
        server): pg_dump piped into pg_restore."""
        dump = subprocess.Popen(  # pylint: disable=consider-using-with
            [os.path.join(self.bin, "pg_dump"), "-Fc", db],
            env=source.environ(),
            stdout=subprocess.PIPE,
        )
        subprocess.run(["createdb", db], env=self.pg.environ(), check=True, capture_output=True)
        subprocess.run(
            [os.path.join(self.bin, "pg_restore"), "--no-owner", "-d", db],
            env=self.pg.environ(),
            stdin=dump.stdout,
            check=False,
            capture_output=True,
        )
        dump.wait()


# --------------------------------------------------------------------------- the load


class PgRestarts:
    """PostgreSQL restarted at points of the load: one fast, one after a pause."""

    KINDS = ("fast", "pause")

    def __init__(self, run):
        self.run = run
        self.thread = None
        self.recovered = []  # (kind, seconds from PostgreSQL back to an answering server)
        self.master_exits = 0
        self.cron_deaths = 0

    def start(self, workload, deadline):
        run = self.run
        edits = run.args.edits
        lo, hi = max(1, edits // 5), max(2, edits * 4 // 5)
        points = sorted(run.rng.sample(range(lo, hi), min(len(self.KINDS), hi - lo)))
        self.thread = threading.Thread(
            target=self.loop, args=(workload, points, deadline), daemon=True
        )
        self.thread.start()

    def join(self, timeout):
        if self.thread:
            self.thread.join(timeout)

    def loop(self, workload, points, deadline):
        run = self.run
        for kind, point in zip(self.KINDS, points, strict=False):
            run.ledger.wait_edits(point, run.stop, deadline)
            if run.stop.is_set() or time.monotonic() >= deadline:
                return
            with run.server.lock:  # never while the killer restarts the server
                log("  PostgreSQL restart (%s, after %d edits)" % (kind, run.ledger.done_edits))
                _stopped, back = run.postgres.restart(kind)
            self.recovered.append((kind, self.wait_answer(back)))

    def wait_answer(self, back):
        """Seconds from PostgreSQL back until the server answers an authenticated read.
        A prefork master that exited by itself (Odoo's master stops when PostgreSQL
        refuses its signaling check) is started again, as systemd's Restart= does, and
        counted: Odoo's defect, printed, not the connector's."""
        run = self.run
        while time.time() - back < RECOVER_WITHIN * 2:
            if not run.server.alive() and not run.server.lock.locked():
                with run.server.lock:
                    if not run.server.alive():
                        code = run.server.proc.returncode
                        self.master_exits += 1
                        log(
                            "  ODOO (not the connector): the server exited by itself (code %s) "
                            "when PostgreSQL went away; started again as a supervisor would" % code
                        )
                        run.server.up.clear()
                        run.server.generation += 1
                        run.server.start()
            try:
                run.admin.kw("res.users", "search_count", [[]], kind="check", timeout=10)
            except Exception:  # pylint: disable=broad-except
                time.sleep(0.5)
                continue
            answered = time.time() - back
            self.cron_supervised()
            return answered
        return None

    def cron_supervised(self):
        """A threaded server whose cron thread died with PostgreSQL's restart (Odoo's
        defect, see :func:`cron_thread_died`) restarted, as its operator would, and
        counted: nothing would sync by itself again otherwise."""
        run = self.run
        time.sleep(1)  # the thread's death is printed when its reconnection fails
        if not cron_thread_died(run):
            return
        with run.server.lock:
            self.cron_deaths += 1
            log(
                "  ODOO (not the connector): the cron thread died when PostgreSQL went away; "
                "the server restarted as its operator would"
            )
            run.server.kill()
            run.server.start()


def load_fault(run):
    """The load's PostgreSQL restarts, when the run has its own cluster and does the
    scenario pg-restart."""
    from .scenarios import selected  # pylint: disable=import-outside-toplevel

    if run.postgres is None or "pg-restart" not in selected(run.args, run.mode):
        return None
    run.pg_restarts = PgRestarts(run)
    return run.pg_restarts


# --------------------------------------------------------------------------- the verdict


def scenario_restart(run):
    """What must hold after PostgreSQL's restarts during the load (see the module)."""
    from .scenarios import converge  # pylint: disable=import-outside-toplevel

    restarts = getattr(run, "pg_restarts", None)
    if run.postgres is None or restarts is None:
        log("  scenario pg-restart SKIPPED: no private PostgreSQL (--shared-postgres)")
        run.report.note("pg-restart skipped: no private PostgreSQL (--shared-postgres)")
        return
    done = run.postgres.restarts
    row = run.report.row
    row["pg_restarts"] = len(done)
    if len(done) < len(PgRestarts.KINDS):
        run.report.fail(
            "pg-restart: %d of %d PostgreSQL restarts done during the load"
            % (len(done), len(PgRestarts.KINDS))
        )
    row["pg_master_exits"] = restarts.master_exits
    row["pg_cron_deaths"] = restarts.cron_deaths
    if restarts.cron_deaths:
        run.report.note(
            "Odoo's defect, not the connector's: the threaded server's cron thread died %d "
            "times when PostgreSQL refused its reconnection (odoo/service/server.py "
            "cron_thread connects outside any try; %r in the log); the server was restarted "
            "by the tier each time, as its operator would" % (restarts.cron_deaths, CRON_DIED)
        )
    if restarts.master_exits:
        run.report.note(
            "Odoo's defect, not the connector's: the prefork master exited %d times when "
            "PostgreSQL went away (odoo/service/server.py PreforkServer.run: an exception of "
            "the signaling check stops the server); restarted as systemd's Restart= would"
            % restarts.master_exits
        )
    for kind, seconds in restarts.recovered:
        row["pg_recovered_%s" % kind] = seconds
        if seconds is None or seconds > RECOVER_WITHIN:
            run.report.fail(
                "pg-restart (%s): the server did not answer within %.0f s of PostgreSQL back "
                "(%s)" % (kind, RECOVER_WITHIN, seconds)
            )
    log(
        "  PostgreSQL restarts: %s; server answering again after %s s"
        % (
            ", ".join(kind for kind, _s, _b in done),
            ", ".join("%s" % (None if s is None else round(s, 1)) for _k, s in restarts.recovered),
        )
    )
    if done:
        cron_ran_after(run, done[-1][2])
        no_job_started(run)
    converge(run, "PostgreSQL restarts")


CRON_DIED = "Exception in thread odoo.service.cron"


def cron_ran_after(run, back):
    """The scheduled action ran by itself after PostgreSQL came back (its lastcall),
    within three of its intervals (it runs every minute in the tier). Odoo's threaded
    cron thread dies for good when PostgreSQL refuses its reconnection
    (odoo/service/server.py cron_thread connects outside any try; Python prints
    ``Exception in thread odoo.service.cron...`` in the server's log): Odoo's defect,
    not the connector's. Then the tier restarts the server, as its operator would,
    says so, and judges the connector's cron from there."""
    from .configure import xmlid  # pylint: disable=import-outside-toplevel

    cron = xmlid(run.admin, "openfire_google_calendar", "ir_cron_of_google_sync")
    deadline = back + 180
    restarted = False
    while True:
        rows = run.admin.kw("ir.cron", "read", [[cron], ["lastcall"]], kind="check")
        last = rows[0]["lastcall"]
        when = (
            datetime.strptime(last, "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc).timestamp()
            if last
            else 0
        )
        if when >= back - 1:
            run.report.row["cron_after_pg"] = round(when - back, 1)
            return
        if not restarted and time.time() > back + 90 and cron_thread_died(run):
            restarted = True
            run.report.row["cron_thread_restarts"] = 1
            run.report.note(
                "Odoo's defect, not the connector's: the threaded server's cron thread died "
                "when PostgreSQL refused its reconnection (%r in its log); the server was "
                "restarted by the tier, as its operator would" % CRON_DIED
            )
            log("  ODOO (not the connector): the cron thread died; the server restarted")
            with run.server.lock:
                run.server.kill()
                run.server.start()
            back = time.time()
            deadline = back + 180
            continue
        if time.time() > deadline:
            run.report.fail(
                "pg-restart: the scheduled action has not run since PostgreSQL came back "
                "(last call %s)" % last
            )
            return
        time.sleep(3)


def cron_thread_died(run):
    """Whether the server's log says a cron thread died since its last start."""
    if run.server.mode != "threaded":
        return False
    with open(run.server.log_path, "rb") as handle:
        text = handle.read().decode("utf-8", "replace")
    return CRON_DIED in text.rpartition("===== system tier: start #")[2]


def no_job_started(run):
    """No queue_job job left "started" (its worker died with the connection) for good:
    queue_job's runner requeues them; waited for up to a minute."""
    if not run.queue_job:
        return
    deadline = time.monotonic() + 90
    while True:
        count = run.admin.kw(
            "queue.job", "search_count", [[("state", "in", ("started", "enqueued"))]], kind="check"
        )
        if not count:
            return
        if time.monotonic() > deadline:
            run.report.fail("pg-restart: %d queue_job jobs left started/enqueued" % count)
            return
        time.sleep(3)


def excuse(run, tracebacks, log_path):
    """The tracebacks that a PostgreSQL restart explains (a cut connection, within
    WINDOW s of a restart) taken out of ``tracebacks`` and counted; the rest returned."""
    cluster = run.postgres
    if cluster is None or not cluster.restarts:
        return tracebacks
    try:
        with open(log_path, errors="replace") as handle:
            text = handle.read()
    except OSError:
        return tracebacks
    kept, excused = [], 0
    for context in tracebacks:
        position = text.find(context)
        block = _block(text, position) if position >= 0 else context
        when = _time_of(context) or _time_before(text, position)
        near = when is not None and any(
            stopped - 2 <= when <= back + WINDOW for _k, stopped, back in cluster.restarts
        )
        # the cron thread's death (Odoo's, noted apart) prints its traceback raw, other
        # records interleaved: its block may not reach the cut connection's words
        died = CRON_DIED in block
        if near and (CUT.search(block) or RUNJOB_CUT.search(block) or died):
            excused += 1
        else:
            kept.append(context)
    if excused:
        run.report.row["pg_cut_tracebacks"] = excused
        run.report.note(
            "%d tracebacks of requests/jobs that PostgreSQL's restarts cut (excused)" % excused
        )
    return kept


def _block(text, position):
    """The traceback at ``position`` up to the next log record."""
    end = len(text)
    for match in re.finditer(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ", text[position + 10 :], re.M):
        end = position + 10 + match.start()
        break
    return text[position:end]


def _time_before(text, position):
    """The moment of the last log record before ``position`` (a chained traceback's
    second part has none of its own)."""
    if position < 0:
        return None
    found = None
    for match in re.finditer(LOG_TIME.pattern, text[max(0, position - 50000) : position], re.M):
        found = match
    return _time_of(found.group(0)) if found else None


def _time_of(context):
    """The moment (time.time()) of the log record just before a traceback."""
    for line in context.splitlines():
        match = LOG_TIME.match(line)
        if match:
            value = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
            return value.replace(tzinfo=timezone.utc).timestamp()
    return None
