"""The batch endpoint, through googleapiclient's BatchHttpRequest."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import pytest
import requests
from googleapiclient.http import BatchHttpRequest

from google_emulator.testing import new_batch
from google_emulator.tests.helpers import ALICE, error_of, timed


def _body(number):
    day = 1 + number % 28
    return dict(
        timed(
            "2024-03-%02dT%02d:00:00Z" % (day, number % 20),
            "2024-03-%02dT%02d:30:00Z" % (day, number % 20),
        ),
        summary="Intervention %d" % number,
    )


def test_googleapiclient_batch_uri_ignores_api_endpoint(emu, service):
    """Why new_batch exists: the default batch URI still points at Google."""
    assert service.new_batch_http_request()._batch_uri.startswith(  # pylint: disable=W0212
        "https://www.googleapis.com/"
    )
    assert new_batch(emu)._batch_uri == emu.base_url + "/batch/calendar/v3"  # pylint: disable=W0212


def test_batch_of_100_calls_is_one_round_trip(emu, service):
    results = {}
    batch = new_batch(emu, lambda rid, resp, exc: results.__setitem__(rid, (resp, exc)))
    for number in range(100):
        batch.add(
            service.events().insert(calendarId="primary", body=_body(number)),
            request_id=str(number),
        )
    emu.clear_log()
    batch.execute()
    assert emu.http_round_trips() == 1
    outer = [e for e in emu.request_log if not e["in_batch"]]
    assert outer[0]["batch_size"] == 100 and outer[0]["status"] == 200
    assert len([e for e in emu.request_log if e["in_batch"]]) == 100
    assert all(exc is None for _, exc in results.values())
    assert results["42"][0]["summary"] == "Intervention 42"
    assert len(emu.phone(ALICE).list_events("primary")) == 100


def test_batches_of_50_mixing_methods_and_per_part_errors(emu, service):
    phone = emu.phone(ALICE)
    existing = [phone.insert_event("primary", _body(n))["id"] for n in range(3)]
    outcome = {}

    def remember(request_id, response, exception):
        outcome[request_id] = (response, exception)

    batch = new_batch(emu, remember)
    batch.add(
        service.events().patch(
            calendarId="primary", eventId=existing[0], body={"summary": "patched"}
        ),
        request_id="patch",
    )
    batch.add(
        service.events().delete(calendarId="primary", eventId=existing[1]), request_id="delete"
    )
    batch.add(service.events().get(calendarId="primary", eventId=existing[2]), request_id="get")
    batch.add(
        service.events().get(calendarId="primary", eventId="unknown123"), request_id="missing"
    )
    batch.add(
        service.events().insert(calendarId="primary", body={"summary": "no times"}),
        request_id="invalid",
    )
    batch.add(service.events().list(calendarId="primary"), request_id="list")
    batch.execute()
    assert outcome["patch"][0]["summary"] == "patched"
    assert outcome["delete"][1] is None and not outcome["delete"][0]
    assert outcome["get"][0]["id"] == existing[2]
    assert error_of(outcome["missing"][1])[:2] == (404, "notFound")
    assert error_of(outcome["invalid"][1])[:2] == (400, "required")
    assert len(outcome["list"][0]["items"]) == 2
    assert phone.get_event("primary", existing[1])["status"] == "cancelled"


def test_plain_batch_path_also_works(emu, service):
    seen = []
    batch = BatchHttpRequest(
        callback=lambda *args: seen.append(args), batch_uri=emu.base_url + "/batch"
    )
    batch.add(service.calendarList().list())
    batch.execute()
    assert seen[0][1]["items"][0]["id"] == ALICE and seen[0][2] is None


def test_expired_token_inside_batch_is_refreshed_by_the_client(emu, service):
    phone = emu.phone(ALICE)
    event_id = phone.insert_event("primary", _body(1))["id"]
    emu.expire_access_tokens(ALICE)
    emu.clear_log()
    seen = []
    batch = new_batch(emu, lambda *args: seen.append(args))
    batch.add(service.events().get(calendarId="primary", eventId=event_id))
    batch.execute()
    assert seen[0][2] is None and seen[0][1]["id"] == event_id
    statuses = [(e["path"], e["status"]) for e in emu.request_log]
    assert ("/token", 200) in statuses
    assert [s for p, s in statuses if p.startswith("/calendar")] == [401, 200]


def test_more_than_1000_parts_is_refused(emu, service):
    del service
    token = emu.mint_token(ALICE)["access_token"]
    part = (
        "--b\r\nContent-Type: application/http\r\nContent-ID: <x+%d>\r\n\r\n"
        "GET /calendar/v3/users/me/calendarList HTTP/1.1\r\n\r\n"
    )
    body = "".join(part % n for n in range(1001)) + "--b--\r\n"
    answer = requests.post(
        emu.batch_uri,
        data=body.encode(),
        timeout=10,
        headers={"Authorization": "Bearer " + token, "Content-Type": "multipart/mixed; boundary=b"},
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["reason"] == "batchSizeTooLarge"
    assert len(emu.request_log) == 1


@pytest.mark.parametrize("content_type", ["application/json", "multipart/mixed"])
def test_malformed_batch_is_400(emu, content_type):
    answer = requests.post(
        emu.batch_uri, data=b"{}", timeout=10, headers={"Content-Type": content_type}
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == 400
