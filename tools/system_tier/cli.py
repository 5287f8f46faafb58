"""The command line: options, the template database installed once, each mode run, the
table, and the last line that tools/odoo_tier.sh reads (``system tier: ok (...)`` or
``system tier: FAILED (...)``; exit status 0 or 1)."""

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import replace

from . import __doc__ as DESCRIPTION
from .common import REPO, SIZES, log
from .faults_postgres import PrivateCluster, pg_bin
from .mode_run import ModeRun
from .processes import OdooInstall, Postgres, free_port, kill_children, on_sigterm

COLUMNS = [
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


def parser():
    parser = argparse.ArgumentParser(description=DESCRIPTION.split("\n\n")[0])
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
    parser.add_argument(
        "--field-technicians",
        type=int,
        help="technicians without an Odoo login (delegation in threaded, a planner's "
        "shared calendars in prefork); default 2 (small), 3 (big)",
    )
    parser.add_argument(
        "--scenarios",
        help="named fault scenarios after the load: comma-separated, 'all' or 'none' "
        "(default: those CI runs; see tools/system_tier/scenarios.py)",
    )
    parser.add_argument(
        "--queue-job",
        choices=("auto", "on", "off"),
        default="auto",
        help="prefork with OCA's queue_job job runner (auto, the default: when "
        "$ODOO_HOME/.oca-addons has it; on: required; off: the connector's cron syncs). A "
        "worker SIGKILLed in the middle of a job leaves it 'started': the glue requeues "
        "its own dead jobs (their lock free) at the scheduled action's next run",
    )
    parser.add_argument(
        "--shared-postgres",
        action="store_true",
        help="the PostgreSQL of PGHOST/PGPORT instead of a private cluster (no restart faults)",
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
    return parser


def parse_args(argv):
    """The options, the size's defaults filled in, Odoo and PostgreSQL from the
    environment (ODOO_PYTHON, PGHOST/PGPORT/PGUSER, SYSTEM_TIER_EMULATOR_PATH)."""
    options = parser()
    args = options.parse_args(argv)
    for key, value in SIZES[args.size].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.time_limit is None:
        args.time_limit = 300 if args.size == "small" else 2400
    if args.technicians < 1 or args.planners < 1:
        options.error("at least one planner and one technician")
    args.odoo_home = os.path.abspath(args.odoo_home)
    args.odoo_python = os.environ.get("ODOO_PYTHON") or sys.executable
    pg = Postgres.from_environ()
    args.pg_host, args.pg_port, args.pg_user = pg.host, pg.port, pg.user
    args.odoo = OdooInstall(args.odoo_python, args.odoo_home, args.addons_path, pg)
    args.emulator_path = os.environ.get("SYSTEM_TIER_EMULATOR_PATH", REPO)
    args.workdir = args.workdir or tempfile.mkdtemp(prefix="system_tier-")
    os.makedirs(args.workdir, exist_ok=True)
    args.data_dir = os.path.abspath(args.data_dir or os.path.join(args.workdir, "data"))
    if not pg.local:
        options.error("PostgreSQL must be on a loopback address or a socket")
    return args


def install_template(args, workdir):
    """The connector installed once, without demo data, into a database each mode copies."""
    db = "st_%d_%s_base" % (os.getpid(), time.strftime("%H%M%S"))
    log("installing openfire_google_calendar in %s (a few minutes)" % db)
    with open(os.path.join(workdir, "install.log"), "wb") as out:
        done = args.odoo.install(
            db,
            "openfire_google_calendar",
            "--max-cron-threads=0",
            "--http-port",
            str(free_port()),
            "--data-dir",
            args.data_dir,
            "--log-level",
            "warn",
            stdout=out,
            timeout=1200,
        )
    if done.returncode != 0:
        raise RuntimeError("installation failed; see %s" % os.path.join(workdir, "install.log"))
    return db


def print_table(runs):
    """A row per mode, then a line of further figures per mode."""
    table = [[title for _key, title, _fmt in COLUMNS]]
    for run in runs:
        row = dict(run.row, mode=run.mode)
        cells = []
        for key, _title, fmt in COLUMNS:
            value = row.get(key, "-")
            try:
                cells.append(fmt % value if value not in ("-", None) else "-")
            except TypeError:
                cells.append(str(value))
        table.append(cells)
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    out = []
    for n, line in enumerate(table):
        out.append("| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)) + " |")
        if n == 0:
            out.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    print("\n".join(out))
    for run in runs:
        print(figures_line(run.mode, run.row))


def figures_line(mode, row):
    return (
        "%s: %s RDVs, %s live events, %s Google API requests, %s push deliveries, "
        '%s sync answers already_running during the load, %s "Réessayer", %s interrupted '
        "edits (%s rolled back, %s on neither side), %s workload errors, "
        "%s phone writes refused 412, probe: retry %s s, synced after %s s, "
        "hung-server restarts %s, slowest: %s"
        % (
            mode,
            row.get("rdvs"),
            row.get("events"),
            row.get("api_calls"),
            row.get("push"),
            row.get("already_running_seen"),
            row.get("counters", {}).get("retries", 0),
            row.get("uncertain"),
            row.get("rolled_back"),
            row.get("unresolved"),
            row.get("workload_errors"),
            row.get("counters", {}).get("phone writes refused 412", 0),
            "%.2f" % row["probe_retry"] if row.get("probe_retry") is not None else "-",
            "%.0f" % row["probe_synced"] if row.get("probe_synced") is not None else "never",
            row.get("hangs"),
            row.get("slowest_what"),
        )
    )


def private_postgres(args):
    """A PostgreSQL cluster of the tier's own, which the restarts may stop (unless
    --shared-postgres or no server binaries): ``args.private_pg``, the --template-db
    copied into it."""
    args.private_pg = None
    if args.shared_postgres or not pg_bin():
        return
    shared = args.odoo.pg
    try:
        cluster = PrivateCluster(args.workdir, shared.user).create()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        log("  no private PostgreSQL (%s): the shared one, without restarts" % exc)
        return
    args.private_pg = cluster
    args.odoo = replace(args.odoo, pg=cluster.pg)
    if args.template_db:
        cluster.copy_from(shared, args.template_db)


def run_modes(args, runs):
    """The template (unless --template-db), then each mode into ``runs``."""
    modes = ("threaded", "prefork") if args.mode == "both" else (args.mode,)
    template = args.template_db
    private_postgres(args)
    try:
        if not template:
            template = install_template(args, args.workdir)
        elif not os.path.isdir(os.path.join(args.data_dir, "filestore", template)):
            os.makedirs(os.path.join(args.data_dir, "filestore"), exist_ok=True)
        for mode in modes:
            run = ModeRun(args, mode, template, args.workdir)
            runs.append(run)
            run.run()
    finally:
        kill_children()
        if template and not args.template_db and not args.keep:
            args.odoo.pg.dropdb(template)
        if args.private_pg and not args.keep:
            args.private_pg.destroy()
        elif args.private_pg:
            args.private_pg.stop()


def main(argv=None):
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, on_sigterm)
    signal.signal(signal.SIGHUP, on_sigterm)
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
            args.workdir,
        )
    )
    runs = []
    try:
        run_modes(args, runs)
    except (Exception, KeyboardInterrupt) as exc:  # pylint: disable=broad-except
        traceback.print_exc()
        print("system tier: FAILED (%s)" % (exc or type(exc).__name__))
        return 1
    print()
    print_table(runs)
    # a failure the checks after each scenario find again is said once
    failures = list(
        dict.fromkeys("%s: %s" % (run.mode, text) for run in runs for text in run.failures)
    )
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
