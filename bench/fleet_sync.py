"""Issue 14, Deliver 6 (b), scaled down: U technicians x R RDVs (default 20 x 250) connecting
the same morning, under Google's default quotas, synced by W workers; then a steady-state
round where 5 % of each technician's RDVs changed. W=1 is the connector's cron (users one after
the other, bench calls services/sync_cron.sync_all as the cron does); W>1 runs each user's sync
as its own job in W threads with a cursor each, as queue_job's runner does with W workers
(openfire_google_calendar_queue_job). Peaks of calls per minute per user and per project come
from the emulator's request log (sliding 60 s).

    PYTHONPATH=. /opt/odoo17/.venv/bin/python bench/fleet_sync.py [--users 20 --rdvs 250
                                                                   --workers 1,2,4]
"""

import argparse
import os
import queue
import sys
import threading
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import odoo_sync as bench  # noqa: E402  (puts Odoo on the path)

from odoo import SUPERUSER_ID, api  # noqa: E402

from google_emulator import Emulator  # noqa: E402


def peak_per_minute(entries):
    """The most calls in any 60 s window."""
    times = sorted(entries)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] > 60:
            start += 1
        best = max(best, end - start + 1)
    return best


def peaks(log):
    calls = [
        entry
        for entry in log
        if entry["in_batch"]
        or (entry["path"].startswith("/calendar/v3") and not entry["batch_size"])
    ]
    per_user = defaultdict(list)
    for entry in calls:
        per_user[entry.get("email")].append(entry["time"])
    return (
        len(calls),
        max((peak_per_minute(t) for t in per_user.values()), default=0),
        peak_per_minute([entry["time"] for entry in calls]),
        sum(1 for entry in log if entry.get("status") in (403, 429)),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--rdvs", type=int, default=250)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--db", default="bench_odoo_sync")
    parser.add_argument(
        "--latency",
        type=float,
        default=0.1,
        help="seconds added to every API request (Google's round-trip)",
    )
    args = parser.parse_args()
    registry = bench.prepare_database(args.db, False)
    from odoo.addons.openfire_google_calendar.services import sync_cron
    from odoo.addons.openfire_google_calendar.services.sync_runner import run_sync

    rows = []
    for workers in [int(w) for w in args.workers.split(",")]:
        emu = Emulator(seed=0)  # Google's default quotas
        emu.start()
        emu.add_client(bench.CLIENT_ID, bench.CLIENT_SECRET, ["http://127.0.0.1/unused"])
        emu.set_faults(rate=0, latency=args.latency)  # no fault, a network's round-trip
        try:
            bench.configure(registry, emu)
            with registry.cursor() as cr:  # Google's defaults (bench.configure lifts them)
                for key in ("quota_per_user", "quota_per_project"):
                    api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"].set_param(
                        "openfire_google_calendar." + key, False
                    )
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                cr.execute("DELETE FROM of_google_quota_use")
                # only this round's technicians are connected
                cr.execute("UPDATE of_google_account SET state = 'disconnected'")
                users = []
                for index in range(args.users):
                    user, _email, _account = bench.connected_technician(
                        env,
                        emu,
                        "fleet%d.%d" % (workers, index),
                        args.rdvs,
                        name="Visite %d",
                        duree=1.0,
                    )
                    users.append(user.id)
                cr.commit()

            def round_trip(label):
                emu.clear_log()
                started = time.monotonic()
                longest = [0.0]
                if workers == 1:
                    with registry.cursor() as cr:
                        env = api.Environment(cr, SUPERUSER_ID, {})
                        while True:
                            cr.execute("DELETE FROM ir_cron_trigger")
                            cr.commit()
                            run_start = time.monotonic()
                            sync_cron.sync_all(env, time_budget=3600)
                            cr.commit()
                            longest[0] = max(longest[0], time.monotonic() - run_start)
                            cr.execute("SELECT min(call_at) FROM ir_cron_trigger")
                            at = cr.fetchone()[0]
                            cr.execute("SELECT count(*) FROM of_google_push")
                            if not at or not cr.fetchone()[0]:
                                break
                            cr.commit()
                            time.sleep(max(0.0, (at - bench.datetime.utcnow()).total_seconds()))
                else:
                    jobs = queue.Queue()
                    for user_id in users:
                        jobs.put((0.0, user_id))

                    def worker():
                        while True:
                            try:
                                not_before, user_id = jobs.get_nowait()
                            except queue.Empty:
                                return
                            time.sleep(max(0.0, not_before - time.monotonic()))
                            with registry.cursor() as cr:
                                env = api.Environment(cr, SUPERUSER_ID, {})
                                run_start = time.monotonic()
                                result = run_sync(env, user_id)
                                longest[0] = max(longest[0], time.monotonic() - run_start)
                            if result.get("status") in ("in_background", "already_running"):
                                jobs.put((time.monotonic() + 30, user_id))  # RetryableJobError

                    threads = [threading.Thread(target=worker) for _ in range(workers)]
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join()
                total = time.monotonic() - started
                calls, user_peak, project_peak, refused = peaks(emu.request_log)
                rows.append(
                    (workers, label, total, calls, user_peak, project_peak, refused, longest[0])
                )

            round_trip("first syncs")
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                Rdv = env["of.planning.intervention"]
                for user_id in users:
                    rdvs = Rdv.search(
                        [("employee_ids.user_id", "=", user_id)], limit=max(1, args.rdvs // 20)
                    )
                    for rdv in rdvs:
                        rdv.date = rdv.date + bench.timedelta(hours=1)
                cr.commit()
            round_trip("5 % changed")
        finally:
            emu.stop()
    print(
        "| workers | round | time s | API calls | peak/min per user | peak/min per project "
        "| quota errors | longest sync s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| %d | %s | %.1f | %d | %d | %d | %d | %.2f |" % row)
    print(
        "(%d technicians x %d RDVs, %.2f s per API request; W=1: the cron in series; W>1: "
        "one job per user in W threads, as queue_job's runner)"
        % (args.users, args.rdvs, args.latency)
    )


if __name__ == "__main__":
    main()
