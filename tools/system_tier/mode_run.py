"""One mode (threaded or prefork) from its database to its verdict: the database copied
from the template, the emulator and the server started, the configuration and the
connections, the plain-start and fresh-session checks, the acceptance probe, the load,
quiescence and the checks; then the log scans and the figures of its table row."""

import os
import random
import shutil
import threading
import time
import traceback

from . import checks, configure, faults_postgres, field_techs, queue_job_mode, scenarios
from .client import Client, Stats
from .common import CLIENT_ID, CLIENT_SECRET, REQUEST_TIMEOUT, RETRY_LIMIT, SLOW_REQUEST, log
from .ledger import Ledger, Report
from .phone import Phones
from .probe import Probe
from .processes import EmulatorProcess, OdooServer, free_port
from .workload import Workload


class ModeRun:
    """Everything of one mode; its parts read the run's shared state from here."""

    def __init__(self, args, mode, template_db, workdir):
        self.args, self.mode = args, mode
        self.db = "%s_%s" % (template_db.rsplit("_", 1)[0], mode)
        self.template_db = template_db
        self.workdir = os.path.join(workdir, mode)
        os.makedirs(self.workdir, exist_ok=True)
        self.stats = Stats()
        self.rng = random.Random(args.seed + (0 if mode == "threaded" else 1))
        self.ledger = Ledger()
        self.report = Report()
        self.techs = []
        self.planners = []
        self.stop = threading.Event()
        self.retry_field = None
        self.server = None
        self.emulator = None
        self.phones = None
        self.admin = None
        self.started = time.monotonic()
        self.kill_times = []
        self.field_kind = None
        self.service_account = None
        self.shared_owner = None
        self.postgres = getattr(args, "private_pg", None)
        self.queue_job = queue_job_mode.wanted(args, mode)

    @property
    def failures(self):
        return self.report.failures

    @property
    def row(self):
        return self.report.row

    def sync(self, tech, kind="sync", timeout=REQUEST_TIMEOUT, **opts):
        """ "Sync. avec Google" as the technician; a confirmation is confirmed."""
        result = tech["client"].sync_data(kind=kind, timeout=timeout, **opts)
        status = result.get("status")
        self.stats.count("sync:" + str(status))
        if status == "confirm_needed":
            self.report.note("%s: confirm_needed (%s)" % (tech["login"], result.get("message")))
            result = tech["client"].sync_data(kind=kind, timeout=timeout, force=True, **opts)
            self.stats.count("sync:" + str(result.get("status")))
        return result

    # ------------------------------------------------------------------ setup
    def create_database(self):
        """The mode's database and filestore, copies of the template's."""
        pg = self.args.odoo.pg
        pg.dropdb(self.db, check=True)
        pg.createdb(self.db, self.template_db)
        src = os.path.join(self.args.data_dir, "filestore", self.template_db)
        dst = os.path.join(self.args.data_dir, "filestore", self.db)
        shutil.rmtree(dst, ignore_errors=True)
        if os.path.isdir(src):
            shutil.copytree(src, dst)
        if self.queue_job:
            queue_job_mode.install(self)

    def start_emulator(self):
        """The server's ports chosen, the emulator started with an account per
        technician and the OAuth client redirecting to that server."""
        server_log = os.path.join(self.workdir, "odoo.log")
        self.server = OdooServer(self.args, self.mode, self.db, self.args.data_dir, server_log)
        if self.queue_job:
            queue_job_mode.adapt(self)
        options = ["--time-zone", "Europe/Paris", "--client-id", CLIENT_ID]
        options += ["--client-secret", CLIENT_SECRET]
        options += ["--redirect-uri", self.server.url + "/google_account/authentication"]
        for i in range(self.args.technicians):
            options += ["--account", "tech%d@example.com" % (i + 1)]
        self.emulator = EmulatorProcess(
            os.path.join(self.workdir, "emulator.log"),
            options,
            python=self.args.odoo_python,
            port=free_port(),
            emulator_path=self.args.emulator_path,
        )
        self.phones = Phones(self.emulator, self.ledger, self.stats)

    def prepare(self):
        """Odoo started; configuration, the plain start, connections, new sessions."""
        self.server.start()
        log(
            "  Odoo %s (%s), emulator %s, logs in %s"
            % (self.server.url, self.mode, self.emulator.url, self.workdir)
        )
        self.admin = Client(self.server, self.stats, "admin", "admin")
        configure.configure(self)
        checks.check_plain_start(self.report, self.server.log_path)
        for tech in self.techs:
            configure.connect(self, tech)
        for planner in self.planners:  # people log in one by one, not all at once
            planner.authenticate()
        log("  %d technicians connected, %d planners" % (len(self.techs), len(self.planners)))
        configure.fresh_session_probe(self, self.techs[0])
        field_techs.setup(self, self.args.field_technicians)
        field_techs.seed_rdvs(self)
        field_techs.first_calendars(self)
        configure.propose_changes(self)

    # -------------------------------------------------------------------- run
    def run(self):
        """The whole mode; True when every check passed."""
        log("== mode %s: database %s" % (self.mode, self.db))
        self.create_database()
        self.start_emulator()
        try:
            self.prepare()
            scenarios.announce(self)
            probe = Probe(self)
            if not probe():
                probe.aftermath()
            log(
                "  workload: %d edits, %d kills, %.0f %% faults"
                % (self.args.edits, self.args.kills, self.args.fault_rate * 100)
            )
            checks.check_phone_if_match(self)
            before = len(self.ledger.edits)
            Workload(self).start()
            load_edits = len(self.ledger.edits) - before
            log("  quiescence")
            checks.quiesce(self)
            field_techs.resolve_edits(self)
            checks.check_sides(self)
            checks.check_bounds(self, load_edits)
            checks.final_already_running(self)
            checks.check_availability(self)
            if self.queue_job:
                queue_job_mode.figures(self)
            scenarios.run_all(self)
        except Exception as exc:  # pylint: disable=broad-except
            self.report.fail("harness stopped: %s" % exc)
            traceback.print_exc()
        finally:
            self.stop.set()
            self.finish()
        return not self.failures

    # ----------------------------------------------------------------- finish
    def finish(self):
        """The log scans, the figures, then the processes stopped and the database
        dropped (unless --keep)."""
        self.scan_server_log()
        self.emulator_figures()
        self.latency_figures()
        for note in self.report.notes:
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
            self.args.odoo.pg.dropdb(self.db)
            shutil.rmtree(
                os.path.join(self.args.data_dir, "filestore", self.db), ignore_errors=True
            )

    def scan_server_log(self):
        """Watchdog lines and tracebacks fail the mode; the gevent process's import
        crashes are the environment's and only noted."""
        row = self.report.row
        scan = checks.scan_log(self.server.log_path) if self.server else checks.scan_log("")
        row["watchdog"] = len(scan["watchdog"])
        if self.server:
            scan["traceback"] = faults_postgres.excuse(
                self, scan["traceback"], self.server.log_path
            )
        row["tracebacks"] = len(scan["traceback"])
        if scan["watchdog"]:
            self.report.fail("Odoo's watchdog: %s" % scan["watchdog"][0][:200])
        if scan["environment"]:
            self.report.note(
                "%d crashes of prefork's gevent process at import (the "
                "virtualenv's, not the connector's): %s"
                % (len(scan["environment"]), scan["environment"][0].strip().splitlines()[-1][:200])
            )
        if scan["traceback"]:
            log(
                "  %d tracebacks in the Odoo log, the first:\n%s"
                % (len(scan["traceback"]), scan["traceback"][0])
            )
            self.report.fail("%d tracebacks in the Odoo log" % len(scan["traceback"]))
        row["cron_syncs"] = scan["cron_syncs"]

    def emulator_figures(self):
        """Faults injected, API requests, push deliveries, from the emulator's logs."""
        row = self.report.row
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

    def latency_figures(self):
        """The slowest request and "Réessayer" against their limits; syncs, edits, kills."""
        row = self.report.row
        slowest, what = self.stats.slowest
        row["slowest"] = slowest
        row["slowest_what"] = what
        if slowest > SLOW_REQUEST:
            self.report.fail(
                "slowest request %.1f s (%s), limit %.0f s" % (slowest, what, SLOW_REQUEST)
            )
        row["retry_max"] = self.stats.max_latency("retry")
        if row["retry_max"] > RETRY_LIMIT:
            self.report.fail(
                'slowest "Réessayer" %.1f s, limit %.0f s' % (row["retry_max"], RETRY_LIMIT)
            )
        with self.stats.lock:
            counters = dict(self.stats.counters)
        row["syncs"] = (
            sum(
                n
                for k, n in counters.items()
                if k.startswith("sync:") and k not in ("sync:already_running",)
            )
            + row["cron_syncs"]
        )
        row["already_running_seen"] = counters.get("sync:already_running", 0)
        row["edits"] = len(self.ledger.edits)
        row["kills"] = self.server.kills if self.server else 0
        row["hangs"] = self.server.hangs if self.server else 0
        row["wall"] = time.monotonic() - self.started
        row["counters"] = counters
