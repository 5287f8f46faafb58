"""The soak: the system tier's workload at a steady rate for hours, on a prefork server
with queue_job's job runner (when $ODOO_HOME/.oca-addons has it), technicians with and
without a login, Google's transient faults; a row per period (an hour by default) of
what must not grow without bound:

* RSS of the Odoo server's processes (the largest worker, and all of them);
* PostgreSQL connections to the database;
* the connector's own tables (rows; the quota log must stay bounded) and queue_job's;
* p50/p95 of the requests of the period, their count, syncs (button and cron), errors.

At the end, quiescence and both sides compared (0 duplicates, 0 lost edits) as in the
tier. Not in CI. From the repository root:

    /opt/odoo19/.venv/bin/python bench/soak.py --odoo-home /opt/odoo19 \\
        --addons-path /opt/odoo19/addons,/opt/odoo19/odoo/addons,/tmp/systier19 \\
        [--hours 4] [--minutes 10 --period 2] [--pace 1.0]

``--minutes`` replaces ``--hours`` for a short trial, ``--period`` (minutes) is the
row's span (60 unless given). ``--pace`` is the pause of each planner and technician
between two actions (seconds, on top of the tier's own 0-0.6 s). The other options are
the tier's (``tools/system_tier.py --help``)."""

import os
import subprocess
import sys
import threading
import time

sys.path.insert(
    0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools")
)

from system_tier import checks, cli, field_techs  # noqa: E402
from system_tier.common import log  # noqa: E402
from system_tier.mode_run import ModeRun  # noqa: E402
from system_tier.processes import kill_children  # noqa: E402
from system_tier.workload import Workload  # noqa: E402

TABLES = (
    "of_google_account",
    "of_google_event_link",
    "of_google_push",
    "of_google_quota_use",
    "of_google_not_before",
    "of_google_availability",
    "of_google_busy",
    "queue_job",
    "mail_message",
    "of_planning_intervention",
)


def options(argv):
    parser = cli.parser()
    parser.add_argument("--hours", type=float, default=4.0)
    parser.add_argument("--minutes", type=float, help="a short trial instead of --hours")
    parser.add_argument("--period", type=float, help="minutes per row (default 60)")
    parser.add_argument("--pace", type=float, default=1.0)
    own = ("--hours", "--minutes", "--period", "--pace")
    tier_argv, soak_argv, it = [], [], iter(argv)
    for arg in it:
        (soak_argv if arg.split("=")[0] in own else tier_argv).append(arg)
        if arg in own:
            soak_argv.append(next(it))
    soak = parser.parse_known_args(soak_argv + ["--odoo-home", "-", "--addons-path", "-"])[0]
    if not any(arg.split("=")[0] == "--queue-job" for arg in tier_argv):
        tier_argv.append("--queue-job=auto")  # the soak measures the queue_job deployment
    args = cli.parse_args(tier_argv + ["--mode", "prefork", "--kills", "0", "--scenarios", "none"])
    minutes = soak.minutes if soak.minutes else soak.hours * 60
    args.time_limit = int(minutes * 60)
    args.edits = 10**6  # the load is bounded by time, not edits
    args.pace = soak.pace
    args.fault_rate = min(args.fault_rate, 0.05)
    return args, soak.period or 60.0


