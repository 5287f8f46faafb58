"""Google's per-minute quotas (Calendar API "Usage limits" guide), enforced by default:
600 requests per user per project and 10,000 per project per minute, on a sliding
window, each batch part counted as one request. Seen through the real client."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import json
import subprocess
import sys

import pytest
import requests
from googleapiclient.errors import HttpError

from google_emulator import Emulator
from google_emulator.testing import make_service, new_batch
from google_emulator.tests.helpers import ALICE, BOB, error_of, timed
from google_emulator.tests.test_cli import REPO

USER_LIMIT_BODY = {
    "error": {
        "code": 403,
        "message": "User Rate Limit Exceeded",
        "errors": [
            {
                "domain": "usageLimits",
                "reason": "userRateLimitExceeded",
                "message": "User Rate Limit Exceeded",
            }
        ],
    }
}
PROJECT_LIMIT_BODY = {
    "error": {
        "code": 403,
        "message": "Rate Limit Exceeded",
        "errors": [
            {
                "domain": "usageLimits",
                "reason": "rateLimitExceeded",
                "message": "Rate Limit Exceeded",
            }
        ],
    }
}


def _list(service):
    return service.calendarList().list().execute()


def _refused(service):
    """The HttpError of one more calendarList.list, which must be refused."""
    with pytest.raises(HttpError) as info:
        _list(service)
    return info.value


def _batch(emu, service, count):
    """Run ``count`` calendarList.get parts in one batch; [(ok, reason)] per part."""
    outcomes = []

    def callback(request_id, response, exception):
        del request_id, response
        outcomes.append((exception is None, None if exception is None else error_of(exception)[1]))

    batch = new_batch(emu, callback)
    for _ in range(count):
        batch.add(service.calendarList().get(calendarId="primary"))
    batch.execute()
    return outcomes


def test_googles_limits_by_default_and_the_601st_call_refused(emu, service):
    assert emu.rate_limits.settings() == {
        "per_user": 600,
        "per_project": 10000,
        "window": 60.0,
        "status": 403,
        "retry_after": False,
    }
    _list(service)  # 1
    outcomes = []
    for _ in range(12):  # + 12 x 50 parts = 601 calls
        outcomes += _batch(emu, service, 50)
    assert outcomes[:599] == [(True, None)] * 599
    assert outcomes[599:] == [(False, "userRateLimitExceeded")]
    exc = _refused(service)
    assert json.loads(exc.content) == USER_LIMIT_BODY
    assert emu.rate_limit_usage("test-client", ALICE) == 600
    # The batches' own HTTP requests did not count: 600 calls, 13 round-trips.
    assert emu.http_round_trips() == 14


def test_sliding_window_not_fixed_minutes(emu, service):
    emu.set_rate_limits(per_user=5)
    for _ in range(3):
        _list(service)  # t = 0: 3 calls
    emu.advance_clock(30)
    for _ in range(2):
        _list(service)  # t = 30: 5 in the window
    assert error_of(_refused(service)) == (403, "userRateLimitExceeded", "usageLimits")
    emu.advance_clock(31)  # t = 61: the first 3 left
    for _ in range(3):
        _list(service)
    assert error_of(_refused(service))[1] == "userRateLimitExceeded"
    emu.advance_clock(30)  # t = 91: the t=30 pair left
    for _ in range(2):
        _list(service)
    _refused(service)


def test_refused_calls_do_not_count_and_change_nothing(emu, service):
    emu.set_rate_limits(per_user=2)
    _list(service)
    _list(service)
    for _ in range(5):
        with pytest.raises(HttpError) as info:
            service.events().insert(
                calendarId="primary", body=timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z")
            ).execute()
        assert error_of(info.value)[1] == "userRateLimitExceeded"
    assert emu.phone(ALICE).list_events("primary") == []
    assert emu.rate_limit_usage("test-client", ALICE) == 2
    emu.advance_clock(60)  # a minute of waiting is enough
    service.events().insert(
        calendarId="primary", body=timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z")
    ).execute()
    assert len(emu.phone(ALICE).list_events("primary")) == 1


def test_each_batch_part_counts_as_one_request(emu, service):
    emu.set_rate_limits(per_user=10)
    outcomes = _batch(emu, service, 12)
    assert outcomes == [(True, None)] * 10 + [(False, "userRateLimitExceeded")] * 2
    log = emu.request_log
    assert [e["batch_size"] for e in log if not e["in_batch"]] == [12]
    assert [e["reason"] for e in log if e["in_batch"]][-2:] == ["userRateLimitExceeded"] * 2
    emu.advance_clock(61)
    assert _batch(emu, service, 10) == [(True, None)] * 10


def test_per_user_then_per_project(emu):
    emu.set_rate_limits(per_user=5, per_project=8)
    alice = make_service(emu, ALICE, client_id="project-a", client_secret="a")
    bob = make_service(emu, BOB, client_id="project-a", client_secret="a")
    for _ in range(5):
        _list(alice)
    assert json.loads(_refused(alice).content) == USER_LIMIT_BODY  # alice's own share
    for _ in range(3):
        _list(bob)  # the project's 8 are used
    assert json.loads(_refused(bob).content) == PROJECT_LIMIT_BODY
    # Another project (OAuth client) has its own quotas, also for the same user.
    bob_elsewhere = make_service(emu, BOB, client_id="project-b", client_secret="b")
    for _ in range(5):
        _list(bob_elsewhere)
    assert error_of(_refused(bob_elsewhere))[1] == "userRateLimitExceeded"
    assert emu.rate_limit_usage("project-a") == 8
    assert emu.rate_limit_usage("project-b", BOB) == 5
    peaks = emu.rate_limits.peaks()
    assert peaks["per_project"] == [
        {"client_id": "project-a", "peak": 8},
        {"client_id": "project-b", "peak": 5},
    ]
    assert {(row["client_id"], row["email"]): row["peak"] for row in peaks["per_user"]} == {
        ("project-a", ALICE): 5,
        ("project-a", BOB): 3,
        ("project-b", BOB): 5,
    }
    assert {e["client_id"] for e in emu.request_log if e["path"].startswith("/calendar")} == {
        "project-a",
        "project-b",
    }


def test_429_variant_and_retry_after(emu, service):
    emu.set_rate_limits(per_user=3, status=429, retry_after=True)
    _list(service)
    emu.advance_clock(20)
    _list(service)
    _list(service)
    exc = _refused(service)
    assert exc.resp.status == 429
    assert json.loads(exc.content) == {
        "error": {
            "code": 429,
            "message": "Rate Limit Exceeded",
            "errors": [
                {
                    "domain": "usageLimits",
                    "reason": "rateLimitExceeded",
                    "message": "Rate Limit Exceeded",
                }
            ],
        }
    }
    # The first call leaves the window 60 s after it was made, 40 s from now.
    assert 39 <= int(exc.resp["retry-after"]) <= 41


def test_googleapiclient_retries_until_the_window_moves(emu, service):
    emu.set_rate_limits(per_user=2)
    _list(service)
    _list(service)
    request = service.calendarList().list()
    request._sleep = lambda seconds: emu.advance_clock(60)  # pylint: disable=protected-access
    assert request.execute(num_retries=2)["kind"] == "calendar#calendarList"


def test_limits_off_and_reset_comes_back_to_the_constructors(emu, service):
    emu.set_rate_limits(per_user=2)
    emu.disable_rate_limits()
    for _ in range(5):
        _list(service)
    emu.reset()
    assert emu.rate_limits.settings()["per_user"] == 600
    with Emulator(quota_per_user=None, quota_per_project=None).start() as other:
        other_service = make_service(other, ALICE)
        assert _batch(other, other_service, 601) == [(True, None)] * 601
        other.set_rate_limits(per_user=1)
        other.reset()
        assert other.rate_limits.settings()["per_user"] is None


def test_admin_http_api_sets_and_shows_the_limits(emu, service):
    url = emu.base_url + "/_emulator/rate-limits"
    answer = requests.post(url, json={"per_user": 1, "per_project": None}, timeout=10).json()
    assert answer["settings"]["per_user"] == 1 and answer["settings"]["per_project"] is None
    _list(service)
    _refused(service)
    shown = requests.get(url, timeout=10).json()
    assert shown["usage"] == {"all_projects": 1}
    assert shown["peaks"]["per_user"] == [{"client_id": "test-client", "email": ALICE, "peak": 1}]
    bad = requests.post(url, json={"status": 418}, timeout=10)
    assert bad.status_code == 400
    requests.post(emu.base_url + "/_emulator/reset", timeout=10)
    assert requests.get(url, timeout=10).json()["settings"]["per_user"] == 600


def test_command_line_flags():
    command = [
        sys.executable,
        "-m",
        "google_emulator",
        "--port",
        "0",
        "--quota-per-user",
        "none",
        "--quota-per-project",
        "50",
        "--quota-status",
        "429",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO) as process:
        try:
            base_url = process.stdout.readline().strip().rsplit(" ", 1)[1]
            settings = requests.get(base_url + "/_emulator/rate-limits", timeout=10).json()[
                "settings"
            ]
            assert settings["per_user"] is None and settings["per_project"] == 50
            assert settings["status"] == 429
        finally:
            process.terminate()
            process.wait(timeout=10)
    command = [sys.executable, "-m", "google_emulator", "--port", "0", "--no-quotas"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=REPO) as process:
        try:
            base_url = process.stdout.readline().strip().rsplit(" ", 1)[1]
            settings = requests.get(base_url + "/_emulator/rate-limits", timeout=10).json()[
                "settings"
            ]
            assert settings["per_user"] is None and settings["per_project"] is None
        finally:
            process.terminate()
            process.wait(timeout=10)
