"""Benchmark of the sync core against the Google emulator.

    .venv/bin/python bench/sync_core.py                  # N = 100 and 1,000 (quick)
    .venv/bin/python bench/sync_core.py --sizes 100,1000,10000

For each N: the initial push of N RDVs to an empty calendar; the next sync,
which lists the push's own writes (the sync token predates them) and does
nothing; a sync where nothing changed; 1 % of the RDVs edited on each side;
then the initial pull of N events created in Google into an empty Odoo and a
sync where nothing changed.
Printed per phase: API calls (batch parts counted one by one), HTTP round-trips
(what the network sees; batches count once, token requests are not included),
wall time, the peak memory of the sync (tracemalloc, in a second run since it
slows Python down several times) and the actions done.

The emulator runs in a child process (``python -m google_emulator``), so the
figures are the sync core's alone. Not run by CI.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [ROOT, os.path.join(ROOT, "openfire_google_calendar"), os.path.join(ROOT, "tools")]

# pylint: disable=wrong-import-position
from sync import (  # noqa: E402
    Backoff,
    GoogleClient,
    Rdv,
    SyncSettings,
    content_hash,
    make_credentials,
    sync_calendar,
)
from sync.actions import Kind  # noqa: E402
from sync.google_client import Write  # noqa: E402
from system_tier.processes import EmulatorProcess  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
EMAIL = "bench@example.com"
CLIENT = ("bench-client", "bench-secret")


class BenchOdoo:
    """The smallest LocalSide: dicts in memory (the Odoo layer's stand-in)."""

    def __init__(self):
        self.rdvs, self.states, self.token, self.next_key = {}, {}, None, 1

    def add(self, rdv):
        """A new RDV with the next key."""
        key = str(self.next_key)
        self.next_key += 1
        self.rdvs[key] = replace(rdv, key=key)

    def load_sync_token(self):
        """LocalSide."""
        return self.token

    def save_sync_token(self, token):
        """LocalSide."""
        self.token = token

    def load_states(self):
        """LocalSide."""
        return dict(self.states)

    def changed_rdvs(self):
        """LocalSide (a real Odoo layer would use a flag, not hash everything)."""
        out = {
            k: r
            for k, r in self.rdvs.items()
            if k not in self.states or content_hash(r) != self.states[k].content_hash
        }
        out.update({k: None for k in self.states if k not in self.rdvs})
        return out

    def all_rdvs(self):
        """LocalSide."""
        return dict(self.rdvs)

    def get_rdvs(self, keys):
        """LocalSide."""
        return {k: self.rdvs[k] for k in keys if k in self.rdvs}

    def regular_occurrences(self, _starts):
        """LocalSide: the bench's RDVs are not series."""
        return {}

    def write_rdv(self, action):
        """LocalSide."""
        if action.kind == Kind.CREATE_LOCAL:
            key = str(self.next_key)
            self.next_key += 1
        else:
            key = action.key
        if action.rdv is not None:
            self.rdvs[key] = replace(action.rdv, key=key)
        self.states[key] = action.state_after(key)
        return key

    def save_state(self, key, state):
        """LocalSide."""
        if state is None:
            self.states.pop(key, None)
        else:
            self.states[key] = state

    def write_rdvs(self, actions):
        """LocalSide: each through write_rdv (a dict cannot half-fail)."""
        return [self.write_rdv(action) for action in actions]

    def save_states(self, states):
        """LocalSide: each through save_state; None for each success."""
        for key, state in states:
            self.save_state(key, state)
        return [None] * len(states)

    def post_conflict(self, key, conflict):
        """LocalSide."""
        del key, conflict


def start_emulator(log_path):
    """The emulator in a process of its own (tools/system_tier/processes.py, as in the
    system tier and the other benches), without quotas: this bench measures the sync core's
    own cost per phase (calls, round-trips, time, memory); under Google's 600 calls per user
    per minute, which the emulator enforces by default, a 1,000-RDV push would measure the
    quota's pacing instead (about 100 s). The quota-bound figures are a bench of their own."""
    options = ["--time-zone", "Europe/Paris", "--client-id", CLIENT[0]]
    options += ["--client-secret", CLIENT[1], "--account", EMAIL, "--no-quotas"]
    return EmulatorProcess(log_path, options, admin_timeout=60)


def api_counts(emu):
    """(API calls, HTTP round-trips) since the log was cleared."""
    log = emu.admin("GET", "log")
    calls = sum(1 for e in log["entries"] if e["path"].startswith("/calendar/v3"))
    return calls, log["http_round_trips"]


def new_client(emu):
    """A GoogleClient with fresh tokens for the bench account."""
    tokens = emu.admin("POST", "tokens", {"email": EMAIL, "client_id": CLIENT[0]})
    credentials = make_credentials(
        tokens["access_token"], tokens["refresh_token"], *CLIENT, token_uri=emu.base_url + "/token"
    )
    return GoogleClient(
        credentials, api_endpoint=emu.base_url + "/calendar/v3/", backoff=Backoff(max_attempts=3)
    )


def rdv(number):
    """The number-th benchmark RDV."""
    start = datetime(2024, 1, 1, 8, tzinfo=PARIS) + timedelta(hours=number * 3)
    return Rdv(
        key=None,
        summary="Intervention %d" % number,
        location="%d rue de la Paix" % number,
        description="Chaudière, contrat %d" % number,
        start=start,
        end=start + timedelta(hours=1),
        attendees=("tech@example.com",),
    )


def measure(emu, label, size, work, use_tracemalloc, rows):
    """Run ``work()`` and append a row: (N, phase, calls, trips, wall, peak, actions)."""
    emu.admin("POST", "log/clear", {})
    if use_tracemalloc:
        tracemalloc.start()
    began = time.perf_counter()
    report = work()
    wall = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1] / 2**20 if use_tracemalloc else None
    if use_tracemalloc:
        tracemalloc.stop()
    calls, trips = api_counts(emu)
    counts = sorted(report.counts.items())
    actions = (
        ", ".join(
            "%d %s%s" % (n, kind, "" if outcome == "done" else " " + outcome)
            for (kind, outcome), n in counts
        )
        or "-"
    )
    rows.append((size, label, calls, trips, wall, peak, actions))