class Sampler:
    """A row every ``period`` minutes."""

    def __init__(self, run, period):
        self.run, self.period = run, period * 60
        self.rows = []
        self.latency_seen = {}  # kind -> requests already in a row
        self.errors_seen = 0
        self.syncs_seen = 0
        self.cron_seen = 0

    def rss(self):
        """(largest process, sum) in MB over the server's process group."""
        group = self.run.server.proc.pid
        sizes = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.getpgid(int(pid)) != group:
                    continue
                with open("/proc/%s/status" % pid) as handle:
                    for line in handle:
                        if line.startswith("VmRSS:"):
                            sizes.append(int(line.split()[1]) / 1024.0)
            except OSError:
                continue
        return (max(sizes) if sizes else 0.0), sum(sizes)

    def sql(self, query):
        pg = self.run.args.odoo.pg
        done = subprocess.run(
            ["psql", "-At", "-F", "\t", "-d", self.run.db, "-c", query],
            env=pg.environ(),
            capture_output=True,
            text=True,
            check=False,
        )
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def sample(self, elapsed):
        run = self.run
        stats = run.stats
        with stats.lock:
            recent = []
            for kind, values in stats.latencies.items():
                if kind not in ("setup", "check"):
                    recent.extend(values[self.latency_seen.get(kind, 0) :])
                    self.latency_seen[kind] = len(values)
            errors = len(stats.errors)
            syncs = sum(n for k, n in stats.counters.items() if k.startswith("sync:"))
        recent.sort()
        scan = checks.scan_log(run.server.log_path)
        largest, rss_sum = self.rss()
        connections = self.sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        )
        sizes = {
            name: int(rows)
            for name, rows in self.sql(
                "SELECT relname, n_live_tup FROM pg_stat_user_tables WHERE relname IN (%s)"
                % ",".join("'%s'" % t for t in TABLES)
            )
        }
        row = {
            "at": "%.0f min" % (elapsed / 60),
            "rss max": "%.0f MB" % largest,
            "rss all": "%.0f MB" % rss_sum,
            "pg conns": connections[0][0] if connections else "?",
            "requests": len(recent),
            "p50": "%.2f s" % percentile(recent, 0.5),
            "p95": "%.2f s" % percentile(recent, 0.95),
            "syncs": (syncs - self.syncs_seen) + (scan["cron_syncs"] - self.cron_seen),
            "errors": errors - self.errors_seen,
            "tracebacks": len(scan["traceback"]),
        }
        for name in TABLES:
            row[name.replace("of_google_", "").replace("of_planning_", "")] = sizes.get(name, "-")
        self.errors_seen = errors
        self.syncs_seen, self.cron_seen = syncs, scan["cron_syncs"]
        self.rows.append(row)
        log("  soak: " + ", ".join("%s %s" % (k, v) for k, v in row.items()))

    def loop(self, started, stop):
        next_at = started + self.period
        while not stop.wait(max(0.5, next_at - time.monotonic())):
            self.sample(time.monotonic() - started)
            next_at += self.period

    def table(self):
        if not self.rows:
            return
        keys = list(self.rows[0])
        table = [keys] + [[str(row.get(k, "")) for k in keys] for row in self.rows]
        widths = [max(len(line[i]) for line in table) for i in range(len(keys))]
        for n, line in enumerate(table):
            print("| " + " | ".join(c.ljust(widths[i]) for i, c in enumerate(line)) + " |")
            if n == 0:
                print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def percentile(values, q):
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv=None):
    args, period = options(sys.argv[1:] if argv is None else argv)
    log(
        "soak: %.0f min, a row every %.0f min, prefork%s, %d planners, %d technicians + %d "
        "without a login, pace %.1f s, logs in %s"
        % (
            args.time_limit / 60,
            period,
            " with queue_job" if args.queue_job != "off" else "",
            args.planners,
            args.technicians,
            args.field_technicians,
            args.pace,
            args.workdir,
        )
    )
    runs = []
    sampler = None
    cli.private_postgres(args)
    try:
        template = args.template_db or cli.install_template(args, args.workdir)
        run = ModeRun(args, "prefork", template, args.workdir)
        runs.append(run)
        run.create_database()
        run.start_emulator()
        run.prepare()
        sampler = Sampler(run, period)
        stop = threading.Event()
        started = time.monotonic()
        thread = threading.Thread(target=sampler.loop, args=(started, stop), daemon=True)
        thread.start()
        Workload(run).start()
        stop.set()
        sampler.sample(time.monotonic() - started)
        log("  quiescence")
        checks.quiesce(run)
        field_techs.resolve_edits(run)
        checks.check_sides(run)
        run.stop.set()
        run.finish()
    finally:
        kill_children()
        if args.private_pg:
            args.private_pg.destroy()
    print()
    if sampler:
        sampler.table()
    failures = [text for run in runs for text in run.failures]
    row = runs[0].row if runs else {}
    print(
        "soak: %s (%s edits, %s syncs, %s duplicates, %s lost edits, slowest %.2f s)"
        % (
            "FAILED (%s)" % "; ".join(failures[:5]) if failures else "ok",
            row.get("edits"),
            row.get("syncs"),
            row.get("duplicates"),
            row.get("lost"),
            row.get("slowest") or 0.0,
        )
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
