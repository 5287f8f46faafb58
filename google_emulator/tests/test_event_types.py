"""Event types (out of office, focus time, working location, birthdays) through
the real client.

Google's pages these tests follow:

* Events reference, https://developers.google.com/workspace/calendar/api/v3/reference/events :
  ``eventType`` ("This cannot be modified after the event is created";
  ``fromGmail`` "This type of event cannot be created"), ``outOfOfficeProperties``
  / ``focusTimeProperties`` (``autoDeclineMode`` declineNone,
  declineAllConflictingInvitations, declineOnlyNewConflictingInvitations;
  ``chatStatus`` available or doNotDisturb; ``declineMessage``),
  ``workingLocationProperties`` (``type`` homeOffice, officeLocation,
  customLocation, "Any other fields are ignored");
* Status events guide, https://developers.google.com/workspace/calendar/api/guides/calendar-status :
  "only available on primary calendars"; focus time and out of office: "Set
  the transparency field to 'opaque'", timed, not all-day; working location:
  "Set the visibility field to 'public'", "transparency ... 'transparent'",
  timed or an all-day event spanning exactly one day; "If you update the status
  event using the events.update method, the event must maintain the required
  fields";
* Event types guide, https://developers.google.com/workspace/calendar/api/guides/event-types :
  ``eventTypes`` on events.list and events.watch ("If no type is specified, all
  event types will be returned"), birthdays' creation rules;
* Google's answer to properties on the wrong type, "outOfOfficeProperties
  requires an event type of outOfOffice" (dust-tt/dust#25311).
"""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import pytest
import requests
from googleapiclient.errors import HttpError

from google_emulator import ApiError
from google_emulator.testing import make_service
from google_emulator.tests.helpers import ALICE, BOB, error_of, timed
from google_emulator.tests.test_push import Receiver

SLOT = timed("2026-03-02T08:00:00Z", "2026-03-02T17:00:00Z")
OOO = dict(SLOT, eventType="outOfOffice", summary="Congés", outOfOfficeProperties={})
FOCUS = dict(
    SLOT,
    eventType="focusTime",
    focusTimeProperties={"chatStatus": "doNotDisturb", "autoDeclineMode": "declineNone"},
)
HOME = {
    "eventType": "workingLocation",
    "start": {"date": "2026-03-04"},
    "end": {"date": "2026-03-05"},
    "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}},
}
BIRTHDAY = {
    "eventType": "birthday",
    "summary": "Anniversaire de Léa",
    "start": {"date": "2026-05-12"},
    "end": {"date": "2026-05-13"},
    "recurrence": ["RRULE:FREQ=YEARLY"],
}


def _insert(service, body, calendar_id="primary"):
    return service.events().insert(calendarId=calendar_id, body=body).execute()


def _refused(call):
    with pytest.raises(HttpError) as info:
        call.execute()
    return error_of(info.value)


def test_out_of_office_and_focus_time_as_the_guide_creates_them(emu, service):
    """Created on the primary calendar with their properties: they come back
    with their type, their properties (``autoDeclineMode``, ``declineMessage``,
    ``chatStatus``) and ``transparency: opaque`` even when the body left it
    out; events.get and events.list show them like any event."""
    ooo = _insert(
        service,
        dict(
            OOO,
            outOfOfficeProperties={
                "autoDeclineMode": "declineAllConflictingInvitations",
                "declineMessage": "En congés",
            },
        ),
    )
    assert ooo["eventType"] == "outOfOffice"
    assert ooo["transparency"] == "opaque"
    assert ooo["outOfOfficeProperties"] == {
        "autoDeclineMode": "declineAllConflictingInvitations",
        "declineMessage": "En congés",
    }
    focus = _insert(service, timed("2026-03-03T09:00:00Z", "2026-03-03T11:00:00Z") | FOCUS)
    assert (focus["eventType"], focus["transparency"]) == ("focusTime", "opaque")
    assert focus["focusTimeProperties"] == {
        "chatStatus": "doNotDisturb",
        "autoDeclineMode": "declineNone",
    }
    got = service.events().get(calendarId="primary", eventId=ooo["id"]).execute()
    assert got == ooo
    listed = service.events().list(calendarId="primary").execute()["items"]
    assert [(e["id"], e["eventType"]) for e in listed] == [
        (ooo["id"], "outOfOffice"),
        (focus["id"], "focusTime"),
    ]
    plain = _insert(service, SLOT)
    assert plain["eventType"] == "default"
    assert "outOfOfficeProperties" not in plain


