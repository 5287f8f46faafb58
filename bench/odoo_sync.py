"""What one user's sync costs in Odoo, against the Google emulator: our connector syncing N
RDVs, side by side with Odoo's own google_calendar of the same series syncing N
calendar.event.

Run from the repository root (PostgreSQL as in tools/odoo_tier.sh):

    /opt/odoo19/.venv/bin/python bench/odoo_sync.py                 # N = 100 and 1000
    /opt/odoo19/.venv/bin/python bench/odoo_sync.py --sizes 100,1000,5000 --fresh --drop
    /opt/odoo17/.venv/bin/python bench/odoo_sync.py --odoo-home /opt/odoo17

--odoo-home (default /opt/odoo19, or ODOO_HOME): Odoo 17.0, 18.0 or 19.0, our addons for its
series (bench/odoo_home.py); another interpreter than its .venv's is replaced by it.
PGHOST/PGPORT/PGUSER (127.0.0.1/5432/root) as in the other tools. The database (--db, default
bench_odoo_sync_<series>) is created with the connector and without demo data when missing,
reused otherwise (--fresh recreates it, --drop drops it at the end). Each size gets a new
technician, so a reused database does not skew the figures.

Why each measure:
- first sync: what connecting a busy technician costs; HTTP requests and round-trips come
  from the emulator's request log (a batch of 50 writes is one round-trip);
- second sync, nothing changed: what every cron run and every "Sync." press costs forever
  after. It must be one HTTP request (an incremental events.list) and a number of SQL queries
  that does not grow with N: the connector finds changed RDVs with one indexed query.
SQL queries are every Cursor.execute of this process during the sync, whatever the cursor
(the sync commits in cursors of its own; Odoo's google_calendar sends each event from a
post-commit hook in a new cursor).

Odoo's google_calendar hardcodes https://www.googleapis.com and accounts.google.com: in this
process only, its module constants (and the default argument that captured one of them) are
pointed at the emulator. Its user's Google tokens are set where his series keeps them: a
google.calendar.credentials record on 17.0, his res.users.settings from 18.0 on (which, like Google, takes the access token as a query parameter,
`"date": null` beside a `dateTime`, and numbers in extended properties). Nothing in the
product is patched. Odoo's sync returns early when the Google calendar lists no event, pushing nothing:
its user's primary calendar holds one private event beforehand, as real calendars do.

Figures of the second sync: the first sync saved the sync token it listed with, so the second
listing returns the first sync's own writes (N events in one response); both connectors
recognise them, ours with the same few queries whatever N. The third sync lists nothing.
"""

import argparse
import collections
import time
from datetime import datetime, timedelta

import odoo_home

ODOO, SERIES = odoo_home.prepare()  # before Odoo is imported: its path, its interpreter

import odoo  # noqa: E402  (on the path from here on)
import odoo.service.db  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

from google_emulator import Emulator  # noqa: E402

CLIENT_ID = "bench-client.apps.example"
CLIENT_SECRET = "bench-secret"
MAX_ODOO_PASSES = 30
# This table measures what a sync costs, not how Google's quotas spread it (bench/quota_sync.py
# does): no per-minute quota in the emulator, none in the connector's scheduler either.
UNLIMITED = 10**9  # Odoo pushes at most 200 events per sync; 30 passes = 6000 events


# --------------------------------------------------------------------------- measuring


class SqlCounter:
    """Counts every SQL statement this process executes, through any cursor."""

    count = 0
    commits = 0
    profile = None  # a Counter of statements (their first words) with --profile

    @classmethod
    def install(cls):
        original = odoo.sql_db.Cursor.execute
        original_commit = odoo.sql_db.Cursor.commit

        def execute(self, *args, **kwargs):
            cls.count += 1
            if cls.profile is not None:
                query = str(args[0] if args else kwargs.get("query"))
                cls.profile[" ".join(query.split())[:110]] += 1
            return original(self, *args, **kwargs)

        def commit(self):
            cls.commits += 1
            return original_commit(self)

        odoo.sql_db.Cursor.execute = execute
        odoo.sql_db.Cursor.commit = commit


