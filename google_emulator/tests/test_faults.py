"""Injected faults, latency and quota, seen through the real client."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import time

import pytest
import requests
from googleapiclient.errors import HttpError

from google_emulator.testing import new_batch
from google_emulator.tests.helpers import ALICE, error_of, timed

RETRIABLE = {403, 429, 500, 503}


def execute_with_retries(request, attempts=30):
    """What a careful connector does: retry rate limits and 5xx, no sleep here."""
    for _ in range(attempts):
        try:
            return request.execute()
        except HttpError as exc:
            if exc.resp.status not in RETRIABLE:
                raise
    raise AssertionError("still failing after %d attempts" % attempts)


def _body(number):
    return dict(
        timed(
            "2024-04-%02dT09:00:00Z" % (1 + number % 28),
            "2024-04-%02dT10:00:00Z" % (1 + number % 28),
        ),
        summary=str(number),
    )


def test_retrying_client_completes_with_30_percent_failures(emu, service):
    emu.set_faults(rate=0.3, seed=7)
    ids = []
    for number in range(20):
        ids.append(
            execute_with_retries(
                service.events().insert(
                    calendarId="primary", body=dict(_body(number), id="evt%05d" % number)
                )
            )["id"]
        )
    for event_id in ids[:5]:
        execute_with_retries(
            service.events().patch(
                calendarId="primary", eventId=event_id, body={"summary": "patched"}
            )
        )
    listed = execute_with_retries(service.events().list(calendarId="primary"))["items"]
    emu.set_faults(rate=0)
    assert sorted(e["id"] for e in listed) == sorted(ids)
    faults = [e for e in emu.request_log if e["fault"]]
    assert 8 <= len(faults) <= 30
    assert {e["status"] for e in faults} <= {403, 429, 500, 503}
    assert {e["fault"] for e in faults} <= {
        "rateLimitExceeded",
        "userRateLimitExceeded",
        "429",
        "500",
        "503",
    }
    # A failed call changed nothing: exactly one event per insert, five patched.
    events = emu.phone(ALICE).list_events("primary", show_deleted=True)
    assert len(events) == 20
    assert sum(e["summary"] == "patched" for e in events) == 5


def test_googleapiclient_builtin_retry_recognises_the_errors(emu, service):
    emu.set_faults(rate=0.5, seed=3)
    for number in range(6):
        request = service.events().insert(calendarId="primary", body=_body(number))
        request._sleep = lambda seconds: None  # pylint: disable=protected-access
        request.execute(num_retries=20)
    emu.set_faults(rate=0)
    assert len(emu.phone(ALICE).list_events("primary")) == 6
    assert any(e["fault"] for e in emu.request_log)


def test_faults_are_deterministic_from_the_seed(emu, service):
    def run():
        emu.clear_log()
        emu.set_faults(rate=0.4, seed=11)
        statuses = []
        for _ in range(15):
            try:
                statuses.append(service.calendarList().list().execute()["kind"])
            except HttpError as exc:
                statuses.append(exc.resp.status)
        emu.set_faults(rate=0)
        assert len(statuses) == 15
        return [e["fault"] for e in emu.request_log]

    first = run()
    assert any(first) and first == run()


@pytest.mark.parametrize(
    "kind,status,reason,domain",
    [
        ("rateLimitExceeded", 403, "rateLimitExceeded", "usageLimits"),
        ("userRateLimitExceeded", 403, "userRateLimitExceeded", "usageLimits"),
        ("429", 429, "rateLimitExceeded", "usageLimits"),
        ("500", 500, "backendError", "global"),
        ("503", 503, "backendError", "global"),
    ],
)
def test_each_fault_kind_has_googles_shape_and_changes_nothing(
    emu, service, kind, status, reason, domain
):
    emu.set_faults(rate=1.0, kinds=[kind], retry_after=7)
    with pytest.raises(HttpError) as info:
        service.events().insert(calendarId="primary", body=_body(1)).execute()
    assert error_of(info.value) == (status, reason, domain)
    if kind == "429":
        assert info.value.resp["retry-after"] == "7"
    emu.set_faults(rate=0)
    assert emu.phone(ALICE).list_events("primary", show_deleted=True) == []


def test_expired_token_fault_is_survived_by_refresh(emu, service):
    emu.set_faults(rate=1.0, kinds=["401"])
    with pytest.raises(HttpError) as info:
        service.calendarList().list().execute()
    assert error_of(info.value)[:2] == (401, "authError")
    emu.set_faults(rate=0)
    # The client refreshes through the token endpoint and succeeds.
    assert service.calendarList().list().execute()["items"]
    assert any(e["path"] == "/token" for e in emu.request_log)


def test_faults_inside_batch_parts(emu, service):
    emu.set_faults(rate=0.3, seed=5, targets=["part"])
    pending = {str(n): _body(n) for n in range(50)}
    done, rounds = {}, 0
    while pending and rounds < 20:
        rounds += 1
        failed = {}

        def callback(request_id, response, exception, failed=failed, pending=pending):
            if exception is None:
                done[request_id] = response
            else:
                assert exception.resp.status in RETRIABLE
                failed[request_id] = pending[request_id]

        batch = new_batch(emu, callback)
        for request_id, body in pending.items():
            batch.add(
                service.events().insert(calendarId="primary", body=body), request_id=request_id
            )
        batch.execute()
        pending = failed
    emu.set_faults(rate=0)
    assert not pending and rounds > 1
    outer = [e for e in emu.request_log if not e["in_batch"]]
    assert all(e["status"] == 200 and e["fault"] is None for e in outer)
    assert any(e["fault"] for e in emu.request_log if e["in_batch"])
    assert len(emu.phone(ALICE).list_events("primary")) == 50


def test_whole_batch_fault_runs_no_part(emu, service):
    emu.set_faults(rate=1.0, kinds=["503"], targets=["request"])
    batch = new_batch(emu)
    batch.add(service.events().insert(calendarId="primary", body=_body(1)))
    with pytest.raises(HttpError) as info:
        batch.execute()
    assert info.value.resp.status == 503
    emu.set_faults(rate=0)
    assert emu.phone(ALICE).list_events("primary") == []
    assert emu.request_log[-1]["fault"] == "503"


def test_latency_is_added(emu, service):
    emu.set_faults(rate=0, latency=0.2)
    started = time.monotonic()
    service.calendarList().list().execute()
    assert time.monotonic() - started >= 0.2
    emu.set_faults(rate=0)


def test_per_user_quota(emu, service):
    emu.set_quota(ALICE, 3)
    for _ in range(3):
        service.calendarList().list().execute()
    with pytest.raises(HttpError) as info:
        service.events().insert(calendarId="primary", body=_body(1)).execute()
    assert error_of(info.value) == (403, "quotaExceeded", "usageLimits")
    emu.set_quota(ALICE, None)
    assert emu.phone(ALICE).list_events("primary") == []
    service.calendarList().list().execute()


def test_bad_fault_settings_are_refused(emu):
    with pytest.raises(ValueError):
        emu.set_faults(rate=2)
    with pytest.raises(ValueError):
        emu.set_faults(rate=0.1, kinds=["teapot"])


def test_request_delayed_across_a_reset_touches_nothing(emu):
    """A client that timed out must not leak its late request into the next test."""
    emu.add_account(ALICE)
    token = emu.mint_token(ALICE)["access_token"]
    emu.set_faults(rate=0, latency=0.4)
    with pytest.raises(requests.exceptions.Timeout):
        requests.post(
            emu.api_endpoint + "calendars/primary/events",
            timeout=0.1,
            headers={"Authorization": "Bearer " + token},
            json=_body(1),
        )
    emu.reset()
    emu.add_account(ALICE)
    time.sleep(0.5)
    assert emu.request_log == []
    assert emu.phone(ALICE).list_events("primary") == []