@pytest.mark.parametrize(
    ("body", "expected", "message"),
    [
        (dict(OOO, start={"date": "2026-03-02"}, end={"date": "2026-03-03"}), "invalid", "all-day"),
        (
            dict(FOCUS, start={"date": "2026-03-02"}, end={"date": "2026-03-03"}),
            "invalid",
            "all-day",
        ),
        (dict(OOO, transparency="transparent"), "invalid", "transparency opaque"),
        (dict(OOO, attendees=[{"email": BOB}]), "invalid", "attendees"),
        ({k: v for k, v in OOO.items() if k != "outOfOfficeProperties"}, "required", "Missing"),
        (dict(OOO, outOfOfficeProperties={"autoDeclineMode": "always"}), "invalid", "autoDecline"),
        (dict(FOCUS, focusTimeProperties={"chatStatus": "away"}), "invalid", "chatStatus"),
        (
            dict(SLOT, focusTimeProperties={"chatStatus": "doNotDisturb"}),
            "invalid",
            "focusTimeProperties requires an event type of focusTime",
        ),
        (
            dict(OOO, eventType="default"),
            "invalid",
            "outOfOfficeProperties requires an event type of outOfOffice",
        ),
        (dict(SLOT, eventType="fromGmail"), "eventTypeRestriction", "cannot be created"),
        (dict(SLOT, eventType="meeting"), "invalid", "event type"),
        (dict(HOME, end={"date": "2026-03-06"}), "invalid", "exactly one day"),
        (dict(HOME, visibility="private"), "invalid", "visibility public"),
        (dict(HOME, workingLocationProperties={"homeOffice": {}}), "required", "type"),
        (dict(HOME, workingLocationProperties={"type": "beach"}), "invalid", "type"),
    ],
)
def test_refused_status_events(service, body, expected, message):
    """What the guide asks, refused with a 400 when a body does not follow it:
    all-day out of office or focus time, one made transparent, guests on a
    status event, its properties missing or with unknown values, properties of
    one type on another (Google's own message), a ``fromGmail`` event ("cannot
    be created"), an unknown type, a working location over several whole days,
    not public, or of an unknown kind."""
    with pytest.raises(HttpError) as info:
        _insert(service, body)
    status, reason, _ = error_of(info.value)
    assert (status, reason) == (400, expected)
    assert message in str(info.value)
    assert service.events().list(calendarId="primary").execute()["items"] == []


def test_status_events_only_on_primary_calendars(emu, service):
    """ "These features are only available on primary calendars": on a secondary
    calendar each status type is 400 ``eventTypeRestriction``; an ordinary
    event there is fine."""
    team = service.calendars().insert(body={"summary": "Équipe"}).execute()["id"]
    for body in (OOO, FOCUS, HOME):
        assert _refused(service.events().insert(calendarId=team, body=body)) == (
            400,
            "eventTypeRestriction",
            "global",
        )
    assert _insert(service, SLOT, team)["eventType"] == "default"


def test_working_location_kinds(service):
    """A working location is public and transparent (set when the body leaves
    them out), all-day for exactly one day or timed (several days allowed);
    its ``workingLocationProperties`` keep the sub-object of its ``type`` --
    "Any other fields are ignored"."""
    home = _insert(service, HOME)
    assert (home["visibility"], home["transparency"]) == ("public", "transparent")
    assert home["workingLocationProperties"] == {"type": "homeOffice", "homeOffice": {}}
    office = _insert(
        service,
        {
            "eventType": "workingLocation",
            **timed("2026-03-02T08:00:00Z", "2026-03-04T17:00:00Z"),
            "workingLocationProperties": {
                "type": "officeLocation",
                "officeLocation": {"label": "Agence Lyon", "floorId": "2"},
                "customLocation": {"label": "ignored"},
            },
        },
    )
    assert office["workingLocationProperties"] == {
        "type": "officeLocation",
        "officeLocation": {"label": "Agence Lyon", "floorId": "2"},
    }


def test_the_type_never_changes(service):
    """ "This cannot be modified after the event is created": a patch setting
    another type is 400 ``eventTypeRestriction``; an update must carry the type
    and its properties again (a body without ``eventType`` asks for
    ``default``), which is fine for a default event, whose type an update keeps
    as ``default``."""
    ooo = _insert(service, OOO)
    assert _refused(
        service.events().patch(
            calendarId="primary", eventId=ooo["id"], body={"eventType": "default"}
        )
    ) == (400, "eventTypeRestriction", "global")
    assert _refused(
        service.events().update(calendarId="primary", eventId=ooo["id"], body=dict(SLOT))
    )[:2] == (400, "eventTypeRestriction")
    moved = (
        service.events()
        .patch(
            calendarId="primary",
            eventId=ooo["id"],
            body={"summary": "Congés (prolongés)", "end": {"dateTime": "2026-03-03T17:00:00Z"}},
        )
        .execute()
    )
    assert (moved["eventType"], moved["outOfOfficeProperties"]) == ("outOfOffice", {})
    again = service.events().update(calendarId="primary", eventId=ooo["id"], body=OOO).execute()
    assert again["end"] == OOO["end"]
    plain = _insert(service, SLOT)
    updated = (
        service.events()
        .update(calendarId="primary", eventId=plain["id"], body=dict(SLOT, summary="RDV"))
        .execute()
    )
    assert updated["eventType"] == "default"