class Measure:
    """Wall time, SQL statements and emulator traffic of one block."""

    def __init__(self, emu):
        self.emu = emu
        self.seconds = self.sql = self.http = self.round_trips = self.calls = 0
        self.commits = 0
        self._sql = self._start = self._commits = 0

    def __enter__(self):
        if SqlCounter.profile is not None:
            SqlCounter.profile.clear()
        self.emu.clear_log()
        self._sql = SqlCounter.count
        self._commits = SqlCounter.commits
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds += time.perf_counter() - self._start
        self.sql += SqlCounter.count - self._sql
        self.commits += SqlCounter.commits - self._commits
        if SqlCounter.profile is not None:
            print("  %d statements, the most frequent:" % (SqlCounter.count - self._sql))
            for query, number in SqlCounter.profile.most_common(40):
                print("  %6d  %s" % (number, query))
        log = self.emu.request_log
        self.http += sum(1 for entry in log if not entry["in_batch"])
        self.round_trips += self.emu.http_round_trips()
        # API calls: each call inside a batch, plus every non-batch API request.
        self.calls += sum(
            1
            for entry in log
            if entry["in_batch"]
            or (entry["path"].startswith("/calendar/v3") and not entry["batch_size"])
        )


# --------------------------------------------------------------------------- database


def prepare_database(db, fresh):
    """Create the database with odoo-bin (the way an integrator would) unless reused; its
    registry, in this process."""
    odoo.tools.config.parse_config(
        ODOO.options(db, "--log-level=warn", "--no-http", "--max-cron-threads=0")
    )
    if fresh and odoo.service.db.exp_db_exist(db):
        odoo.service.db.exp_drop(db)
    if not odoo.service.db.exp_db_exist(db):
        print("creating database %s (openfire_google_calendar, no demo data)..." % db, flush=True)
        done = ODOO.install(
            db, "openfire_google_calendar", "--no-http", "--max-cron-threads=0", "--log-level=warn"
        )
        if done.returncode:
            raise SystemExit("odoo-bin -i openfire_google_calendar failed (%d)" % done.returncode)
    return Registry(db)


def configure(registry, emu):
    """What an administrator sets in General Settings, with the endpoints at the emulator."""
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        set_param = env["ir.config_parameter"].set_param
        set_param("google_calendar_client_id", CLIENT_ID)
        set_param("google_calendar_client_secret", CLIENT_SECRET)
        for key in ("auth_uri", "token_uri", "revoke_uri", "api_endpoint"):
            set_param("openfire_google_calendar." + key, getattr(emu, key))
        set_param("openfire_google_calendar.push_base_url", "")  # no push: polling only
        for key in ("quota_per_user", "quota_per_project"):
            set_param("openfire_google_calendar." + key, str(UNLIMITED))


def new_user(env, emu, label, size):
    stamp = "%s.%d.%d" % (label, size, int(time.time() * 1000))
    email = "bench.%s@example.com" % stamp
    emu.add_account(email, "Europe/Paris")
    user = (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            {
                "name": "Bench %s" % stamp,
                "login": email,
                "email": email,
                "tz": "Europe/Paris",
                groups_field(env): [
                    (
                        6,
                        0,
                        [
                            env.ref("base.group_user").id,
                            env.ref("openfire_planning.group_of_planning_user").id,
                        ],
                    )
                ],
            }
        )
    )
    return user, email


def groups_field(env):
    """19.0 renamed res.users.groups_id to group_ids."""
    return "group_ids" if "group_ids" in env["res.users"]._fields else "groups_id"


def slots(size):
    """Four 1.5-hour visits per working day from next Monday, all within a year for N=1000
    (Odoo's google_calendar only syncs a year either side of today)."""
    day = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    day += timedelta(days=7 - day.weekday())
    out = []
    while len(out) < size:
        if day.weekday() < 5:
            out.extend(day + timedelta(hours=hour) for hour in (7, 9, 12, 14))  # UTC
        day += timedelta(days=1)
    return out[:size]


def connected_technician(env, emu, label, size, name="Entretien %d", duree=1.5, **values):
    """A technician (user and employee) with ``size`` RDVs of his, one every slot, and his
    Google account connected in the emulator; returns (user, email, account)."""
    from odoo.addons.openfire_google_calendar.services.google_oauth import SCOPES

    user, email = new_user(env, emu, label, size)
    employee = env["hr.employee"].create(
        {"name": user.name, "user_id": user.id, "work_email": email}
    )
    env["of.planning.intervention"].create(
        [
            dict(
                {
                    "name": name % index,
                    "date": start,
                    "duree": duree,
                    "tz": "Europe/Paris",
                    "state": "confirm",
                    "employee_ids": [(6, 0, employee.ids)],
                },
                **values,
            )
            for index, start in enumerate(slots(size))
        ]
    )
    account = env["of.google.account"]._for_user(user)
    account._store_tokens(emu.mint_token(email, client_id=CLIENT_ID, scopes=list(SCOPES)))
    return user, email, account


