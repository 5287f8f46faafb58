"""What the technicians' availability costs: reading it from Google in each technician's sync
(requests per technician and per round), the planning's busy blocks for a week of 30
technicians (SQL queries, server time, no Google call), and "Trouver un créneau" for an RDV
of 10 technicians over 4 weeks (server time), against the Google emulator in this process.

    /opt/odoo19/.venv/bin/python bench/availability.py [--technicians 30] [--busy 40]
        [--odoo-home /opt/odoo17] [--fresh] [--drop]

The database (bench_availability_<series>) gets the connector without demo data when
missing; each run adds its own technicians. --busy: busy events each technician has in his
primary calendar over the 4 weeks (besides an absence and a working location).
"""

import argparse
import os
import time
from datetime import datetime, timedelta, timezone

import odoo_home

ODOO, SERIES = odoo_home.prepare()  # before Odoo is imported: its path, its interpreter

from odoo_sync import SqlCounter, configure, new_user, prepare_database  # noqa: E402

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402

from google_emulator import Emulator  # noqa: E402

CLIENT_ID = "bench-client.apps.example"
CLIENT_SECRET = "bench-secret"


def technicians(env, emu, count, busy):
    """``count`` connected technicians, each with ``busy`` busy events, an absence and a
    working location in his primary calendar over the next 4 weeks."""
    from odoo.addons.openfire_google_calendar.services import google_oauth

    start = datetime.now(timezone.utc).replace(hour=8, minute=0, second=0, microsecond=0)
    employees = env["hr.employee"]
    for n in range(count):
        user, email = new_user(env, emu, "avail%d" % n, busy)
        employees |= env["hr.employee"].create(
            {"name": user.name, "user_id": user.id, "work_email": email, "tz": "Europe/Paris"}
        )
        account = env["of.google.account"]._for_user(user)
        scopes = [*google_oauth.SCOPES, google_oauth.FREEBUSY_SCOPE]
        account._store_tokens(emu.mint_token(email, client_id=CLIENT_ID, scopes=scopes))
        phone = emu.phone(email)
        for k in range(busy):
            begin = start + timedelta(days=k % 27, hours=k % 8)
            phone.insert_event(
                email,
                {
                    "summary": "Perso %d" % k,
                    "start": {"dateTime": begin.isoformat()},
                    "end": {"dateTime": (begin + timedelta(minutes=45)).isoformat()},
                },
            )
        phone.set_out_of_office(
            (start + timedelta(days=10)).isoformat(), (start + timedelta(days=11)).isoformat()
        )
    return employees


