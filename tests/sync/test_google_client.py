"""The Google client against the emulator, over real HTTP: paging, sync tokens,
410, batches, If-Match, 409, timeouts and every fault kind."""

import pytest
from sync.google_client import GoogleError, ReconnectNeeded, Write
from sync_helpers import EMAIL, FakeClock, LosingHttp, fast_backoff, new_client


def body(number, event_id=None):
    """A valid event body."""
    out = {
        "summary": "E%d" % number,
        "start": {"dateTime": "2024-06-03T09:00:00+02:00"},
        "end": {"dateTime": "2024-06-03T10:00:00+02:00"},
    }
    if event_id:
        out["id"] = event_id
    return out


def inserts(count, prefix="evt"):
    """``count`` inserts with client-chosen ids."""
    return [
        Write("insert", "%s%05d" % (prefix, n), body(n, "%s%05d" % (prefix, n)))
        for n in range(count)
    ]


def api_entries(emu):
    """Log entries of real HTTP requests (no batch parts)."""
    return [e for e in emu.request_log if not e["in_batch"]]


def test_full_listing_pages_and_gives_a_sync_token(emu, client, calendar, phone):
    for number in range(5):
        phone.insert_event(calendar, body(number))
    client.page_size = 2
    emu.clear_log()
    changes = client.list_changes(calendar)
    assert changes.full and len(changes.events) == 5 and changes.next_sync_token
    assert emu.http_round_trips() == 3


def test_incremental_listing_and_410(emu, client, calendar, phone):
    first = phone.insert_event(calendar, body(1))
    token = client.list_changes(calendar).next_sync_token
    phone.patch_event(calendar, first["id"], {"summary": "changed"})
    phone.delete_event(calendar, phone.insert_event(calendar, body(2))["id"])
    changes = client.list_changes(calendar, token)
    assert not changes.full
    assert sorted(e.get("summary", e["status"]) for e in changes.events) == ["cancelled", "changed"]
    emu.clear_log()
    assert client.list_changes(calendar, changes.next_sync_token).events == []
    assert emu.http_round_trips() == 1
    emu.expire_sync_tokens()
    emu.clear_log()
    again = client.list_changes(calendar, changes.next_sync_token)
    assert again.full and len(again.events) == 2  # deleted ones are listed too
    assert [e["status"] for e in api_entries(emu)] == [410, 200]


def test_writes_go_in_batches_of_at_most_50(emu, client, calendar, phone):
    emu.clear_log()
    results = client.write_events(calendar, inserts(120))
    assert all(r.ok for r in results) and len({r.event["id"] for r in results}) == 120
    batches = api_entries(emu)
    assert [e["batch_size"] for e in batches] == [50, 50, 20]
    assert emu.http_round_trips() == 3
    assert len(phone.list_events(calendar)) == 120


def test_if_match_and_conflicts(client, calendar):
    created = client.write_events(calendar, inserts(2))
    etag = created[0].event["etag"]
    results = client.write_events(
        calendar,
        [
            Write("patch", "evt00000", {"summary": "ok"}, etag=etag),
            Write("patch", "evt00001", {"summary": "stale"}, etag='"123"'),
            Write("delete", "evt00000", etag=etag),  # etag moved with the patch
            Write("insert", "evt00001", body(1, "evt00001")),
        ],
    )
    assert results[0].ok and results[0].event["summary"] == "ok"
    assert (results[1].status, results[1].reason) == (412, "conditionNotMet")
    assert results[2].status == 412 and results[3].status == 409
    assert not any(r.transient for r in results)


def test_permanent_errors_are_not_retried(emu, client, calendar):
    emu.clear_log()
    (result,) = client.write_events(
        calendar, [Write("insert", "bad00", {"summary": "no start", "id": "bad00"})]
    )
    assert not result.ok and result.status == 400 and not result.transient
    assert emu.http_round_trips() == 1
    with pytest.raises(GoogleError) as info:
        client.get_event(calendar, "nosuchevent")
    assert info.value.status == 404 and emu.http_round_trips() == 2


@pytest.mark.parametrize(
    "kind", ["rateLimitExceeded", "userRateLimitExceeded", "429", "500", "503", "401"]
)
@pytest.mark.parametrize("target", ["request", "part"])
def test_each_fault_kind_is_retried(emu, calendar, kind, target):
    clock = FakeClock()
    client = new_client(emu, backoff=fast_backoff(clock, max_attempts=12))
    # an injected 401 expires the token, so the batch parts after it fail too:
    # a lower rate keeps that kind solvable within the retry budget
    rate = 0.05 if (kind, target) == ("401", "part") else 0.4
    emu.set_faults(rate=rate, kinds=(kind,), seed=7, retry_after=3, targets=(target,))
    results = client.write_events(calendar, inserts(60))
    changes = client.list_changes(calendar)
    emu.set_faults(rate=0)
    assert all(r.ok for r in results), [r for r in results if not r.ok][:3]
    assert len(changes.events) == 60
    faults = [e for e in emu.request_log if e["fault"] == kind]
    assert faults, "no fault was injected"
    if kind == "401":  # refreshed through the token endpoint, not backed off
        assert any(e["path"] == "/token" for e in emu.request_log)
    else:
        assert clock.sleeps
    if kind == "429":  # Retry-After: 3 is honoured
        assert max(clock.sleeps) >= 3