# --------------------------------------------------------------------------- connectors


def phone_events(emu, email, calendar_id, size, label):
    """N events created on the technician's phone, from a month after the RDVs' slots."""
    phone = emu.phone(email)
    for index, start in enumerate(slots(size)):
        start += timedelta(days=400)
        phone.insert_event(
            calendar_id,
            {
                "summary": "%s %d" % (label, index),
                "start": {"dateTime": start.isoformat() + "Z"},
                "end": {"dateTime": (start + timedelta(hours=1)).isoformat() + "Z"},
            },
        )


def move_events(emu, email, calendar_id, events):
    """The phone moves each of these events one hour later."""
    phone = emu.phone(email)
    for event in events:
        start = datetime.fromisoformat(event["start"]["dateTime"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(event["end"]["dateTime"].replace("Z", "+00:00"))
        phone.patch_event(
            calendar_id,
            event["id"],
            {
                "start": {"dateTime": (start + timedelta(hours=1)).isoformat()},
                "end": {"dateTime": (end + timedelta(hours=1)).isoformat()},
            },
        )


def mail_counts(env):
    """E-mails and notifications queued so far (a sync must add none)."""
    env.cr.execute(
        "SELECT (SELECT count(*) FROM mail_mail), (SELECT count(*) FROM mail_notification)"
    )
    return env.cr.fetchone()


def bench_openfire(registry, emu, size):
    """Our connector: N RDVs of one technician, his account connected, three syncs; then N
    events created on his phone (pull), then those N moved on the phone (pull of moves)."""
    from odoo.addons.openfire_google_calendar.services.sync_runner import run_sync

    with registry.cursor() as cr:
        env = api.Environment(
            cr, SUPERUSER_ID, {"tracking_disable": True, "mail_create_nolog": True}
        )
        customer = env["res.partner"].create({"name": "Famille Durand", "city": "Lyon"})
        user, email, account = connected_technician(
            env, emu, "of", size, name="Entretien chaudière %d", partner_id=customer.id
        )
        cr.commit()
        mails_before = mail_counts(env)
        runs = []

        def sync(expect_changes=None):
            with Measure(emu) as measure:
                result = run_sync(env, user.id, share=UNLIMITED).as_dict()
            cr.commit()  # a new snapshot: this cursor reads what the sync committed
            if result.get("status") in ("error", "need_auth", "already_running") or result.get(
                "errors"
            ):
                raise SystemExit("openfire sync failed: %s" % result)
            runs.append(measure)
            return result

        for _run in range(3):
            sync()
        events = emu.phone(email).list_events(account.calendar_id)
        if len(events) != size:
            raise SystemExit("openfire: %d events in Google for %d RDVs" % (len(events), size))
        phone_events(emu, email, account.calendar_id, size, "Posé au téléphone")
        result = sync()
        Rdv = env["of.planning.intervention"]
        pulled = Rdv.search_count(
            [("name", "like", "Posé au téléphone"), ("employee_ids", "in", user.employee_ids.ids)]
        )
        if pulled != size or result.get("created") != size:
            raise SystemExit("openfire: %d RDVs pulled for %d events: %s" % (pulled, size, result))
        pulled_events = [
            event
            for event in emu.phone(email).list_events(account.calendar_id)
            if event.get("summary", "").startswith("Posé au téléphone")
        ]
        move_events(emu, email, account.calendar_id, pulled_events)
        result = sync()
        if result.get("updated") != size or result.get("conflicts"):
            raise SystemExit(
                "openfire: %s updated, %s conflicts for %d moves on the phone"
                % (result.get("updated"), result.get("conflicts"), size)
            )
        mails = [
            after - before for after, before in zip(mail_counts(env), mails_before, strict=True)
        ]
    return {"passes": 1, "runs": runs, "mails": mails}


def point_odoo_google_at(emu):
    """In this process only: Odoo's Google endpoints become the emulator's (the token
    endpoint was also imported by the model that refreshes tokens: google.calendar.credentials
    on 17.0, res.users.settings from 18.0 on)."""
    from odoo.addons.google_account.models import google_service

    if SERIES == "17.0":
        from odoo.addons.google_calendar.models import google_credentials as token_holder
    else:
        from odoo.addons.google_calendar.models import res_users_settings as token_holder

    google_service.GOOGLE_API_BASE_URL = emu.base_url
    google_service.GOOGLE_TOKEN_ENDPOINT = emu.base_url + "/o/oauth2/token"
    google_service.GOOGLE_AUTH_ENDPOINT = emu.auth_uri
    token_holder.GOOGLE_TOKEN_ENDPOINT = google_service.GOOGLE_TOKEN_ENDPOINT
    do_request = google_service.GoogleService._do_request
    defaults = list(do_request.__defaults__)
    # (params, headers, method, preuri, timeout): preuri captured the constant at import.
    defaults[3] = emu.base_url
    do_request.__defaults__ = tuple(defaults)


def store_odoo_google_tokens(env, user, tokens):
    """Connect the user's Google account for Odoo's google_calendar: on 17.0 his
    google.calendar.credentials record; from 18.0 on, his res.users.settings (fields
    google_calendar_rtoken, _token, _token_validity; the sync token lands there too)."""
    values = (tokens["access_token"], tokens["refresh_token"], tokens["expires_in"])
    if SERIES == "17.0":
        user.google_calendar_account_id = env["google.calendar.credentials"].create({})
        user.google_calendar_account_id._set_auth_tokens(*values)
    else:
        settings = env["res.users.settings"]._find_or_create_for_user(user)
        settings._set_google_auth_tokens(*values)


def odoo_google_user(registry, emu, size):
    """A user with N calendar.event of his, created before his Google account is
    connected, and one private event in his Google calendar; (uid, email)."""
    with registry.cursor() as cr:
        env = api.Environment(
            cr,
            SUPERUSER_ID,
            {
                "tracking_disable": True,
                "mail_create_nolog": True,
                "no_mail_to_attendees": True,
                "no_calendar_sync": True,
            },
        )  # created before the account is connected
        user, email = new_user(env, emu, "odoo", size)
        env["calendar.event"].create(
            [
                {
                    "name": "Entretien chaudière %d" % index,
                    "start": start,
                    "stop": start + timedelta(minutes=90),
                    "user_id": user.id,
                    "partner_ids": [(6, 0, user.partner_id.ids)],
                }
                for index, start in enumerate(slots(size))
            ]
        )
        tokens = emu.mint_token(email, client_id=CLIENT_ID)  # full calendar scope, like Odoo
        store_odoo_google_tokens(env, user, tokens)
        first_day = slots(1)[0] - timedelta(days=1)
        emu.phone(email).insert_event(
            "primary",
            {
                "summary": "Dentist",
                "start": {"dateTime": first_day.isoformat() + "Z"},
                "end": {"dateTime": (first_day + timedelta(hours=1)).isoformat() + "Z"},
            },
        )
        cr.commit()
        return user.id, email


def bench_odoo_google(registry, emu, size):
    """Odoo's google_calendar: N events of one user, his account connected, then cron-like
    syncs (sync, commit) until every event reached Google, then one more."""
    from odoo.addons.google_calendar.utils.google_calendar import GoogleCalendarService

    uid, email = odoo_google_user(registry, emu, size)

    def one_pass():
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            user = env["res.users"].browse(uid)
            service = GoogleCalendarService(env["google.service"])
            user.with_user(user).sudo()._sync_google_calendar(service)
            cr.commit()  # the events go to Google now, from post-commit hooks

    def unsent():
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["calendar.event"].search_count(
                [("user_id", "=", uid), ("google_id", "=", False)]
            )

    first, passes = Measure(emu), 0
    while passes < MAX_ODOO_PASSES:
        with first:
            one_pass()
        passes += 1
        if not unsent():
            break
    events = [
        event
        for event in emu.phone(email).list_events("primary")
        if event.get("summary") != "Dentist"
    ]
    if len(events) != size:
        raise SystemExit(
            "odoo: %d events in Google for %d after %d passes" % (len(events), size, passes)
        )
    with Measure(emu) as second:
        one_pass()
    with Measure(emu) as third:
        one_pass()
    with registry.cursor() as cr:
        mails_before = mail_counts(api.Environment(cr, SUPERUSER_ID, {}))
    phone_events(emu, email, "primary", size, "Posé au téléphone")
    with Measure(emu) as pull:
        one_pass()
    pulled_events = [
        event
        for event in emu.phone(email).list_events("primary")
        if event.get("summary", "").startswith("Posé au téléphone")
    ]
    move_events(emu, email, "primary", pulled_events)
    with Measure(emu) as move:
        one_pass()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        pulled = env["calendar.event"].search_count(
            [("name", "like", "Posé au téléphone"), ("user_id", "=", uid)]
        )
        mails = [
            after - before for after, before in zip(mail_counts(env), mails_before, strict=True)
        ]
    if pulled != size:
        raise SystemExit("odoo: %d events pulled for %d" % (pulled, size))
    return {"passes": passes, "runs": [first, second, third, pull, move], "mails": mails}


# --------------------------------------------------------------------------- report

SYNC_LABELS = ("1st (connect)", "2nd, no change", "3rd, no change", "pull N new", "pull N moved")


def print_table(rows):
    """One line per connector, N and sync; a connector that could not run says why."""
    header = (
        "connector",
        "N",
        "sync",
        "runs",
        "HTTP req",
        "round-trips",
        "API calls",
        "SQL",
        "commits",
        "time s",
    )
    lines = [header]
    for name, size, res in rows:
        if isinstance(res, str):
            lines.append((name, str(size), "all") + ("n/a",) * 7)
            continue
        for label, measure in zip(SYNC_LABELS, res["runs"], strict=False):
            runs = str(res["passes"]) if measure is res["runs"][0] else "1"
            lines.append(
                (
                    name,
                    str(size),
                    label,
                    runs,
                    str(measure.http),
                    str(measure.round_trips),
                    str(measure.calls),
                    str(measure.sql),
                    str(measure.commits),
                    "%.3f" % measure.seconds,
                )
            )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        cells = (cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        print("| " + " | ".join(cells) + " |")
        if index == 0:
            print("|" + "|".join("-" * (width + 2) for width in widths) + "|")
    for name, size, res in rows:
        if isinstance(res, str):
            print("n/a (%s, N=%d): %s" % (name, size, res))
        else:
            print(
                "%s, N=%d: %d e-mails (mail.mail) and %d notifications queued by the pulls"
                % (name, size, res["mails"][0], res["mails"][1])
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", default="100,1000", help="comma-separated N (100,1000)")
    parser.add_argument(
        "--db",
        default="bench_odoo_sync_" + SERIES.split(".")[0],
        help="database (bench_odoo_sync_<series>)",
    )
    odoo_home.add_argument(parser)
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    parser.add_argument(
        "--no-odoo-google", action="store_true", help="skip Odoo's own google_calendar"
    )
    parser.add_argument(
        "--profile", action="store_true", help="print the most frequent SQL statements of each sync"
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    registry = prepare_database(args.db, args.fresh)
    SqlCounter.install()
    if args.profile:
        SqlCounter.profile = collections.Counter()
    # No per-minute quota here: this table measures what a sync costs (SQL, requests), not
    # how long Google's quotas make it last (bench/quota_sync.py does that).
    emu = Emulator(seed=0, quota_per_user=None, quota_per_project=None)
    emu.start()
    emu.add_client(CLIENT_ID, CLIENT_SECRET, ["http://127.0.0.1/unused"])
    rows = []
    try:
        configure(registry, emu)
        point_odoo_google_at(emu)
        for size in sizes:
            print("N=%d: openfire_google_calendar..." % size, flush=True)
            rows.append(("openfire_google_calendar", size, bench_openfire(registry, emu, size)))
            if args.no_odoo_google:
                rows.append(("odoo google_calendar", size, "skipped (--no-odoo-google)"))
                continue
            print("N=%d: Odoo's google_calendar..." % size, flush=True)
            rows.append(("odoo google_calendar", size, bench_odoo_google(registry, emu, size)))
    finally:
        emu.stop()
    print()
    print("Odoo %s (%s), our addons from %s" % (SERIES, ODOO.home, ODOO.addons_path.split(",")[-1]))
    print_table(rows)
    print(
        "runs: syncs (sync + commit, as the cron does) until all N events were in Google;"
        " Odoo's google_calendar sends at most 200 events per sync."
    )
    if args.drop:
        odoo.sql_db.close_all()
        odoo.service.db.exp_drop(args.db)
        print("dropped database %s" % args.db)


if __name__ == "__main__":
    main()
