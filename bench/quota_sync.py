"""One technician, N RDVs (1,000), his first sync under Google's
default per-minute quotas (the emulator's: 600 per user, 10,000 per project): the button
once, then the cron's runs when it is triggered, until everything is synced. Prints the time
to fully synced against the quota-bound minimum (API calls / 600 per minute), the quota
errors Google answered, and the longest request (a run of the sync, as the button or the
cron's job would hold it).

    /opt/odoo19/.venv/bin/python bench/quota_sync.py [--size 1000] [--odoo-home /opt/odoo17]

Odoo 19.0 by default, any series with --odoo-home (bench/odoo_home.py); uses
bench/odoo_sync.py's database of that series (created when missing).
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import odoo_sync as bench  # noqa: E402  (puts Odoo on the path)

from odoo import SUPERUSER_ID, api  # noqa: E402

from google_emulator import Emulator  # noqa: E402


def sync_until_done(env, user, started):
    """The button once, then the cron's runs when it is triggered, until the sync is not
    left to the background: [(at s, status, done, to do, took s)], the longest run's s."""
    from odoo.addons.openfire_google_calendar.services import quota
    from odoo.addons.openfire_google_calendar.services.sync_runner import run_sync

    cr = env.cr
    runs, longest = [], 0.0
    share = quota.BUTTON_SHARE
    while True:
        run_start = time.monotonic()
        result = run_sync(env, user.id, share=share).as_dict()
        cr.commit()
        took = time.monotonic() - run_start
        longest = max(longest, took)
        runs.append(
            (
                round(run_start - started, 1),
                result.get("status"),
                result.get("done"),
                result.get("todo"),
                round(took, 2),
            )
        )
        if result.get("status") != "in_background":
            break
        share = quota.RUN_SHARE
        cr.execute(
            "SELECT min(call_at) FROM ir_cron_trigger WHERE cron_id = %s",
            [env.ref("openfire_google_calendar.ir_cron_of_google_sync").id],
        )
        at = cr.fetchone()[0]
        cr.execute("DELETE FROM ir_cron_trigger")
        cr.commit()
        wait = (at - bench.datetime.utcnow()).total_seconds() if at else 30
        time.sleep(max(0.0, wait))
    return runs, longest


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--db", default="bench_odoo_sync_" + bench.SERIES.split(".")[0])
    bench.odoo_home.add_argument(parser)
    parser.add_argument("--fresh", action="store_true", help="recreate the database")
    args = parser.parse_args()
    registry = bench.prepare_database(args.db, args.fresh)

    emu = Emulator(seed=0)  # Google's default quotas, on
    emu.start()
    emu.add_client(bench.CLIENT_ID, bench.CLIENT_SECRET, ["http://127.0.0.1/unused"])
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
            user, email, account = bench.connected_technician(env, emu, "quota", args.size)
            cr.commit()
            emu.clear_log()
            started = time.monotonic()
            runs, longest = sync_until_done(env, user, started)
            total = time.monotonic() - started
            log = emu.request_log
            calls = sum(
                1
                for entry in log
                if entry["in_batch"]
                or (entry["path"].startswith("/calendar/v3") and not entry["batch_size"])
            )
            refused = sum(1 for entry in log if entry.get("status") in (403, 429))
            events = len(emu.phone(email).list_events(account.calendar_id))
    finally:
        emu.stop()
    minimum = calls / 600.0 * 60
    print("| run at s | status | done | to do | took s |")
    print("|---|---|---|---|---|")
    for run in runs:
        print("| %s | %s | %s | %s | %s |" % run)
    print()
    print(
        "| N | events in Google | API calls | quota-bound minimum s | time to synced s | ratio "
        "| quota errors | longest run s | runs |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    print(
        "| %d | %d | %d | %.0f | %.0f | %.2f | %d | %.2f | %d |"
        % (
            args.size,
            events,
            calls,
            minimum,
            total,
            total / minimum if minimum else 0,
            refused,
            longest,
            len(runs),
        )
    )


if __name__ == "__main__":
    main()