def test_birthdays_as_the_event_types_guide_allows_them(service):
    """Birthdays: all-day, one day, ``RRULE:FREQ=YEARLY`` (February 29:
    ``BYMONTH=2;BYMONTHDAY=-1``), private and transparent, nothing but a title,
    a colour, reminders and ``birthdayProperties.type: birthday``; their title
    can change afterwards, other properties cannot be added."""
    birthday = _insert(service, BIRTHDAY)
    assert (birthday["visibility"], birthday["transparency"]) == ("private", "transparent")
    assert birthday["birthdayProperties"] == {"type": "birthday"}
    leap = dict(
        BIRTHDAY,
        start={"date": "2028-02-29"},
        end={"date": "2028-03-01"},
        recurrence=["RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1"],
    )
    assert _insert(service, leap)["eventType"] == "birthday"
    for body in (
        dict(BIRTHDAY, description="gâteau"),
        dict(BIRTHDAY, recurrence=["RRULE:FREQ=MONTHLY"]),
        {k: v for k, v in BIRTHDAY.items() if k != "recurrence"},
        dict(BIRTHDAY, end={"date": "2026-05-14"}),
        dict(BIRTHDAY, transparency="opaque"),
        dict(BIRTHDAY, birthdayProperties={"type": "anniversary"}),
    ):
        with pytest.raises(HttpError) as info:
            _insert(service, body)
        assert error_of(info.value)[:2] == (400, "invalid"), body
    renamed = (
        service.events()
        .patch(
            calendarId="primary", eventId=birthday["id"], body={"summary": "Léa", "colorId": "4"}
        )
        .execute()
    )
    assert (renamed["summary"], renamed["colorId"]) == ("Léa", "4")
    assert _refused(
        service.events().patch(
            calendarId="primary", eventId=birthday["id"], body={"location": "Lyon"}
        )
    )[:2] == (400, "invalid")


