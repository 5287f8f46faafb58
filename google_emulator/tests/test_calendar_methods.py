"""Methods a phone user triggers: events.move, calendars.patch/update, calendarList
insert/patch/update/delete; and the methods still answered 501.

References: https://developers.google.com/workspace/calendar/api/v3/reference/events/move ,
.../v3/reference/calendars/patch , .../calendars/update , .../calendarList/insert ,
.../calendarList/patch , .../calendarList/update , .../calendarList/delete ,
.../calendarList/list (``showHidden``), and the CalendarList resource's field notes.
"""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import json
import os

import googleapiclient
import pytest
from googleapiclient.errors import HttpError

from google_emulator.calendar_api import NOT_EMULATED, ROUTES, match_route
from google_emulator.testing import make_service
from google_emulator.tests.helpers import ALICE, BOB, error_of, timed

SLOT = timed("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z")


@pytest.fixture
def bob(emu):
    return make_service(emu, BOB)


def _team(service, summary="Interventions"):
    return service.calendars().insert(body={"summary": summary}).execute()["id"]


def _share(service, calendar_id, email=BOB, role="reader"):
    service.acl().insert(
        calendarId=calendar_id, body={"role": role, "scope": {"type": "user", "value": email}}
    ).execute()


def _ids(service, calendar_id="primary", **params):
    return [
        e["id"] for e in service.events().list(calendarId=calendar_id, **params).execute()["items"]
    ]


# -- events.move ---------------------------------------------------------------------
def test_move_changes_the_organizer_and_leaves_a_cancelled_event_behind(emu, service, bob):
    """events.move "moves an event to another calendar, i.e. changes an event's
    organizer": same id in the destination, organized by it; the source keeps a
    cancelled event ("If an event changes its organizer (for example via the move
    operation) and the original organizer is not on the attendee list, it will
    leave behind a cancelled event", Events reference, ``status``); the attendees'
    copies follow the new organizer."""
    team = _team(service)
    event = (
        service.events()
        .insert(calendarId="primary", body=dict(SLOT, summary="RDV", attendees=[{"email": BOB}]))
        .execute()
    )
    source_token = service.events().list(calendarId="primary").execute()["nextSyncToken"]
    bob_token = bob.events().list(calendarId="primary").execute()["nextSyncToken"]
    moved = (
        service.events().move(calendarId="primary", eventId=event["id"], destination=team).execute()
    )
    assert (moved["id"], moved["iCalUID"]) == (event["id"], event["iCalUID"])
    assert moved["organizer"] == {"email": team, "displayName": "Interventions", "self": True}
    assert _ids(service, team) == [event["id"]]
    assert _ids(service) == []
    (left,) = service.events().list(calendarId="primary", syncToken=source_token).execute()["items"]
    assert (left["id"], left["status"]) == (event["id"], "cancelled")
    (followed,) = bob.events().list(calendarId="primary", syncToken=bob_token).execute()["items"]
    assert followed["organizer"] == {"email": team, "displayName": "Interventions"}
    # And back: the source's cancelled event is the same event, it takes it again.
    back = service.events().move(calendarId=team, eventId=event["id"], destination=ALICE)
    assert back.execute()["organizer"] == {"email": ALICE, "self": True}
    assert _ids(service) == [event["id"]] and _ids(service, team) == []


def test_move_leaves_a_copy_when_the_old_organizer_is_an_attendee(emu, service):
    """The old organizer calendar on the attendee list keeps the event as an
    invitation (a copy organized by the destination)."""
    team = _team(service)
    event = (
        service.events()
        .insert(calendarId="primary", body=dict(SLOT, attendees=[{"email": ALICE}]))
        .execute()
    )
    service.events().move(calendarId="primary", eventId=event["id"], destination=team).execute()
    kept = service.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert kept["status"] == "confirmed"
    assert kept["organizer"] == {"email": team, "displayName": "Interventions"}
    assert [i["copy"] for i in emu.account_items(ALICE)["items"]] == [True, False]


def test_move_moves_a_series_with_its_exceptions(emu, service):
    """events.move of a recurring event: the whole series changes organizer, its
    cancelled occurrence included (an occurrence alone cannot move, see below)."""
    team = _team(service)
    series = (
        service.events()
        .insert(
            calendarId="primary",
            body={
                "start": {"dateTime": "2026-03-02T08:00:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": "2026-03-02T09:00:00", "timeZone": "Europe/Paris"},
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
            },
        )
        .execute()
    )
    first = service.events().instances(calendarId="primary", eventId=series["id"]).execute()
    service.events().delete(calendarId="primary", eventId=first["items"][1]["id"]).execute()
    service.events().move(calendarId="primary", eventId=series["id"], destination=team).execute()
    moved = service.events().instances(calendarId=team, eventId=series["id"]).execute()["items"]
    assert len(moved) == 2
    assert _ids(service, singleEvents=True) == []