def test_retries_are_bounded(emu, calendar):
    clock = FakeClock()
    client = new_client(emu, backoff=fast_backoff(clock, max_attempts=4, max_total=60))
    emu.set_faults(rate=1.0, kinds=("503",), targets=("request",))
    with pytest.raises(GoogleError) as info:
        client.list_changes(calendar)
    assert info.value.transient and info.value.status == 503
    assert len(clock.sleeps) == 3 and clock.now <= 60
    results = client.write_events(calendar, inserts(3))
    assert all(not r.ok and r.transient for r in results)
    assert emu.http_round_trips() == 4 + 4


def test_every_request_has_a_timeout(emu, calendar):
    client = new_client(emu, backoff=fast_backoff(max_attempts=2), timeout=0.2)
    emu.set_faults(rate=0, latency=0.6)
    try:
        with pytest.raises(GoogleError) as info:
            client.list_changes(calendar)
        assert info.value.transient and info.value.reason == "network"
        results = client.write_events(calendar, inserts(1))
        assert results[0].transient and "network" in results[0].reason
    finally:
        emu.set_faults(rate=0, latency=0)


def test_answer_lost_after_insert_gives_409_on_retry(emu, calendar, phone):
    http = LosingHttp(timeout=5)
    client = new_client(emu, http=http)
    http.lose_next = 1
    (result,) = client.write_events(calendar, inserts(1))
    assert http.lost == 1
    assert (result.ok, result.status, result.reason) == (False, 409, "duplicate")
    assert len(phone.list_events(calendar)) == 1


def test_quota_exceeded_is_not_retried(emu, client, calendar):
    emu.set_quota(EMAIL, 0)
    with pytest.raises(GoogleError) as info:
        client.list_changes(calendar)
    assert info.value.reason == "quotaExceeded" and not info.value.transient


def test_revoked_grant_asks_for_a_new_consent(emu, client, calendar):
    emu.revoke(EMAIL)
    with pytest.raises(ReconnectNeeded):
        client.list_changes(calendar)


def test_calendars_and_push_channels(emu, client):
    calendar_id = client.create_calendar("Interventions", "Europe/Paris")
    assert calendar_id in [c["id"] for c in client.list_calendars()]
    # hidden on the phone, still his calendar
    emu.phone(EMAIL).patch_calendar_list(calendar_id, {"hidden": True})
    assert calendar_id in [c["id"] for c in client.list_calendars()]
    channel = client.watch(
        calendar_id, "chan-1", "http://127.0.0.1:9/hook", token="t", ttl_seconds=3600
    )
    assert channel["id"] == "chan-1" and channel["resourceId"]
    client.stop_channel("chan-1", channel["resourceId"])
    assert emu.http_round_trips() == 5


def test_batch_uri_follows_the_endpoint(client, emu):
    assert client.batch_uri == emu.batch_uri


def test_refresh_has_a_timeout_whatever_transport_it_is_given(client):
    credentials = client.credentials
    assert credentials.refresh_timeout == 5.0
    old = credentials.token
    credentials.refresh(None)  # googleapiclient may pass an untimed transport
    assert credentials.token and credentials.token != old


def test_write_is_an_alias_of_write_events(client, calendar):
    (result,) = client.write(calendar, inserts(1))
    assert result.ok


def test_a_long_retry_after_is_left_to_the_scheduler(emu, calendar):
    """A Retry-After longer than the backoff's max_pause is not waited in place: the
    operation ends at once and the client says how long Google asked to wait."""
    clock = FakeClock()
    client = new_client(emu, backoff=fast_backoff(clock, max_pause=20.0))
    emu.set_rate_limits(per_user=3, status=429, retry_after=True)
    try:
        results = client.write_events(calendar, inserts(5))
        assert [r.ok for r in results] == [True, True, True, False, False]
        assert all(r.transient and r.status == 429 for r in results[3:])
        assert not clock.sleeps, "a 60 s Retry-After is not slept in the worker"
        assert 55 <= client.rate_limited <= 60
        with pytest.raises(GoogleError) as info:
            client.list_changes(calendar)
        assert info.value.rate_limited and info.value.retry_after >= 55
    finally:
        emu.set_rate_limits(per_user=600, status=403, retry_after=False)


def test_a_rate_limit_without_retry_after_is_noted_once_retries_are_spent(emu, calendar):
    clock = FakeClock()
    client = new_client(emu, backoff=fast_backoff(clock, max_attempts=3))
    assert client.rate_limited is None
    emu.set_rate_limits(per_user=1)
    try:
        client.list_changes(calendar)  # the one call of the window
        assert client.rate_limited is None, "nothing refused yet"
        (result,) = client.write_events(calendar, inserts(1))
        assert (result.status, result.reason) == (403, "userRateLimitExceeded")
        assert len(clock.sleeps) == 2, "backed off in place first"
        assert client.rate_limited == 0.0, "refused without a Retry-After"
    finally:
        emu.set_rate_limits(per_user=600)
