"""Behaviours where Google's documentation is precise, each checked through the real
client: error bodies, events.instances' inclusive timeMin, reminders and ``updated``,
extended property limits, ``q``, push addresses and channel ids, ``fields``, expiry."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import json
import time

import pytest
from googleapiclient.errors import HttpError

from google_emulator import Emulator
from google_emulator.testing import make_service
from google_emulator.tests.helpers import ALICE, error_of, timed
from google_emulator.tests.test_push import Receiver

EVENT = timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z")


def _insert(service, **extra):
    return service.events().insert(calendarId="primary", body=dict(EVENT, **extra)).execute()


def _error_body(exc):
    return json.loads(exc.content)


def test_412_names_the_if_match_header(emu, service):
    event = _insert(service)
    emu.phone(ALICE).patch_event("primary", event["id"], {"summary": "phone"})
    request = service.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "client"}
    )
    request.headers["If-Match"] = event["etag"]
    with pytest.raises(HttpError) as info:
        request.execute()
    assert _error_body(info.value) == {
        "error": {
            "code": 412,
            "message": "Precondition Failed",
            "errors": [
                {
                    "domain": "global",
                    "reason": "conditionNotMet",
                    "message": "Precondition Failed",
                    "locationType": "header",
                    "location": "If-Match",
                }
            ],
        }
    }


def test_time_range_empty_has_the_calendar_domain(service):
    with pytest.raises(HttpError) as info:
        service.events().list(
            calendarId="primary", timeMin="2024-05-02T00:00:00Z", timeMax="2024-05-01T00:00:00Z"
        ).execute()
    assert _error_body(info.value) == {
        "error": {
            "code": 400,
            "message": "The specified time range is empty.",
            "errors": [
                {
                    "domain": "calendar",
                    "reason": "timeRangeEmpty",
                    "message": "The specified time range is empty.",
                    "locationType": "parameter",
                    "location": "timeMax",
                }
            ],
        }
    }
    with pytest.raises(HttpError) as info:
        service.events().insert(
            calendarId="primary", body=timed("2024-05-01T10:00:00Z", "2024-05-01T09:00:00Z")
        ).execute()
    assert error_of(info.value) == (400, "timeRangeEmpty", "calendar")


def test_full_sync_required_has_the_calendar_domain(service):
    with pytest.raises(HttpError) as info:
        service.events().list(calendarId="primary", syncToken="stale").execute()
    assert _error_body(info.value) == {
        "error": {
            "code": 410,
            "message": "Sync token is no longer valid, a full sync is required.",
            "errors": [
                {
                    "domain": "calendar",
                    "reason": "fullSyncRequired",
                    "message": "Sync token is no longer valid, a full sync is required.",
                    "locationType": "parameter",
                    "location": "syncToken",
                }
            ],
        }
    }


def test_instances_time_min_is_inclusive_of_an_occurrences_end(service):
    series = (
        service.events()
        .insert(
            calendarId="primary",
            body={
                "start": {"dateTime": "2024-05-01T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2024-05-01T10:00:00", "timeZone": "UTC"},
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
            },
        )
        .execute()
    )
    items = (
        service.events()
        .instances(calendarId="primary", eventId=series["id"], timeMin="2024-05-02T10:00:00Z")
        .execute()["items"]
    )
    # The occurrence of 2 May ends exactly at timeMin: events.instances includes it ...
    assert [i["start"]["dateTime"] for i in items] == [
        "2024-05-02T09:00:00Z",
        "2024-05-03T09:00:00Z",
    ]
    # ... where events.list's timeMin is exclusive.
    listed = (
        service.events()
        .list(calendarId="primary", singleEvents=True, timeMin="2024-05-02T10:00:00Z")
        .execute()["items"]
    )
    assert [i["start"]["dateTime"] for i in listed] == ["2024-05-03T09:00:00Z"]


def test_a_reminders_only_change_does_not_move_updated(service):
    event = _insert(service)
    time.sleep(0.005)
    changed = (
        service.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={
                "reminders": {
                    "useDefault": False,
                    "overrides": [{"method": "popup", "minutes": 30}],
                }
            },
        )
        .execute()
    )
    assert changed["updated"] == event["updated"]
    assert changed["etag"] != event["etag"]
    assert changed["reminders"]["overrides"] == [{"method": "popup", "minutes": 30}]
    time.sleep(0.005)
    retitled = (
        service.events()
        .patch(calendarId="primary", eventId=event["id"], body={"summary": "new"})
        .execute()
    )
    assert retitled["updated"] > event["updated"]


def test_extended_properties_over_the_limits_are_dropped_or_cut(service):
    event = _insert(
        service,
        extendedProperties={
            "private": {"k" * 44: "kept", "k" * 45: "dropped", "long": "v" * 1500},
            "shared": {"n": 7},
        },
    )
    private = event["extendedProperties"]["private"]
    assert private == {"k" * 44: "kept", "long": "v" * 1024}
    assert event["extendedProperties"]["shared"] == {"n": "7"}
    stored = service.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert stored["extendedProperties"] == event["extendedProperties"]


def test_q_searches_the_organizers_email(emu, service):
    emu.add_account("other@example.com")
    mine = _insert(service, summary="Boiler")
    found = service.events().list(calendarId="primary", q="alice@exa").execute()["items"]
    assert [e["id"] for e in found] == [mine["id"]]
    assert service.events().list(calendarId="primary", q="nobody@").execute()["items"] == []


def _watch(service, **body):
    return (
        service.events()
        .watch(calendarId="primary", body=dict({"id": "chan-1", "type": "web_hook"}, **body))
        .execute()
    )


def test_push_address_must_be_https_unless_loopback_http_is_allowed():
    receiver = Receiver()
    try:
        with Emulator(allow_loopback_http_push=False).start() as strict:
            service = make_service(strict, ALICE)
            with pytest.raises(HttpError) as info:
                _watch(service, address=receiver.url)
            assert error_of(info.value) == (400, "push.webhookUrlNotHttps", "global")
            assert (
                _error_body(info.value)["error"]["message"]
                == "WebHook callback must be HTTPS: " + receiver.url
            )
            # HTTPS on loopback is accepted (delivery then needs a TLS receiver).
            answer = _watch(service, address="https://127.0.0.1:9/hook")
            assert answer["kind"] == "api#channel"
        with Emulator().start() as default:  # tests' default: allowed
            service = make_service(default, ALICE)
            assert _watch(service, address=receiver.url)["id"] == "chan-1"
            assert default.wait_for_push()
            with pytest.raises(HttpError) as info:  # never plain HTTP to another host
                _watch(service, id="chan-2", address="http://example.com/hook")
            assert error_of(info.value)[:2] == (400, "push.webhookUrlNotHttps")
    finally:
        receiver.close()


@pytest.mark.parametrize(
    "channel_id,ok",
    [
        ("a" * 64, True),
        ("a" * 65, False),
        ("01234567-89ab-cdef-0123-456789abcdef", True),
        ("with space", False),
        ("slash/plus+eq=", True),
    ],
)
def test_channel_ids_of_at_most_64_characters(emu, service, channel_id, ok):
    receiver = Receiver()
    try:
        if ok:
            assert _watch(service, id=channel_id, address=receiver.url)["id"] == channel_id
        else:
            with pytest.raises(HttpError) as info:
                _watch(service, id=channel_id, address=receiver.url)
            assert error_of(info.value)[:2] == (400, "invalid")
            assert emu.push.channels == {}
    finally:
        emu.wait_for_push()
        receiver.close()


def test_a_push_channel_expires(emu, service):
    receiver = Receiver()
    try:
        now_ms = int(time.time() * 1000)
        channel = _watch(service, address=receiver.url, expiration=str(now_ms + 3600 * 1000))
        assert abs(int(channel["expiration"]) - (now_ms + 3600 * 1000)) < 1000
        emu.wait_for_push()
        emu.advance_clock(3601)
        emu.phone(ALICE).insert_event("primary", EVENT)
        emu.wait_for_push()
        assert [h["X-Goog-Resource-State"] for h, _ in receiver.received] == ["sync"]
        with pytest.raises(HttpError) as info:  # gone: stop is 404 ...
            service.channels().stop(
                body={"id": "chan-1", "resourceId": channel["resourceId"]}
            ).execute()
        assert error_of(info.value)[0] == 404
        assert _watch(service, address=receiver.url)["id"] == "chan-1"  # ... id free
        # Without an expiration, a week.
        default = _watch(service, id="chan-2", address=receiver.url)
        week_ms = 7 * 24 * 3600 * 1000
        assert abs(int(default["expiration"]) - int((time.time() + 3601) * 1000) - week_ms) < 2000
    finally:
        emu.wait_for_push()
        receiver.close()


def test_fields_the_connector_asks_for(service):
    """Partial responses: a listing trimmed to ids, etags and the tokens, and one event."""
    for hour in range(3):
        service.events().insert(
            calendarId="primary",
            body=dict(
                timed("2024-05-01T%02d:00:00Z" % (9 + hour), "2024-05-01T%02d:30:00Z" % (9 + hour)),
                summary="RDV %d" % hour,
                extendedProperties={"private": {"k": str(hour)}},
            ),
        ).execute()
    page = (
        service.events()
        .list(
            calendarId="primary",
            maxResults=2,
            fields="items(id,etag,status,extendedProperties/private),nextPageToken",
        )
        .execute()
    )
    assert set(page) == {"items", "nextPageToken"}
    assert [set(item) for item in page["items"]] == [
        {"id", "etag", "status", "extendedProperties"}
    ] * 2
    assert page["items"][0]["extendedProperties"] == {"private": {"k": "0"}}
    rest = (
        service.events()
        .list(
            calendarId="primary",
            pageToken=page["nextPageToken"],
            fields="nextSyncToken,items/summary",
        )
        .execute()
    )
    assert rest == {"items": [{"summary": "RDV 2"}], "nextSyncToken": rest["nextSyncToken"]}
    one = (
        service.events()
        .get(
            calendarId="primary",
            eventId=page["items"][0]["id"],
            fields="id,start(dateTime),updated",
        )
        .execute()
    )
    assert set(one) == {"id", "start", "updated"} and set(one["start"]) == {"dateTime"}
    everything = service.events().get(calendarId="primary", eventId=one["id"], fields="*").execute()
    assert everything["summary"] == "RDV 0"
    with pytest.raises(HttpError) as info:
        service.events().list(calendarId="primary", fields="items(id").execute()
    assert error_of(info.value)[:2] == (400, "invalidParameter")


def test_events_list_time_zone_expresses_the_times_in_that_zone(service):
    """events.list ``timeZone``: "Time zone used in the response. Optional. The default
    is the time zone of the calendar."
    (https://developers.google.com/calendar/api/v3/reference/events/list)"""
    own = _insert(
        service,
        start={"dateTime": "2024-05-01T09:00:00+02:00", "timeZone": "Europe/Paris"},
        end={"dateTime": "2024-05-01T10:00:00+02:00", "timeZone": "Europe/Paris"},
    )
    plain = _insert(service)  # 09:00Z, no zone of its own
    day = _insert(service, start={"date": "2024-05-02"}, end={"date": "2024-05-03"})
    listed = service.events().list(calendarId="primary", timeZone="America/New_York").execute()
    items = {item["id"]: item for item in listed["items"]}
    assert items[own["id"]]["start"] == {
        "dateTime": "2024-05-01T03:00:00-04:00",
        "timeZone": "Europe/Paris",
    }
    assert items[own["id"]]["end"]["dateTime"] == "2024-05-01T04:00:00-04:00"
    assert items[plain["id"]]["start"] == {"dateTime": "2024-05-01T05:00:00-04:00"}
    assert items[day["id"]]["start"] == {"date": "2024-05-02"}
    # without it: the event's own zone, else the calendar's
    default = service.events().list(calendarId="primary").execute()["items"]
    assert {item["id"]: item["start"] for item in default}[own["id"]]["dateTime"] == (
        "2024-05-01T09:00:00+02:00"
    )
    # the same instants; the stored events are not changed by a listing
    again = service.events().get(calendarId="primary", eventId=own["id"]).execute()
    assert again["start"]["dateTime"] == "2024-05-01T09:00:00+02:00"
