"""The system tier's fault machinery that needs no Odoo server: the relay that makes
Google unreachable (refused, then silent, then back), the tracebacks a PostgreSQL
restart explains, and which scenarios each mode runs."""

import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tools"))

from system_tier import faults_google, faults_postgres, scenarios  # noqa: E402
from system_tier.ledger import Report  # noqa: E402


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802  (http.server's name)
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(b"hello")

    def log_message(self, *_args):
        pass


@pytest.fixture
def upstream():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def test_the_relay_forwards_refuses_stays_silent_and_comes_back(upstream):
    relay = faults_google.Relay(upstream)
    try:
        assert requests.get(relay.url, timeout=5).text == "hello"
        relay.refuse()
        with pytest.raises(requests.exceptions.ConnectionError) as refused:
            requests.get(relay.url, timeout=5)
        assert "refused" in str(refused.value) or "111" in str(refused.value)
        relay.blackhole()
        started = time.monotonic()
        with pytest.raises(requests.exceptions.Timeout):
            requests.get(relay.url, timeout=1)
        assert time.monotonic() - started < 3
        relay.up()
        assert requests.get(relay.url, timeout=5).text == "hello"
    finally:
        relay.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", relay.port), timeout=1).close()


def cluster_with(restarts):
    return SimpleNamespace(restarts=restarts)


def test_only_cut_connections_near_a_restart_are_excused(tmp_path):
    log = tmp_path / "odoo.log"
    cut = (
        "2026-01-01 10:00:05,000 1 ERROR db odoo.http: Exception during request handling.\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n'
        "psycopg2.OperationalError: server closed the connection unexpectedly\n"
    )
    other = (
        "2026-01-01 10:00:06,000 1 ERROR db odoo.http: Exception during request handling.\n"
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in f\n'
        "KeyError: 'of_google'\n"
    )
    late = cut.replace("10:00:05", "10:09:00")
    log.write_text(cut + other + late)
    restart = (
        "fast",
        faults_postgres._time_of("2026-01-01 10:00:04,000 "),
        faults_postgres._time_of("2026-01-01 10:00:05,000 "),
    )
    run = SimpleNamespace(postgres=cluster_with([restart]), report=Report())
    contexts = [cut, other, late]
    kept = faults_postgres.excuse(run, contexts, str(log))
    assert kept == [other, late]
    assert run.report.row["pg_cut_tracebacks"] == 1
    # without a restart, nothing is excused
    run = SimpleNamespace(postgres=cluster_with([]), report=Report())
    assert faults_postgres.excuse(run, contexts, str(log)) == contexts


def test_each_mode_runs_its_scenarios_and_names_are_checked():
    args = SimpleNamespace(scenarios=None)
    assert scenarios.selected(args, "threaded") == [
        "google-outage",
        "consent-revoked",
        "delegation-removed",
    ]
    assert scenarios.selected(args, "prefork") == ["backup-restored"]
    for mode in ("threaded", "prefork"):
        # CI's default holds no scenario a known defect makes fail
        assert not any(
            mode in scenarios.KNOWN_FAILING.get(name, ((), ""))[0]
            for name in scenarios.selected(args, mode)
        )
    args.scenarios = "all"
    both = set(scenarios.selected(args, "prefork")) & set(scenarios.selected(args, "threaded"))
    assert both == set(scenarios.SCENARIOS) - {"calendar-unshared", "delegation-removed"}
    assert "calendar-unshared" in scenarios.selected(args, "prefork")
    assert "delegation-removed" in scenarios.selected(args, "threaded")
    args.scenarios = "pg-restart"
    assert scenarios.selected(args, "threaded") == ["pg-restart"]
    args.scenarios = "none"
    assert scenarios.selected(args, "prefork") == []
    args.scenarios = "google-outage,nonsense"
    with pytest.raises(SystemExit):
        scenarios.selected(args, "prefork")
