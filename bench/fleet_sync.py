"""U technicians x R RDVs connecting the same morning, under Google's
default quotas (the emulator's: 600 calls a minute per user, 10,000 per project, each part of
a batch counted), synced by a real Odoo server as production runs it; then steady-state rounds
where some of each technician's RDVs changed.

Every piece is a process of its own, as in production: the Google emulator
(``python -m google_emulator``, with a round-trip latency), and ``odoo-bin --workers=N`` (prefork)
on a database with the connector, OCA's queue_job and the glue addon:

- with queue_job: ``--load=base,web,queue_job``, queue_job's job runner in the server's main
  process dispatching each user's job to the HTTP workers, channel capacity N
  (``root:N,root.google_calendar:N``); the cron only enqueues;
- without queue_job's runner (the glue then stays out of the way): the connector's cron syncs
  every user one after the other in a cron worker (``--max-cron-threads=N``).

A round starts when the bench triggers the scheduled action (as its 10-minute interval would)
and ends when every technician's sync is done (each account synced since the round started,
its sync token saved, no job waiting). "sync s" runs from the round's first call to Google to
its end; "cron start s" is the time from the trigger to that first call (the cron worker
waking, the cron enqueueing, a worker taking the first job). The regular polls are not spread for the bench
(``poll_spread_seconds`` 0), so a round measures work, not the jitter. Peaks of calls a minute
per user and per project come from the emulator's request log (sliding 60 s), and the calls
Google would have refused (403/429) are counted.

    /opt/odoo19/.venv/bin/python bench/fleet_sync.py [--odoo-home /opt/odoo19]
        [--users 20 --rdvs 250 | --full (200 x 250)] [--workers 1,2,4] [--modes queue_job,cron]
        [--changed 0,5,10] [--latency 0.1] [--db bench_fleet_<series>] [--fresh] [--drop]

Odoo 19.0 by default, any series with --odoo-home (bench/odoo_home.py); the emulator and the
servers are started by tools/system_tier/processes.py, as in the system tier. Needs
<odoo-home>/.oca-addons/queue_job (or $QUEUE_JOB_ADDONS; tools/setup_odoo.sh puts it there)
and PostgreSQL as in tools/odoo_tier.sh. The database is created once (the technicians and their RDVs) and reset
between configurations (links, tokens and jobs cleared, the emulator reset), so each
configuration starts from technicians who never synced.
"""

import argparse
import math
import os
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from urllib.parse import quote

import odoo_home
import requests

ODOO, SERIES = odoo_home.prepare()  # before Odoo is imported: its path, its interpreter
OCA_ADDONS = os.environ.get("QUEUE_JOB_ADDONS", os.path.join(ODOO.home, ".oca-addons"))
ODOO = ODOO.with_addons(OCA_ADDONS)

from system_tier.processes import EmulatorProcess, OdooProcess, kill_children  # noqa: E402

import odoo  # noqa: E402  (on the path from here on)
import odoo.service.db  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

CLIENT_ID = "bench-fleet.apps.example"
CLIENT_SECRET = "bench-fleet-secret"
CRON = "openfire_google_calendar.ir_cron_of_google_sync"
ROUND_TIMEOUT = 3600  # seconds: a round that never ends is a failure, not a hang
PER_USER, PER_PROJECT = 600, 10000  # Google's defaults, the emulator's


def load_average():
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])


# --------------------------------------------------------------------------- processes


def start_emulator(log_path):
    """The emulator in a process of its own, with Google's default quotas."""
    return EmulatorProcess(log_path, admin_timeout=120)