def test_event_types_filter_of_events_list(emu, service):
    """``eventTypes`` (repeatable): only events of those types, in full and
    incremental listings; without it every type is listed. An unknown value is
    400 ``invalidParameter`` (googleapiclient refuses it before sending, so the
    raw request is checked)."""
    plain = _insert(service, SLOT)
    ooo = _insert(service, timed("2026-03-03T08:00:00Z", "2026-03-03T17:00:00Z") | OOO)
    home = _insert(service, HOME)

    def ids(**params):
        items = service.events().list(calendarId="primary", **params).execute()["items"]
        return sorted(e["id"] for e in items)

    assert ids() == sorted([plain["id"], ooo["id"], home["id"]])
    assert ids(eventTypes="outOfOffice") == [ooo["id"]]
    assert ids(eventTypes=["default", "workingLocation"]) == sorted([plain["id"], home["id"]])
    token = service.events().list(calendarId="primary").execute()["nextSyncToken"]
    service.events().patch(
        calendarId="primary", eventId=plain["id"], body={"summary": "x"}
    ).execute()
    service.events().delete(calendarId="primary", eventId=ooo["id"]).execute()
    changed = (
        service.events()
        .list(calendarId="primary", syncToken=token, eventTypes="outOfOffice")
        .execute()["items"]
    )
    assert [(e["id"], e["status"]) for e in changed] == [(ooo["id"], "cancelled")]
    token = emu.mint_token(ALICE)["access_token"]
    answer = requests.get(
        emu.api_endpoint + "calendars/primary/events",
        params={"eventTypes": "meeting"},
        headers={"Authorization": "Bearer " + token},
        timeout=10,
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["reason"] == "invalidParameter"


def test_watch_with_event_types(emu, service):
    """events.watch with ``eventTypes``: the channel hears of changes to events
    of those types only (after its ``sync`` message); without it, of all."""
    receiver = Receiver()
    try:
        service.events().watch(
            calendarId="primary",
            eventTypes="outOfOffice",
            body={"id": "ooo-only", "type": "web_hook", "address": receiver.url},
        ).execute()
        emu.wait_for_push()
        _insert(service, SLOT)
        emu.wait_for_push()
        assert [h["X-Goog-Resource-State"] for h, _ in receiver.received] == ["sync"]
        _insert(service, OOO)
        emu.wait_for_push()
        assert [h["X-Goog-Resource-State"] for h, _ in receiver.received] == ["sync", "exists"]
    finally:
        receiver.close()


def test_the_phone_makes_status_events_and_shares_free_busy(emu, service):
    """The phone's menus (and the admin routes) go through the same validation:
    an out-of-office, a focus time and a working location land on the primary
    calendar with the guide's fields; a bad one raises Google's error; sharing
    "See only free/busy" is an ACL rule with role ``freeBusyReader``."""
    phone = emu.phone(ALICE)
    ooo = phone.set_out_of_office(
        "2026-03-02T08:00:00",
        "2026-03-02T18:00:00",
        time_zone="Europe/Paris",
        decline_message="Absent",
    )
    assert ooo["outOfOfficeProperties"] == {
        "autoDeclineMode": "declineNone",
        "declineMessage": "Absent",
    }
    focus = phone.add_focus_time("2026-03-03T08:00:00Z", "2026-03-03T10:00:00Z")
    assert focus["focusTimeProperties"]["chatStatus"] == "doNotDisturb"
    home = phone.set_working_location("2026-03-04")
    assert (home["start"], home["end"]) == ({"date": "2026-03-04"}, {"date": "2026-03-05"})
    with pytest.raises(ApiError) as info:
        phone.set_out_of_office("2026-03-05", "2026-03-06")
    assert (info.value.status, info.value.reason) == (400, "invalid")
    emu.add_account(BOB)
    rule = phone.share_calendar("primary", BOB)
    assert rule == {
        "kind": "calendar#aclRule",
        "etag": rule["etag"],
        "id": "user:" + BOB,
        "scope": {"type": "user", "value": BOB},
        "role": "freeBusyReader",
    }
    types = {e["eventType"] for e in service.events().list(calendarId="primary").execute()["items"]}
    assert types == {"outOfOffice", "focusTime", "workingLocation"}


def test_admin_routes_create_status_events_and_share(emu):
    """Over HTTP, for tests in another process: the phone's event routes take a
    body with ``eventType`` (same validation, Google's error shape), and
    ``calendars/<id>/acl`` shares a calendar (``freeBusyReader``)."""
    emu.add_account(ALICE)
    emu.add_account(BOB)
    base = emu.base_url + "/_emulator/phone/" + ALICE
    answer = requests.post(base + "/calendars/primary/events", json=OOO, timeout=10)
    assert answer.status_code == 200 and answer.json()["eventType"] == "outOfOffice"
    answer = requests.post(base + "/events", json=dict(OOO, transparency="transparent"), timeout=10)
    assert answer.status_code == 400
    assert answer.json()["error"]["errors"][0]["reason"] == "invalid"
    rule = {"role": "freeBusyReader", "scope": {"type": "user", "value": BOB}}
    answer = requests.post(base + "/calendars/primary/acl", json=rule, timeout=10)
    assert answer.status_code == 200 and answer.json()["role"] == "freeBusyReader"
    listed = requests.get(base + "/calendars/primary/acl", timeout=10).json()["items"]
    assert [r["role"] for r in listed] == ["owner", "freeBusyReader"]
    bob = make_service(emu, BOB)
    busy = (
        bob.freebusy()
        .query(
            body={
                "timeMin": "2026-03-02T00:00:00Z",
                "timeMax": "2026-03-03T00:00:00Z",
                "items": [{"id": ALICE}],
            }
        )
        .execute()
    )
    assert busy["calendars"][ALICE]["busy"] == [
        {"start": "2026-03-02T08:00:00Z", "end": "2026-03-02T17:00:00Z"}
    ]


def test_the_web_page_shows_the_type_and_creates_status_events(emu):
    """The demo's "phone" page names each event's type (Absent, Concentration,
    Lieu de travail) and its form makes an out-of-office event on the primary
    calendar through the phone."""
    emu.add_account(ALICE, time_zone="Europe/Paris")
    emu.phone(ALICE).add_focus_time("2026-03-03T08:00:00Z", "2026-03-03T10:00:00Z")
    page = requests.get(emu.base_url + "/ui/" + ALICE, timeout=10).text
    assert "Concentration / Focus time" in page
    assert '<select name="event_type">' in page
    answer = requests.post(
        emu.base_url + "/ui/%s/%s/new" % (ALICE, ALICE),
        data={
            "summary": "Congés",
            "event_type": "outOfOffice",
            "start": "2026-03-05T08:00",
            "end": "2026-03-05T18:00",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 303 and "ok=1" in answer.headers["Location"]
    events = emu.phone(ALICE).list_events("primary")
    assert sorted(e["eventType"] for e in events) == ["focusTime", "outOfOffice"]
    page = requests.get(emu.base_url + "/ui/" + ALICE, timeout=10).text
    assert "Absent / Out of office" in page