def bench_size(emu, size, use_tracemalloc, rows):
    """All phases for one N."""
    settings = SyncSettings(database_uuid="bench-db")
    client = new_client(emu)
    push_calendar = emu.admin("POST", "calendars", {"email": EMAIL, "summary": "push %d" % size})[
        "id"
    ]
    odoo = BenchOdoo()
    for number in range(size):
        odoo.add(rdv(number))

    def sync(calendar, side):
        return lambda: sync_calendar(client, calendar, side, settings)

    measure(emu, "initial push", size, sync(push_calendar, odoo), use_tracemalloc, rows)
    measure(emu, "echo of the push", size, sync(push_calendar, odoo), use_tracemalloc, rows)
    measure(emu, "no change", size, sync(push_calendar, odoo), use_tracemalloc, rows)
    events = sorted(
        e["id"]
        for e in emu.admin("GET", "phone/%s/calendars/%s/events" % (EMAIL, push_calendar))["items"]
    )
    for key in list(odoo.rdvs)[::100]:
        odoo.rdvs[key] = replace(odoo.rdvs[key], summary="edited in Odoo")
    for event_id in events[50::100]:
        emu.admin(
            "PATCH",
            "phone/%s/calendars/%s/events/%s" % (EMAIL, push_calendar, event_id),
            {"summary": "edited on the phone"},
        )
    measure(emu, "1% edited each side", size, sync(push_calendar, odoo), use_tracemalloc, rows)

    pull_calendar = emu.admin("POST", "calendars", {"email": EMAIL, "summary": "pull %d" % size})[
        "id"
    ]
    seeding = [
        Write(
            "insert",
            "seed%07d" % n,
            dict(
                summary="Google %d" % n,
                id="seed%07d" % n,
                start={"dateTime": rdv(n).start.isoformat(), "timeZone": "Europe/Paris"},
                end={"dateTime": rdv(n).end.isoformat(), "timeZone": "Europe/Paris"},
            ),
        )
        for n in range(size)
    ]
    assert all(r.ok for r in new_client(emu).write_events(pull_calendar, seeding))
    empty = BenchOdoo()
    measure(emu, "initial pull", size, sync(pull_calendar, empty), use_tracemalloc, rows)
    measure(emu, "no change", size, sync(pull_calendar, empty), use_tracemalloc, rows)
    assert len(empty.rdvs) == size


def run(sizes, use_tracemalloc):
    """All phases for every size, against a fresh emulator; the rows."""
    emu = start_emulator(os.path.join(tempfile.mkdtemp(prefix="bench-core-"), "emulator.log"))
    rows = []
    try:
        for size in sizes:
            bench_size(emu, size, use_tracemalloc, rows)
    finally:
        emu.stop()
    return rows


def main(argv=None):
    """Parse options, run (timed, then under tracemalloc), print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument(
        "--sizes", default="100,1000", help="comma-separated numbers of RDVs (default 100,1000)"
    )
    parser.add_argument(
        "--no-tracemalloc",
        action="store_true",
        help="skip the second run that measures peak memory",
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = run(sizes, use_tracemalloc=False)
    peaks = [None] * len(rows)
    if not args.no_tracemalloc:
        peaks = [row[5] for row in run(sizes, use_tracemalloc=True)]
    out = sys.stdout
    out.write(
        "| %6s | %-19s | %9s | %11s | %7s | %8s | %s\n"
        % ("N", "phase", "API calls", "round-trips", "wall s", "peak MiB", "actions")
    )
    out.write(
        "|--------|---------------------|-----------|-------------|---------|----------|---\n"
    )
    for (size, label, calls, trips, wall, _, actions), peak in zip(rows, peaks, strict=True):
        out.write(
            "| %6d | %-19s | %9d | %11d | %7.2f | %8s | %s\n"
            % (size, label, calls, trips, wall, "-" if peak is None else "%.1f" % peak, actions)
        )


if __name__ == "__main__":
    main()