def reset_emulator(emu, latency):
    """A fresh Google: no account, no event, counters and log cleared."""
    emu.admin("POST", "reset", {})
    emu.admin(
        "POST",
        "clients",
        {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": []},
    )
    emu.admin("POST", "faults", {"rate": 0, "latency": latency})


def start_odoo(db, workers, queue_job, log_path):
    """``odoo-bin --workers=N`` on the bench database; with queue_job, its job runner
    dispatching to the HTTP workers (channel capacity N), else N cron threads. Every HTTP
    worker loads the registry at its first request: done before the rounds, as in a server
    that has been up for a while."""
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    server = OdooProcess(
        ODOO,
        db,
        log_path,
        [
            "--workers=%d" % (workers if queue_job else 1),
            "--max-cron-threads=%d" % (1 if queue_job else workers),
            "--load=base,web" + (",queue_job" if queue_job else ""),
            "--log-level=warn",
        ],
        env=env,
    )
    if queue_job:
        env.update(
            ODOO_QUEUE_JOB_CHANNELS="root:%d,root.google_calendar:%d" % (workers, workers),
            ODOO_QUEUE_JOB_HOST="127.0.0.1",
            ODOO_QUEUE_JOB_PORT=str(server.port),
        )
    server.start(seconds=120)
    for _wave in range(3):
        threads = [
            threading.Thread(target=requests.get, args=(server.url + "/web/login",))
            for _worker in range(workers * 2)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return server


# --------------------------------------------------------------------------- database


def slots(size):
    """Four visits a working day from next Monday (UTC), so every RDV is in the window."""
    day = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    day += timedelta(days=7 - day.weekday())
    out = []
    while len(out) < size:
        if day.weekday() < 5:
            out.extend(day + timedelta(hours=hour) for hour in (7, 9, 12, 14))
        day += timedelta(days=1)
    return out[:size]


def prepare_database(db, fresh, users, rdvs):
    """The database with the glue addon (and so the connector and queue_job), and the
    technicians: created once, reused while it has the same size."""
    odoo.tools.config.parse_config(
        ODOO.options(db, "--log-level=warn", "--no-http", "--max-cron-threads=0")
    )
    if fresh and odoo.service.db.exp_db_exist(db):
        odoo.service.db.exp_drop(db)
    if not odoo.service.db.exp_db_exist(db):
        print("creating database %s (connector, queue_job, glue; no demo data)..." % db, flush=True)
        done = ODOO.install(
            db,
            "openfire_google_calendar_queue_job",
            "--no-http",
            "--max-cron-threads=0",
            "--log-level=warn",
        )
        if done.returncode:
            raise SystemExit("odoo-bin -i failed (%d)" % done.returncode)
    registry = Registry(db)
    with registry.cursor() as cr:
        env = api.Environment(
            cr,
            SUPERUSER_ID,
            {"tracking_disable": True, "mail_create_nolog": True, "no_reset_password": True},
        )
        existing = env["res.users"].search([("login", "=like", "fleet.%@example.com")])
        if len(existing) != users or (
            existing
            and env["of.planning.intervention"].search_count(
                [("employee_ids.user_id", "=", existing[0].id)]
            )
            != rdvs
        ):
            if existing:
                raise SystemExit(
                    "%s holds another fleet (%d technicians): use --fresh" % (db, len(existing))
                )
            print("creating %d technicians x %d RDVs..." % (users, rdvs), flush=True)
            started = time.monotonic()
            groups = [
                env.ref("base.group_user").id,
                env.ref("openfire_planning.group_of_planning_user").id,
            ]
            field = "group_ids" if "group_ids" in env["res.users"]._fields else "groups_id"
            for index in range(users):
                email = "fleet.%03d@example.com" % index
                user = env["res.users"].create(
                    {
                        "name": "Technicien %03d" % index,
                        "login": email,
                        "email": email,
                        "tz": "Europe/Paris",
                        field: [(6, 0, groups)],
                    }
                )
                employee = env["hr.employee"].create(
                    {"name": user.name, "user_id": user.id, "work_email": email}
                )
                env["of.planning.intervention"].create(
                    [
                        {
                            "name": "Visite %d" % number,
                            "date": start,
                            "duree": 1.0,
                            "tz": "Europe/Paris",
                            "state": "confirm",
                            "employee_ids": [(6, 0, employee.ids)],
                        }
                        for number, start in enumerate(slots(rdvs))
                    ]
                )
                env["of.google.account"]._for_user(user)
                cr.commit()
            print("  done in %.0f s" % (time.monotonic() - started), flush=True)
    return registry


def reset_round(registry, emu, latency):
    """Technicians who never synced, a fresh Google, Google's default quotas, no job."""
    reset_emulator(emu, latency)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        set_param = env["ir.config_parameter"].set_param
        set_param("google_calendar_client_id", CLIENT_ID)
        set_param("google_calendar_client_secret", CLIENT_SECRET)
        for key in ("auth_uri", "token_uri", "revoke_uri"):
            set_param("openfire_google_calendar." + key, emu.info[key])
        set_param("openfire_google_calendar.api_endpoint", emu.info["api_endpoint"])
        set_param("openfire_google_calendar.push_base_url", "")  # polling only
        set_param("openfire_google_calendar.sync_window_days", "0")
        set_param("openfire_google_calendar.poll_spread_seconds", "0")
        for key in ("quota_per_user", "quota_per_project"):  # Google's defaults
            set_param("openfire_google_calendar." + key, False)
        for statement in (
            "DELETE FROM of_google_event_link",
            "DELETE FROM of_google_push",
            "DELETE FROM of_google_quota_use",
            "DELETE FROM of_google_not_before",
            "DELETE FROM queue_job",
            "DELETE FROM ir_cron_trigger",
            "UPDATE of_google_account SET sync_token = NULL, calendar_id = NULL, "
            "calendar_name = NULL, last_sync = NULL, sync_watermark = NULL, "
            "last_error = NULL, channel_id = NULL, state = 'disconnected'",
        ):
            cr.execute(statement)
        # The cron runs when the bench says (as its interval would), not by itself.
        cron = env.ref(CRON)
        cron.write({"nextcall": datetime.now() + timedelta(days=7), "active": True})
        from odoo.addons.openfire_google_calendar.services.google_oauth import SCOPES

        users = env["res.users"].search([("login", "=like", "fleet.%@example.com")], order="id")
        for user in users:
            emu.admin("POST", "accounts", {"email": user.login, "time_zone": "Europe/Paris"})
            tokens = emu.admin(
                "POST",
                "tokens",
                {"email": user.login, "client_id": CLIENT_ID, "scopes": list(SCOPES)},
            )
            env["of.google.account"]._for_user(user)._store_tokens(tokens)
        cr.commit()
        return users.ids


def start_round(registry, changed, user_ids):
    """Some RDVs of each technician move an hour (a planner's day): ``changed`` of them
    ("12") or a share ("5%"), then the scheduled
    action is triggered; returns the moment (database clock), the RDVs moved and when the
    trigger was sent (time.time())."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        moved = 0
        if changed not in ("0", "0%"):
            Rdv = env["of.planning.intervention"]
            for user_id in user_ids:
                rdvs = Rdv.search([("employee_ids.user_id", "=", user_id)], order="id")
                if changed.endswith("%"):
                    count = max(1, len(rdvs) * int(changed[:-1]) // 100)
                else:
                    count = int(changed)
                for rdv in rdvs[:count]:
                    rdv.date = rdv.date + timedelta(hours=1)
                moved += count
            cr.commit()
        # The cron's interval has passed since the last round: every account is due.
        cr.execute("UPDATE of_google_account SET last_sync = last_sync - interval '10 minutes'")
        cr.execute("SELECT now() AT TIME ZONE 'UTC'")
        started = cr.fetchone()[0]
        triggered = time.time()
        cron = env.ref(CRON)
        cr.execute(
            "INSERT INTO ir_cron_trigger (cron_id, call_at, create_date, write_date) "
            "VALUES (%s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', "
            "now() AT TIME ZONE 'UTC')",
            [cron.id],
        )
        cr.commit()
    # Cron workers listen on the "postgres" database (as ir.cron._notifydb notifies).
    with odoo.sql_db.db_connect("postgres").cursor() as cr:
        cr.execute("SELECT pg_notify('cron_trigger', %s)", [registry.db_name])
    return started, moved, triggered


def wait_round(registry, started, users, queue_job):
    """Until every account synced after ``started`` with its token saved and no job of the
    connector waits or runs; (the moment, time.time(), longest job in s or None)."""
    clock = time.monotonic()
    while True:
        with registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM of_google_account WHERE state = 'connected' "
                "AND sync_token IS NOT NULL AND last_sync >= %s",
                [started],
            )
            synced = cr.fetchone()[0]
            cr.execute(
                "SELECT count(*) FILTER (WHERE state IN ('pending', 'enqueued', 'started')), "
                "max(extract(epoch FROM date_done - date_started)) FROM queue_job"
            )
            waiting, longest = cr.fetchone()
            cr.execute("SELECT count(*) FROM of_google_push")
            woken = cr.fetchone()[0]
        if synced == users and not waiting and not woken:
            return time.time(), (float(longest) if queue_job and longest else None)
        if time.monotonic() - clock > ROUND_TIMEOUT:
            raise SystemExit(
                "round not done after %d s: %d/%d synced" % (ROUND_TIMEOUT, synced, users)
            )
        time.sleep(0.25)


# --------------------------------------------------------------------------- figures


def peak_per_minute(times):
    """The most calls in any 60 s window."""
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 60:
            start += 1
        best = max(best, end - start + 1)
    return best


def log_figures(emu):
    """(API calls, peak a minute per user, per project, refused, first call's time) from
    the request log."""
    log = emu.admin("GET", "log")["entries"]
    calls = [
        entry
        for entry in log
        if entry["in_batch"]
        or (entry["path"].startswith("/calendar/v3") and not entry["batch_size"])
    ]
    per_user = defaultdict(list)
    for entry in calls:
        per_user[entry.get("email")].append(entry["time"])
    refused = sum(1 for entry in log if entry.get("status") in (403, 429))
    return (
        len(calls),
        max((peak_per_minute(times) for times in per_user.values()), default=0),
        peak_per_minute([entry["time"] for entry in calls]),
        refused,
        min((entry["time"] for entry in calls), default=None),
    )


def check_google(emu, registry, rdvs):
    """After the rounds: every technician's calendar holds his R events."""
    with registry.cursor() as cr:
        cr.execute(
            "SELECT u.login, a.calendar_id FROM of_google_account a "
            "JOIN res_users u ON u.id = a.user_id WHERE a.state = 'connected'"
        )
        rows = cr.fetchall()
    wrong = []
    for login, calendar_id in rows:
        events = emu.admin(
            "GET", "phone/%s/calendars/%s/events" % (quote(login), quote(calendar_id, safe=""))
        )["items"]
        if len(events) != rdvs:
            wrong.append((login, len(events)))
    if wrong:
        raise SystemExit("calendars not fully synced: %s" % wrong[:5])
    return len(rows)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rdvs", type=int, default=250)
    parser.add_argument("--full", action="store_true", help="the full size: 200 x 250")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--modes", default="queue_job,cron")
    parser.add_argument(
        "--changed",
        default="0,5%,10%",
        help="steady-state rounds: RDVs changed per technician, a number or a share (5%%)",
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.1,
        help="seconds added to every API request (Google's round-trip)",
    )
    parser.add_argument("--db", default="bench_fleet_" + SERIES.split(".")[0])
    odoo_home.add_argument(parser)
    parser.add_argument("--fresh", action="store_true", help="recreate the database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args()
    if args.full:
        args.users, args.rdvs = 200, 250
    return args


def run_round(registry, emu, user_ids, queue_job, changed):
    """One round, triggered and waited for: (RDVs moved, sync s, cron start s, API calls,
    peak a minute per user, per project, refused, longest job s, load average)."""
    emu.admin("POST", "log/clear", {})
    load = load_average()
    started, moved, triggered = start_round(registry, changed, user_ids)
    ended, longest = wait_round(registry, started, len(user_ids), queue_job)
    calls, user_peak, project_peak, refused, first = log_figures(emu)
    seconds = ended - triggered
    wake = (first - triggered) if first else 0.0
    with registry.cursor() as cr:
        cr.execute("DELETE FROM queue_job")
        cr.commit()
    return (moved, seconds - wake, wake, calls, user_peak, project_peak, refused, longest, load)


def run_configuration(args, registry, emu, mode, workers, log_path):
    """A server with ``workers`` in ``mode``, the first syncs, then the steady rounds;
    a row per round: (mode, workers, round) + run_round's figures."""
    queue_job = mode == "queue_job"
    user_ids = reset_round(registry, emu, args.latency)
    server = start_odoo(args.db, workers, queue_job, log_path)
    rows = []
    try:
        rounds = [("first syncs", "0")] + [
            ("%s changed" % spec, spec) for spec in args.changed.split(",")
        ]
        for label, changed in rounds:
            figures = run_round(registry, emu, user_ids, queue_job, changed)
            rows.append((mode, workers, label) + figures)
            sync_s, wake, calls, load = figures[1], figures[2], figures[3], figures[8]
            print(
                "  %s, %d workers, %s: %.1f s (first call after %.1f s), %d calls "
                "(load %s)" % (mode, workers, label, sync_s + wake, wake, calls, load),
                flush=True,
            )
    finally:
        server.stop()
    check_google(emu, registry, args.rdvs)
    return rows


def print_report(args, rows):
    """The table, the speed-ups of the first syncs, the project quota's bound."""
    print()
    print(
        "Odoo %s, %d technicians x %d RDVs, %.2f s a request; Google's default quotas (%d/min "
        "a user, %d/min the project); %s"
        % (
            SERIES,
            args.users,
            args.rdvs,
            args.latency,
            PER_USER,
            PER_PROJECT,
            os.cpu_count() and "%d cores" % os.cpu_count(),
        )
    )
    print(
        "| mode | workers | round | RDVs changed | sync s | cron start s | API calls "
        "| peak/min a user | peak/min project | refused | longest job s | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        longest = row[10]
        print(
            "| %s | %d | %s | %d | %.1f | %.1f | %d | %d | %d | %d | %s | %s |"
            % (row[:10] + ("%.1f" % longest if longest is not None else "-", row[11]))
        )
    first = {(r[0], r[1]): r[4] for r in rows if r[2] == "first syncs"}
    for mode in args.modes.split(","):
        one = first.get((mode, 1))
        if one:
            print(
                "%s: first syncs %s"
                % (
                    mode,
                    ", ".join(
                        "%d workers %.2fx" % (w, one / t)
                        for (m, w), t in sorted(first.items())
                        if m == mode and w != 1
                    ),
                )
            )
    calls_first = [r[6] for r in rows if r[2] == "first syncs"]
    if calls_first:
        calls = max(calls_first)
        # A sliding minute lets L calls through at once, then L more each minute.
        ours = 60 * (math.ceil(calls / (PER_PROJECT * 0.9)) - 1)
        google = 60 * (math.ceil(calls / PER_PROJECT) - 1)
        print(
            "project-quota bound of the first syncs (%d calls): at least %d s under the "
            "connector's 9,000 a minute (90 %% margin), %d s under Google's 10,000"
            % (calls, ours, google)
        )


def main():
    args = parse_args()
    # A stopped bench stops its servers too (the finally blocks below).
    signal.signal(signal.SIGTERM, lambda signum, _frame: sys.exit(128 + signum))
    if not os.path.exists(os.path.join(OCA_ADDONS, "queue_job", "__manifest__.py")):
        raise SystemExit("no queue_job in %s: run tools/setup_odoo.sh" % OCA_ADDONS)
    work = tempfile.mkdtemp(prefix="bench-fleet-")
    registry = prepare_database(args.db, args.fresh, args.users, args.rdvs)
    emu = start_emulator(os.path.join(work, "emulator.log"))
    rows = []
    try:
        for mode in args.modes.split(","):
            for workers in [int(w) for w in args.workers.split(",")]:
                log_path = os.path.join(work, "odoo-%s-%d.log" % (mode, workers))
                rows += run_configuration(args, registry, emu, mode, workers, log_path)
    finally:
        emu.stop()
        kill_children()
    print_report(args, rows)
    if args.drop:
        odoo.sql_db.close_all()
        odoo.service.db.exp_drop(args.db)


if __name__ == "__main__":
    main()
