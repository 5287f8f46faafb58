"""Bad input gets Google's error shape and changes nothing."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import pytest
import requests
from googleapiclient.errors import HttpError

from google_emulator.testing import make_service
from google_emulator.tests.helpers import ALICE, BOB, check_error_shape, error_of, timed

GOOD = timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z")


def _raw(emu, method, path, token=None, data=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    return requests.request(method, emu.base_url + path, data=data, headers=headers, timeout=10)


def test_malformed_json_is_parse_error(emu):
    emu.add_account(ALICE)
    token = emu.mint_token(ALICE)["access_token"]
    for data in (b"{not json", b"[1, 2]", b"\xff\xfe"):
        answer = _raw(emu, "POST", "/calendar/v3/calendars/primary/events", token, data)
        assert answer.status_code == 400
        check_error_shape(answer.json(), 400)
        assert answer.json()["error"]["errors"][0]["reason"] == "parseError"
    assert emu.phone(ALICE).list_events("primary", show_deleted=True) == []


@pytest.mark.parametrize("token", [None, "ya29.not-a-token"])
def test_missing_or_wrong_token_is_401(emu, token):
    emu.add_account(ALICE)
    answer = _raw(
        emu,
        "POST",
        "/calendar/v3/calendars/primary/events",
        token,
        b'{"start": {"date": "2024-01-01"}, "end": {"date": "2024-01-02"}}',
    )
    assert answer.status_code == 401
    check_error_shape(answer.json(), 401)
    assert answer.json()["error"]["errors"][0]["reason"] == "authError"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert emu.phone(ALICE).list_events("primary") == []


def test_expired_access_token_is_refreshed_transparently(emu, service):
    service.calendarList().list().execute()
    emu.expire_access_tokens()
    emu.clear_log()
    assert service.calendarList().list().execute()["items"]
    assert [(e["path"], e["status"]) for e in emu.request_log] == [
        ("/calendar/v3/users/me/calendarList", 401),
        ("/token", 200),
        ("/calendar/v3/users/me/calendarList", 200),
    ]


def test_expiry_by_clock(emu, service):
    token = emu.mint_token(ALICE)["access_token"]
    assert _raw(emu, "GET", "/calendar/v3/users/me/calendarList", token).status_code == 200
    emu.advance_clock(3601)
    assert _raw(emu, "GET", "/calendar/v3/users/me/calendarList", token).status_code == 401
    assert service.calendarList().list().execute()["items"]


def test_unknown_calendar_and_event(emu, service):
    emu.add_account(BOB)
    for request in (
        service.events().list(calendarId="nobody@example.com"),
        service.events().list(calendarId=BOB),
        service.events().get(calendarId="primary", eventId="unknown123"),
        service.events().patch(calendarId="primary", eventId="unknown123", body={}),
        service.events().delete(calendarId="primary", eventId="unknown123"),
        service.events().insert(calendarId=BOB, body=GOOD),
        service.calendars().get(calendarId="nope@group.calendar.google.com"),
    ):
        with pytest.raises(HttpError) as info:
            request.execute()
        assert error_of(info.value) == (404, "notFound", "global")
    assert emu.phone(BOB).list_events("primary", show_deleted=True) == []


@pytest.mark.parametrize(
    "body,reason",
    [
        ({"start": {"dateTime": "2024-05-01T09:00:00Z"}}, "required"),
        ({"end": {"dateTime": "2024-05-01T09:00:00Z"}}, "required"),
        (timed("2024-05-01T10:00:00Z", "2024-05-01T09:00:00Z"), "timeRangeEmpty"),
        ({"start": {"date": "2024-05-01"}, "end": {"date": "2024-05-01"}}, "timeRangeEmpty"),
        ({"start": {"date": "2024-05-01"}, "end": {"dateTime": "2024-05-01T09:00:00Z"}}, "invalid"),
        (
            {
                "start": {"date": "2024-05-01", "dateTime": "2024-05-01T09:00:00Z"},
                "end": {"date": "2024-05-02"},
            },
            "invalid",
        ),
        (timed("2024-05-01T09:00:00", "2024-05-01T10:00:00"), "required"),
        (timed("2024-05-01T09:00:00", "2024-05-01T10:00:00", zone="Mars/Olympus"), "invalid"),
        (timed("2024-13-01T09:00:00Z", "2024-05-01T10:00:00Z"), "invalid"),
        (dict(GOOD, status="maybe"), "invalid"),
        (dict(GOOD, attendees=[{"displayName": "no email"}]), "required"),
        (dict(GOOD, extendedProperties={"private": {"k": ["not", "a", "string"]}}), "invalid"),
        (dict(GOOD, summary=["not", "text"]), "invalid"),
    ],
)
def test_validation_errors(emu, service, body, reason):
    with pytest.raises(HttpError) as info:
        service.events().insert(calendarId="primary", body=body).execute()
    assert error_of(info.value)[:2] == (400, reason)
    assert emu.phone(ALICE).list_events("primary", show_deleted=True) == []


def test_invalid_patch_changes_nothing(emu, service):
    event = service.events().insert(calendarId="primary", body=GOOD).execute()
    with pytest.raises(HttpError):
        service.events().patch(
            calendarId="primary",
            eventId=event["id"],
            body={"end": {"dateTime": "2024-04-01T00:00:00Z"}},
        ).execute()
    assert emu.phone(ALICE).get_event("primary", event["id"]) == event


def test_bad_query_parameters(service):
    for params in (
        {"timeMin": "yesterday"},
        {"timeMin": "2024-01-01T00:00:00"},
        {"timeMin": "2024-02-01T00:00:00Z", "timeMax": "2024-01-01T00:00:00Z"},
        {"privateExtendedProperty": "novalue"},
        {"pageToken": "forged"},
    ):
        with pytest.raises(HttpError) as info:
            service.events().list(calendarId="primary", **params).execute()
        assert error_of(info.value)[0] == 400


def test_insufficient_scope_and_unimplemented_method(emu):
    reader = make_service(emu, ALICE, scopes=["https://www.googleapis.com/auth/calendar.readonly"])
    assert reader.events().list(calendarId="primary").execute()["items"] == []
    with pytest.raises(HttpError) as info:
        reader.events().insert(calendarId="primary", body=GOOD).execute()
    assert error_of(info.value) == (403, "insufficientPermissions", "global")
    writer = make_service(emu, ALICE)
    with pytest.raises(HttpError) as info:
        writer.events().quickAdd(calendarId="primary", text="Lunch").execute()
    assert error_of(info.value)[:2] == (501, "notImplemented")


def test_unknown_path_is_404_json(emu):
    answer = _raw(emu, "GET", "/calendar/v3/nothing/here")
    assert answer.status_code == 404
    check_error_shape(answer.json(), 404)


def test_lenient_inputs_google_accepts(emu):
    """What Google takes although its reference is stricter: the token as a
    query parameter, a null ``date`` beside ``dateTime``, a number in
    extendedProperties (stored as a string)."""
    import requests

    from google_emulator.tests.helpers import ALICE

    emu.add_account(ALICE)
    token = emu.mint_token(ALICE)["access_token"]
    body = {
        "summary": "x",
        "start": {"dateTime": "2026-03-02T09:00:00Z", "date": None},
        "end": {"dateTime": "2026-03-02T10:00:00Z", "date": None},
        "extendedProperties": {"private": {"odoo_id": 42}},
    }
    answer = requests.post(
        emu.api_endpoint + "calendars/%s/events?access_token=%s" % (ALICE, token),
        json=body,
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    event = answer.json()
    assert event["extendedProperties"]["private"]["odoo_id"] == "42"
    assert event["start"] == {"dateTime": "2026-03-02T09:00:00Z"}


def test_null_text_fields_mean_not_set(emu, service):
    """An explicit null summary or description, on insert or update, clears it."""
    from google_emulator.tests.helpers import ALICE

    body = {
        "summary": None,
        "description": None,
        "location": "Lyon",
        "start": {"dateTime": "2026-03-02T09:00:00Z"},
        "end": {"dateTime": "2026-03-02T10:00:00Z"},
    }
    event = service.events().insert(calendarId=ALICE, body=body).execute()
    assert "summary" not in event and "description" not in event
    event = (
        service.events()
        .update(calendarId=ALICE, eventId=event["id"], body=dict(body, location=None))
        .execute()
    )
    assert "location" not in event