def measure(fn):
    before = SqlCounter.count
    started = time.perf_counter()
    result = fn()
    return result, SqlCounter.count - before, (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--technicians", type=int, default=30)
    parser.add_argument("--busy", type=int, default=40)
    parser.add_argument("--db", default="bench_availability_" + SERIES.split(".")[0])
    odoo_home.add_argument(parser)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--drop", action="store_true")
    args = parser.parse_args()
    registry = prepare_database(args.db, args.fresh)
    SqlCounter.install()
    emu = Emulator(seed=0, quota_per_user=None, quota_per_project=None)
    emu.start()
    emu.add_client(CLIENT_ID, CLIENT_SECRET, ["http://127.0.0.1/unused"])
    from odoo.addons.openfire_google_calendar.services import availability
    from odoo.addons.openfire_google_calendar.services.sync_runner import run_sync

    rows = []
    try:
        configure(registry, emu)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ir.config_parameter"].set_param("openfire_google_calendar.availability", "1")
            team = technicians(env, emu, args.technicians, args.busy)
            cr.commit()
            emu.clear_log()
            started = time.perf_counter()
            for employee in team:
                run_sync(env, employee.user_id.id)
                cr.commit()
            took = time.perf_counter() - started
            calls = [e for e in emu.request_log if "/freeBusy" in e["path"]]
            rows.append(
                (
                    "first syncs with availability, %d technicians" % len(team),
                    "%d requests (%d freeBusy), %.1f s" % (len(emu.request_log), len(calls), took),
                )
            )
            known = env["of.google.availability"].search([("employee_id", "in", team.ids)])
            blocks = env["of.google.busy"].search_count([("employee_id", "in", team.ids)])
            rows.append(
                (
                    "availability known",
                    "%d of %d, %d blocks"
                    % (sum(1 for row in known if row.state == "known"), len(team), blocks),
                )
            )
            # the week view: the one call the planning adds to its load (as a planner, his
            # language in the context, the ORM cache cold as in a new request)
            monday = (datetime.now() + timedelta(days=7)).replace(microsecond=0)
            week = (str(monday), str(monday + timedelta(days=7)))
            planner = env["of.planning.intervention"].with_user(team[0].user_id)
            planner = planner.with_context(lang=team[0].user_id.lang)
            env.flush_all()
            emu.clear_log()
            for when in ("first request", "next requests"):  # the registry's caches cold, warm
                env.invalidate_all()
                answer, queries, ms = measure(
                    lambda: planner.of_availability_blocks(team.ids, *week)
                )
                rows.append(
                    (
                        "week view, %s: 1 RPC, %d technicians, %d blocks, %d unknown"
                        % (when, len(team), len(answer["blocks"]), len(answer["doubts"])),
                        "%d SQL, %.1f ms, %d Google calls" % (queries, ms, len(emu.request_log)),
                    )
                )
            ten = team[:10]
            earliest = availability.aware(datetime.now()).replace(second=0, microsecond=0)
            found, queries, ms = measure(
                lambda: availability.search_slots(env, ten, timedelta(hours=2), earliest, 4, 5)
            )
            rows.append(
                (
                    "find a slot: %d technicians, 4 weeks" % len(ten),
                    "%d slots, %d SQL, %.0f ms" % (len(found[0]), queries, ms),
                )
            )
            cr.rollback()
    finally:
        emu.stop()
    print("\nOdoo %s, %s" % (SERIES, ODOO.home))
    width = max(len(name) for name, _value in rows)
    for name, value in rows:
        print("| %s | %s |" % (name.ljust(width), value))
    if args.drop:
        odoo.sql_db.close_all()
        odoo.service.db.exp_drop(args.db)


# -- refresh 200 technicians: freeBusy batched per Workspace domain ------------------------

REFRESH_DOMAIN = "bench-avail.test"


def delegated_team(env, emu, count, busy=3):
    """``count`` technicians of one Workspace domain synced by delegation, each with his
    primary calendar's free/busy time seen inside the domain (Google's default) and
    ``busy`` events there, all on one RDV next week (a technician is on an RDV)."""
    from odoo.addons.openfire_google_calendar.services import service_account

    stamp = int(time.time() * 1000)
    key = emu.add_service_account(name="bench%d" % stamp, domain=REFRESH_DOMAIN)
    set_param = env["ir.config_parameter"].set_param
    set_param(service_account.KEY_PARAM, __import__("json").dumps(key))
    set_param(service_account.DOMAIN_PARAM, REFRESH_DOMAIN)
    set_param(service_account.MODE_PARAM, "delegated")
    start = datetime.now(timezone.utc).replace(hour=8, minute=0, second=0, microsecond=0)
    employees = env["hr.employee"]
    for n in range(count):
        email = "tech%d.%d@%s" % (n, stamp, REFRESH_DOMAIN)
        emu.add_account(email, "Europe/Paris")
        phone = emu.phone(email)
        phone.share_calendar(email, REFRESH_DOMAIN, scope_type="domain")
        for k in range(busy):
            begin = start + timedelta(days=1 + k, hours=k)
            phone.insert_event(
                email,
                {
                    "summary": "Perso %d" % k,
                    "start": {"dateTime": begin.isoformat()},
                    "end": {"dateTime": (begin + timedelta(hours=1)).isoformat()},
                },
            )
        employees |= env["hr.employee"].create(
            {"name": "Tech %d" % n, "work_email": email, "tz": "Europe/Paris"}
        )
    env["of.planning.intervention"].create(
        {
            "name": "Bench availability",
            "date": (start + timedelta(days=7)).replace(tzinfo=None),
            "duree": 1.0,
            "employee_ids": [(6, 0, employees.ids)],
        }
    )
    return employees


def cron_round(registry, emu, team):
    """One run of the scheduled sync: (calls by kind, quota units logged, seconds)."""
    from odoo.addons.openfire_google_calendar.services import sync_cron

    emu.clear_log()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        cr.execute("SELECT coalesce(max(id), 0) FROM of_google_quota_use")
        last = cr.fetchone()[0]
        cr.commit()
        started = time.perf_counter()
        sync_cron.sync_all(env, time_budget=3600)
        took = time.perf_counter() - started
        cr.commit()  # a new snapshot: the sessions' logs, committed in their cursors
        cr.execute("SELECT coalesce(sum(calls), 0) FROM of_google_quota_use WHERE id > %s", [last])
        units = cr.fetchone()[0]
        cr.commit()
    log = [e for e in emu.request_log if e["path"] and not e["path"].startswith("/token")]
    calls = {
        "freeBusy": sum(1 for e in log if e["path"].endswith("/freeBusy")),
        "listings": sum(1 for e in log if e["path"].endswith("/events") and e["method"] == "GET"),
        "all": sum(1 for e in log if e["path"].startswith(("/calendar", "/batch"))),
    }
    return calls, units, took


def refresh_section(count=200):
    """The scheduled sync over ``count`` delegated technicians: freeBusy calls per range
    per round (at most ⌈count/50⌉ a range), Google calls and quota units of a first
    round, of a round within the interval (nothing due) and of a round once the
    availability is due again (a round later)."""
    import math

    from odoo.modules.registry import Registry

    from odoo.addons.openfire_google_calendar.services import technician_accounts
    from odoo.addons.openfire_google_calendar.sync.busy_time import ranges

    db = "bench_availability_refresh_" + SERIES.split(".")[0]
    if odoo.service.db.exp_db_exist(db):
        odoo.service.db.exp_drop(db)
    print("creating database %s (openfire_google_calendar, no demo data)..." % db, flush=True)
    done = ODOO.install(
        db, "openfire_google_calendar", "--no-http", "--max-cron-threads=0", "--log-level=warn"
    )
    if done.returncode:
        raise SystemExit("odoo-bin -i openfire_google_calendar failed (%d)" % done.returncode)
    registry = Registry(db)
    emu = Emulator(seed=0, quota_per_user=None, quota_per_project=None)
    emu.start()
    emu.add_client(CLIENT_ID, CLIENT_SECRET, ["http://127.0.0.1/unused"])
    rows = []
    try:
        configure(registry, emu)
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["ir.config_parameter"].set_param("openfire_google_calendar.availability", "1")
            team = delegated_team(env, emu, count)
            cr.commit()
            # the technicians' accounts, as the cron makes them before its sessions
            technician_accounts.refresh_accounts(env)
            now = datetime.now(timezone.utc)
            weeks = int(
                env["ir.config_parameter"].get_param("openfire_google_calendar.availability_weeks")
                or 4
            )
            spans = len(ranges(now, now + timedelta(weeks=weeks)))
            cr.commit()
        bound = math.ceil(count / 50)
        for label, prepare in (
            ("first round (first syncs)", None),
            ("round within the interval (nothing due)", None),
            ("round a sync interval later (all due again)", "age"),
        ):
            if prepare == "age":
                with registry.cursor() as cr:
                    cr.execute(
                        "UPDATE of_google_availability SET refreshed = refreshed - interval "
                        "'1 hour', tried = tried - interval '1 hour', typed_read = typed_read "
                        "- interval '1 hour' WHERE employee_id = ANY(%s)",
                        [team.ids],
                    )
            calls, units, took = cron_round(registry, emu, team)
            rows.append(
                (
                    "%s, %d technicians" % (label, count),
                    "%d freeBusy (%.1f per range, bound %d), %d events listings (sync and typed events), "
                    "%d Google calls, %d quota units, %.1f s"
                    % (
                        calls["freeBusy"],
                        calls["freeBusy"] / spans,
                        bound,
                        calls["listings"],
                        calls["all"],
                        units,
                        took,
                    ),
                )
            )
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            known = env["of.google.availability"].search([("employee_id", "in", team.ids)])
            rows.append(
                (
                    "availability known",
                    "%d of %d" % (sum(1 for row in known if row.state == "known"), count),
                )
            )
    finally:
        emu.stop()
    print("\nrefresh %d technicians (Workspace delegation, one domain), Odoo %s" % (count, SERIES))
    width = max(len(name) for name, _value in rows)
    for name, value in rows:
        print("| %s | %s |" % (name.ljust(width), value))
    odoo.sql_db.close_all()
    odoo.service.db.exp_drop(db)


if __name__ == "__main__":
    main()
    refresh_section(int(os.environ.get("BENCH_REFRESH_TECHNICIANS") or 200))