def test_move_refusals(emu, service, bob):
    """An occurrence cannot change organizer (``cannotChangeOrganizerOfInstance``),
    nor an invitation's copy (``cannotChangeOrganizer``); the destination needs
    write access and must not hold another event with that id; it is required."""
    team = _team(service)
    series = (
        service.events()
        .insert(
            calendarId="primary",
            body={
                "start": {"dateTime": "2026-03-02T08:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
                "attendees": [{"email": BOB}],
            },
        )
        .execute()
    )
    instance = service.events().instances(calendarId="primary", eventId=series["id"]).execute()
    bobs_team = _team(bob, "Bob's")
    service.events().insert(calendarId=team, body=dict(SLOT, id="takenid1")).execute()
    service.events().insert(calendarId="primary", body=dict(SLOT, id="takenid1")).execute()
    _share(service, team, BOB, "reader")
    cases = [
        (
            service.events().move(
                calendarId="primary", eventId=instance["items"][0]["id"], destination=team
            ),
            (400, "cannotChangeOrganizerOfInstance"),
        ),
        (
            bob.events().move(calendarId="primary", eventId=series["id"], destination=bobs_team),
            (400, "cannotChangeOrganizer"),
        ),
        (
            service.events().move(calendarId="primary", eventId="takenid1", destination=team),
            (409, "duplicate"),
        ),
        (
            service.events().move(calendarId="primary", eventId=series["id"], destination=BOB),
            (404, "notFound"),
        ),
    ]
    for request, expected in cases:
        with pytest.raises(HttpError) as info:
            request.execute()
        assert error_of(info.value)[:2] == expected
    bobs = bob.events().insert(calendarId="primary", body=SLOT).execute()
    with pytest.raises(HttpError) as info:  # a reader of the destination
        bob.events().move(calendarId="primary", eventId=bobs["id"], destination=team).execute()
    assert error_of(info.value)[:2] == (403, "requiredAccessLevel")


# -- calendars.patch / calendars.update ------------------------------------------------
def test_calendars_patch_and_update(emu, service, bob):
    """calendars.patch "updates metadata for a calendar" (title, description,
    location, time zone); update replaces them, ``summary`` required as on insert."""
    team = _team(service)
    before = service.calendars().get(calendarId=team).execute()
    patched = (
        service.calendars()
        .patch(calendarId=team, body={"summary": "Chantiers", "timeZone": "Europe/Paris"})
        .execute()
    )
    assert (patched["summary"], patched["timeZone"]) == ("Chantiers", "Europe/Paris")
    assert patched["etag"] != before["etag"] and patched["dataOwner"] == ALICE
    entry = service.calendarList().get(calendarId=team).execute()
    assert entry["summary"] == "Chantiers"
    updated = (
        service.calendars()
        .update(calendarId=team, body={"summary": "Chantiers 2026", "description": "Équipe A"})
        .execute()
    )
    assert updated["description"] == "Équipe A" and updated["timeZone"] == "Europe/Paris"
    renamed = service.calendars().patch(calendarId="primary", body={"description": "Moi"})
    assert renamed.execute()["description"] == "Moi"
    _share(service, team, BOB, "writer")
    refusals = [
        (service.calendars().update(calendarId=team, body={"description": "x"}), (400, "required")),
        (
            service.calendars().patch(calendarId=team, body={"timeZone": "Mars/Base"}),
            (400, "invalid"),
        ),
        (
            bob.calendars().patch(calendarId=team, body={"summary": "Mine"}),
            (403, "requiredAccessLevel"),
        ),
    ]
    for request, expected in refusals:
        with pytest.raises(HttpError) as info:
            request.execute()
        assert error_of(info.value)[:2] == expected


# -- calendarList ------------------------------------------------------------------------
def test_calendar_list_delete_and_insert(emu, service, bob):
    """calendarList.delete "removes a calendar from the user's calendar list": a
    calendar shared with him leaves it (he keeps his access); his own cannot
    (Google: 403 cannotUnsubscribeFromOwnedCalendar, "The data owner of a calendar
    cannot remove such a calendar from their calendar list."; the primary one:
    cannotChangeOwnPrimarySubscription). calendarList.insert "inserts an existing
    calendar into the user's calendar list"; twice is 409."""
    team = _team(service)
    _share(service, team, BOB, "reader")
    event = service.events().insert(calendarId=team, body=SLOT).execute()
    bobs_own = _team(bob, "Perso")
    assert [c["id"] for c in bob.calendarList().list().execute()["items"]] == [BOB, bobs_own, team]
    bob.calendarList().delete(calendarId=team).execute()
    assert [c["id"] for c in bob.calendarList().list().execute()["items"]] == [BOB, bobs_own]
    with pytest.raises(HttpError) as info:
        bob.calendarList().get(calendarId=team).execute()
    assert error_of(info.value)[0] == 404
    assert _ids(bob, team) == [event["id"]]  # still readable
    for calendar_id, reason in (
        (bobs_own, "cannotUnsubscribeFromOwnedCalendar"),
        ("primary", "cannotChangeOwnPrimarySubscription"),
        (team, "notFound"),
    ):
        with pytest.raises(HttpError) as info:
            bob.calendarList().delete(calendarId=calendar_id).execute()
        assert error_of(info.value)[1] == reason
    entry = bob.calendarList().insert(body={"id": team, "colorId": "7"}).execute()
    assert (entry["id"], entry["accessRole"], entry["colorId"]) == (team, "reader", "7")
    with pytest.raises(HttpError) as info:
        bob.calendarList().insert(body={"id": team}).execute()
    assert error_of(info.value)[:2] == (409, "duplicate")
    with pytest.raises(HttpError) as info:  # nobody shared it: not found
        bob.calendarList().insert(body={"id": _team(service, "Privé")}).execute()
    assert error_of(info.value)[0] == 404


def test_a_domain_shared_calendar_can_be_added_to_the_list(emu, service):
    """A calendar shared with the whole domain is readable but not listed (see
    test_acl); calendarList.insert "inserts an existing calendar into the user's
    calendar list", calendarList.delete takes it out again."""
    team = _team(service)
    service.acl().insert(
        calendarId=team,
        body={"role": "reader", "scope": {"type": "domain", "value": "example.com"}},
    ).execute()
    carol = make_service(emu, "carol@example.com")
    assert [c["id"] for c in carol.calendarList().list().execute()["items"]] == [
        "carol@example.com"
    ]
    carol.calendarList().insert(body={"id": team}).execute()
    ids = [c["id"] for c in carol.calendarList().list().execute()["items"]]
    assert ids == ["carol@example.com", team]
    carol.calendarList().delete(calendarId=team).execute()
    assert [c["id"] for c in carol.calendarList().list().execute()["items"]] == [
        "carol@example.com"
    ]


def test_calendar_list_patch_and_update(emu, service):
    """calendarList.patch / update: the user's own view. ``hidden`` "is only returned
    when the calendar is hidden", and a hidden entry is listed only with
    ``showHidden``; ``summaryOverride``, ``colorId``; RGB colours need
    ``colorRgbFormat=true`` and then set ``colorId`` to the closest one."""
    team = _team(service)
    entry = (
        service.calendarList()
        .patch(calendarId=team, body={"hidden": True, "summaryOverride": "Boulot", "colorId": "9"})
        .execute()
    )
    assert (entry["hidden"], entry["summaryOverride"], entry["colorId"]) == (True, "Boulot", "9")
    assert entry["backgroundColor"] == "#7bd148"
    assert [c["id"] for c in service.calendarList().list().execute()["items"]] == [ALICE]
    listed = service.calendarList().list(showHidden=True).execute()["items"]
    assert [c["id"] for c in listed] == [ALICE, team]
    shown = service.calendarList().patch(calendarId=team, body={"hidden": False}).execute()
    assert "hidden" not in shown and shown["summaryOverride"] == "Boulot"
    replaced = service.calendarList().update(calendarId=team, body={"selected": True}).execute()
    assert "summaryOverride" not in replaced and replaced["colorId"] == "14"
    rgb = (
        service.calendarList()
        .patch(
            calendarId=team,
            body={"backgroundColor": "#7bd140", "foregroundColor": "#FFFFFF"},
            colorRgbFormat=True,
        )
        .execute()
    )
    assert (rgb["backgroundColor"], rgb["foregroundColor"], rgb["colorId"]) == (
        "#7bd140",
        "#ffffff",
        "9",
    )
    with pytest.raises(HttpError) as info:
        service.calendarList().patch(calendarId=team, body={"colorId": "99"}).execute()
    assert error_of(info.value)[0] == 400
    minimum = service.calendarList().list(minAccessRole="owner").execute()["items"]
    assert [c["id"] for c in minimum] == [ALICE, team]


# -- what remains 501 --------------------------------------------------------------------
def test_every_method_of_the_discovery_document_is_routed():
    """The 38 methods of googleapiclient's calendar.v3 discovery document: each has
    a route; the 6 in NOT_EMULATED answer 501, the 32 others are emulated."""
    path = os.path.join(
        os.path.dirname(googleapiclient.__file__),
        "discovery_cache",
        "documents",
        "calendar.v3.json",
    )
    with open(path, encoding="utf-8") as handle:
        discovery = json.load(handle)
    seen = {}
    for resource, spec in discovery["resources"].items():
        for method, detail in spec["methods"].items():
            concrete = detail["path"]
            for name in ("calendarId", "eventId", "ruleId", "setting"):
                concrete = concrete.replace("{%s}" % name, "x1234")
            route = match_route(detail["httpMethod"], "/calendar/v3/" + concrete)
            assert route is not None, (resource, method)
            seen["%s.%s" % (resource, method)] = route[0]
    assert len(seen) == 38
    assert sorted(name for name, routed in seen.items() if routed is None) == sorted(NOT_EMULATED)
    assert all(routed == name for name, routed in seen.items() if routed is not None)
    assert len([route for route in ROUTES if route[2]]) == 32


def test_an_unemulated_method_answers_501(service):
    """calendars.transferOwnership (a Workspace administrator's method) is not emulated."""
    with pytest.raises(HttpError) as info:
        service.calendars().transferOwnership(
            calendarId="primary", newDataOwner=BOB, useAdminAccess=True
        ).execute()
    assert error_of(info.value)[:2] == (501, "notImplemented")
