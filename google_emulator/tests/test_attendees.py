"""Events copied to their attendees' calendars, checked through the real client.

Google's pages these tests follow:

* Concepts overview, https://developers.google.com/workspace/calendar/api/concepts :
  "The team offsite in Hawaii event has the team calendar as an organizer (meaning it
  was created in that calendar) and copied to Susan and Wei as attendees." (details in
  .../concepts/events-calendars and .../concepts/inviting-attendees-to-events);
* Events reference, https://developers.google.com/workspace/calendar/api/v3/reference/events :
  ``organizer.self`` "whether the organizer corresponds to the calendar on which this
  copy of the event appears", ``attendees[].self`` "whether this entry represents the
  calendar on which this copy of the event appears", ``extendedProperties.private``
  "properties that are private to the copy of the event that appears on this
  calendar", ``extendedProperties.shared`` "properties that are shared between copies
  of the event on other attendees' calendars", ``reminders`` "the event's reminders
  for the authenticated user", ``status`` (cancelled events, removed invitations);
* Errors guide, https://developers.google.com/workspace/calendar/api/guides/errors
  (403 ``forbiddenForNonOrganizer``).
"""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import make_service
from google_emulator.tests.helpers import ALICE, BOB, error_of, timed
from google_emulator.tests.test_push import Receiver

CAROL = "carol@example.com"
OUTSIDER = "plumber@elsewhere.test"
SLOT = timed("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z")


@pytest.fixture
def bob(emu):
    """Bob's own service: he is an attendee with a Google account."""
    return make_service(emu, BOB)


@pytest.fixture
def carol(emu):
    return make_service(emu, CAROL)


def _invite(service, *emails, calendar_id="primary", **extra):
    body = dict(SLOT, summary="Entretien chaudière", **extra)
    body["attendees"] = [{"email": email} for email in emails]
    return service.events().insert(calendarId=calendar_id, body=body, sendUpdates="none").execute()


def _items(service, calendar_id="primary", **params):
    return service.events().list(calendarId=calendar_id, **params).execute()["items"]


def _entry(event, email):
    return next(a for a in event["attendees"] if a["email"].lower() == email.lower())


def test_an_invitation_is_copied_to_the_attendees_calendar(emu, service, bob):
    """Concepts overview + Events reference: same id and iCalUID in the attendee's
    primary calendar, the organizer calendar as organizer (``self`` on its own copy
    only), the attendee's own entry ``self`` on his copy, ``needsAction`` until he
    answers, private properties not copied, shared ones copied. sendUpdates=none only
    spares the e-mails."""
    emu.add_account(CAROL)
    event = _invite(
        service,
        "Bob@Example.com",  # e-mails compare case-insensitively
        OUTSIDER,
        extendedProperties={"private": {"odoo": "rdv-7"}, "shared": {"ref": "R7"}},
    )
    assert event["organizer"] == {"email": ALICE, "self": True}
    (copy,) = _items(bob)
    assert (copy["id"], copy["iCalUID"]) == (event["id"], event["iCalUID"])
    assert copy["organizer"] == {"email": ALICE}  # not self: false, Google omits it
    assert copy["creator"] == {"email": ALICE}
    assert copy["summary"] == "Entretien chaudière"
    assert copy["start"] == event["start"] and copy["end"] == event["end"]
    mine = _entry(copy, BOB)
    assert mine["self"] is True and mine["responseStatus"] == "needsAction"
    assert "self" not in _entry(copy, OUTSIDER)
    assert "self" not in _entry(event, BOB)  # on Alice's event, Bob is not "self"
    assert copy["extendedProperties"] == {"shared": {"ref": "R7"}}
    assert copy["htmlLink"] != event["htmlLink"]
    assert copy["reminders"] == {"useDefault": True}
    # Carol is not invited, the outsider has no calendar here: nothing elsewhere.
    assert _items(make_service(emu, CAROL)) == []
    got = bob.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert got["etag"] == copy["etag"]
    found = _items(bob, iCalUID=event["iCalUID"])
    assert [item["id"] for item in found] == [event["id"]]


def test_the_organizers_changes_reach_every_copy(emu, service, bob):
    """Any change of the organizer's event reaches the copy: new etag and
    ``updated``, listed by the copy calendar's incremental sync, pushed to a channel
    watching the copy calendar."""
    event = _invite(service, BOB)
    first = _items(bob)[0]
    token = bob.events().list(calendarId="primary").execute()["nextSyncToken"]
    receiver = Receiver()
    try:
        bob.events().watch(
            calendarId="primary",
            body={"id": "bob-primary", "type": "web_hook", "address": receiver.url},
        ).execute()
        emu.wait_for_push()
        service.events().patch(
            calendarId="primary",
            eventId=event["id"],
            body={
                "summary": "Entretien (décalé)",
                "location": "12 rue des Lilas",
                **timed("2026-03-03T08:00:00Z", "2026-03-03T09:30:00Z"),
            },
        ).execute()
        emu.wait_for_push()
        states = [h["X-Goog-Resource-State"] for h, _ in receiver.received]
        assert states == ["sync", "exists"]
    finally:
        emu.wait_for_push()
        receiver.close()
    changes = bob.events().list(calendarId="primary", syncToken=token).execute()
    (changed,) = changes["items"]
    assert changed["id"] == event["id"]
    assert changed["summary"] == "Entretien (décalé)"
    assert changed["location"] == "12 rue des Lilas"
    assert changed["start"]["dateTime"] == "2026-03-03T08:00:00Z"
    assert changed["etag"] != first["etag"] and changed["updated"] > first["updated"]
    assert changed["sequence"] == first["sequence"] + 1
    quiet = bob.events().list(calendarId="primary", syncToken=changes["nextSyncToken"])
    assert quiet.execute()["items"] == []
    # The organizer's own alarms are his: the copy does not change.
    service.events().patch(
        calendarId="primary",
        eventId=event["id"],
        body={"reminders": {"useDefault": False, "overrides": []}},
    ).execute()
    assert (
        bob.events()
        .list(calendarId="primary", syncToken=changes["nextSyncToken"])
        .execute()["items"]
        == []
    )


def test_an_attendees_answer_reaches_the_organizer_and_the_other_copies(emu, service, bob, carol):
    """Each attendee answers on his copy (``responseStatus`` of his own entry, the
    one with ``self``); the organizer's event and the other copies show it."""
    event = _invite(service, BOB, CAROL)
    mine = bob.events().get(calendarId="primary", eventId=event["id"]).execute()
    _entry(mine, BOB)["responseStatus"] = "accepted"
    answered = (
        bob.events()
        .patch(calendarId="primary", eventId=event["id"], body={"attendees": mine["attendees"]})
        .execute()
    )
    assert _entry(answered, BOB)["responseStatus"] == "accepted"
    organizers = service.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert _entry(organizers, BOB)["responseStatus"] == "accepted"
    carols = carol.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert _entry(carols, BOB)["responseStatus"] == "accepted"
    assert _entry(carols, CAROL)["responseStatus"] == "needsAction"
    # An organizer re-sending the list without the answers resets them: "Google reads an
    # omitted responseStatus as needs_action" (macro-inc/macro#6062).
    service.events().patch(
        calendarId="primary",
        eventId=event["id"],
        body={"attendees": [{"email": BOB}, {"email": CAROL}]},
    ).execute()
    reset = bob.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert _entry(reset, BOB)["responseStatus"] == "needsAction"
    emu.phone(BOB).respond("primary", event["id"], "accepted")
    # The phone's Yes / No / Maybe does the same.
    emu.phone(CAROL).respond("primary", event["id"], "tentative")
    organizers = service.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert [a["responseStatus"] for a in organizers["attendees"]] == ["accepted", "tentative"]


def test_what_an_attendee_may_change_on_his_copy(emu, service, bob, carol):
    """The copy's own fields stay on it (``reminders`` "for the authenticated user",
    ``colorId``, ``transparency``, private properties); shared properties are the
    organizer's: errors guide, 403 forbiddenForNonOrganizer "Shared properties can
    only be changed by the organizer of the event." -- an update that leaves them out
    "is equivalent to trying to set them to their default values". Other fields are
    ignored with a 200, as googleapis/google-api-nodejs-client#2989 reports of Google
    ("Updating an event with attendees when you're not the organizer returns
    successfully but doesn't change the event")."""
    event = _invite(
        service,
        BOB,
        CAROL,
        guestsCanInviteOthers=False,
        extendedProperties={"shared": {"ref": "R7"}},
    )
    mine = (
        bob.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={
                "reminders": {
                    "useDefault": False,
                    "overrides": [{"method": "popup", "minutes": 5}],
                },
                "colorId": "11",
                "transparency": "transparent",
                "extendedProperties": {"private": {"seen": "yes"}},
                "summary": "Mon titre",
            },
        )
        .execute()
    )
    assert mine["colorId"] == "11" and mine["transparency"] == "transparent"
    assert mine["reminders"]["overrides"] == [{"method": "popup", "minutes": 5}]
    assert mine["extendedProperties"] == {"private": {"seen": "yes"}, "shared": {"ref": "R7"}}
    assert mine["summary"] == "Entretien chaudière"  # ignored
    organizers = service.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert organizers["summary"] == "Entretien chaudière"
    assert "colorId" not in organizers and organizers["reminders"] == {"useDefault": True}
    assert organizers["extendedProperties"] == {"shared": {"ref": "R7"}}
    assert "colorId" not in carol.events().get(calendarId="primary", eventId=event["id"]).execute()
    refusals = [
        bob.events().patch(
            calendarId="primary", eventId=event["id"], body={"guestsCanModify": True}
        ),
        bob.events().patch(
            calendarId="primary",
            eventId=event["id"],
            body={"extendedProperties": {"shared": {"ref": "mine"}}},
        ),
        # An update without guestsCanInviteOthers sets it back to its default (true).
        bob.events().update(calendarId="primary", eventId=event["id"], body=dict(SLOT)),
    ]
    for request in refusals:
        with pytest.raises(HttpError) as info:
            request.execute()
        assert error_of(info.value) == (403, "forbiddenForNonOrganizer", "calendar")
    # An organizer who lets guests modify the event: their changes are everyone's.
    service.events().patch(
        calendarId="primary", eventId=event["id"], body={"guestsCanModify": True}
    ).execute()
    bob.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "Entretien + ramonage"}
    ).execute()
    for who in (service, carol):
        seen = who.events().get(calendarId="primary", eventId=event["id"]).execute()
        assert seen["summary"] == "Entretien + ramonage"


def test_an_attendee_deleting_his_copy_declines_and_it_leaves_his_calendar(
    emu, service, bob, carol
):
    """Deleting an invitation from his calendar: he declines (the organizer and the
    other attendees see ``declined``) and his copy is ``cancelled`` there -- listed
    only with showDeleted or by incremental sync, while events.get still gives its
    details ("the events to which the user was invited and that they manually
    removed continue to provide details", Events reference, ``status``). Answering
    again puts it back."""
    event = _invite(service, BOB, CAROL)
    token = bob.events().list(calendarId="primary").execute()["nextSyncToken"]
    bob.events().delete(calendarId="primary", eventId=event["id"]).execute()
    assert _items(bob) == []
    (gone,) = bob.events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert gone == {
        "kind": "calendar#event",
        "etag": gone["etag"],
        "id": event["id"],
        "status": "cancelled",
    }
    assert [e["status"] for e in _items(bob, showDeleted=True)] == ["cancelled"]
    kept = bob.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert kept["status"] == "cancelled" and kept["summary"] == "Entretien chaudière"
    for who in (service, carol):
        seen = who.events().get(calendarId="primary", eventId=event["id"]).execute()
        assert seen["status"] == "confirmed"
        assert _entry(seen, BOB)["responseStatus"] == "declined"
    with pytest.raises(HttpError) as info:
        bob.events().delete(calendarId="primary", eventId=event["id"]).execute()
    assert error_of(info.value)[:2] == (410, "deleted")
    # The organizer's later changes do not bring it back ...
    service.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "Autre"}
    ).execute()
    assert _items(bob) == []
    # ... his answering again does.
    emu.phone(BOB).respond("primary", event["id"], "accepted")
    (back,) = _items(bob)
    assert back["summary"] == "Autre" and _entry(back, BOB)["responseStatus"] == "accepted"


def test_a_cancelled_or_deleted_event_cancels_the_copies(emu, service, bob):
    """The organizer deletes the event (or sets ``status: cancelled``): every copy
    is cancelled, a tombstone in incremental listings and with showDeleted."""
    deleted = _invite(service, BOB)
    cancelled = _invite(service, BOB)
    token = bob.events().list(calendarId="primary").execute()["nextSyncToken"]
    service.events().delete(calendarId="primary", eventId=deleted["id"]).execute()
    service.events().patch(
        calendarId="primary", eventId=cancelled["id"], body={"status": "cancelled"}
    ).execute()
    assert _items(bob) == []
    changes = bob.events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert sorted((e["id"], e["status"]) for e in changes) == sorted(
        [(deleted["id"], "cancelled"), (cancelled["id"], "cancelled")]
    )
    assert {e["status"] for e in _items(bob, showDeleted=True)} == {"cancelled"}
    # Restored by the organizer: the copy is back.
    service.events().patch(
        calendarId="primary", eventId=cancelled["id"], body={"status": "confirmed"}
    ).execute()
    assert [e["id"] for e in _items(bob)] == [cancelled["id"]]


def test_an_attendee_taken_off_the_list_loses_his_copy(emu, service, bob, carol):
    """Removing an attendee cancels his copy; inviting him again brings it back."""
    event = _invite(service, BOB, CAROL)
    service.events().patch(
        calendarId="primary", eventId=event["id"], body={"attendees": [{"email": CAROL}]}
    ).execute()
    assert _items(bob) == []
    assert [e["status"] for e in _items(bob, showDeleted=True)] == ["cancelled"]
    assert [e["id"] for e in _items(carol)] == [event["id"]]
    service.events().patch(
        calendarId="primary",
        eventId=event["id"],
        body={"attendees": [{"email": CAROL}, {"email": BOB}]},
    ).execute()
    assert [e["status"] for e in _items(bob)] == ["confirmed"]
    # An update without attendees takes everybody off.
    service.events().update(calendarId="primary", eventId=event["id"], body=dict(SLOT)).execute()
    assert _items(bob) == [] and _items(carol) == []


def test_an_event_of_a_secondary_calendar_is_organized_by_that_calendar(emu, service, bob):
    """Concepts overview: the team calendar is the organizer of an event created in
    it (``organizer.email`` is the calendar's id, ``displayName`` its title), and the
    event is copied to its attendees -- its owner too when he is one, in his primary
    calendar."""
    team = service.calendars().insert(body={"summary": "Interventions"}).execute()["id"]
    event = _invite(service, ALICE, BOB, calendar_id=team)
    assert event["organizer"] == {"email": team, "displayName": "Interventions", "self": True}
    (own,) = _items(service)  # Alice's primary calendar
    (bobs,) = _items(bob)
    for copy in (own, bobs):
        assert copy["id"] == event["id"]
        assert copy["organizer"] == {"email": team, "displayName": "Interventions"}
    assert _entry(own, ALICE)["self"] is True and "self" not in _entry(own, BOB)
    assert own["creator"] == {"email": ALICE, "self": True}
    items = emu.account_items(ALICE)["items"]
    assert sorted((i["calendar_id"], i["copy"]) for i in items) == sorted(
        [(ALICE, True), (team, False)]
    )
    # Deleting the calendar cancels the copies its events had.
    service.calendars().delete(calendarId=team).execute()
    assert _items(service) == [] and _items(bob) == []


def test_an_attendee_whose_primary_is_the_organizer_calendar_gets_no_second_copy(emu, service):
    """The organizer calendar is the attendee's own: one item, his entry ``self``
    (and ``organizer``, the reference's flag for the organizer's own entry)."""
    event = _invite(service, ALICE.upper(), BOB)
    (only,) = _items(service)
    assert only["id"] == event["id"]
    assert _entry(only, ALICE) == {
        "email": ALICE.upper(),
        "responseStatus": "needsAction",
        "organizer": True,
        "self": True,
    }
    assert [i["id"] for i in emu.account_items(ALICE)["items"]] == [event["id"]]


def test_a_series_and_its_exceptions_reach_the_copies(emu, service, bob):
    """A series is copied with its recurrence; an occurrence the organizer moves or
    cancels changes the copies' occurrences too."""
    series = (
        service.events()
        .insert(
            calendarId="primary",
            body={
                "summary": "Tournée",
                "start": {"dateTime": "2026-03-02T08:00:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": "2026-03-02T09:00:00", "timeZone": "Europe/Paris"},
                "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"],
                "attendees": [{"email": BOB}],
            },
        )
        .execute()
    )
    (copy,) = _items(bob)
    assert copy["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=4"]
    instances = service.events().instances(calendarId="primary", eventId=series["id"]).execute()
    second, third = instances["items"][1], instances["items"][2]
    service.events().patch(
        calendarId="primary",
        eventId=second["id"],
        body={
            "start": {"dateTime": "2026-03-09T14:00:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": "2026-03-09T15:00:00", "timeZone": "Europe/Paris"},
        },
    ).execute()
    service.events().delete(calendarId="primary", eventId=third["id"]).execute()
    bobs = bob.events().instances(calendarId="primary", eventId=series["id"]).execute()["items"]
    assert [i["start"]["dateTime"] for i in bobs] == [
        "2026-03-02T08:00:00+01:00",
        "2026-03-09T14:00:00+01:00",
        "2026-03-23T08:00:00+01:00",
    ]
    listed = _items(bob)  # the series, its changed occurrence, its cancelled one
    assert sorted((e["id"], e["status"]) for e in listed) == sorted(
        [(series["id"], "confirmed"), (second["id"], "confirmed"), (third["id"], "cancelled")]
    )
    # Bob declines one occurrence on his copy: the organizer sees it on that one only.
    emu.phone(BOB).respond("primary", instances["items"][3]["id"], "declined")
    fourth = service.events().get(calendarId="primary", eventId=instances["items"][3]["id"])
    assert _entry(fourth.execute(), BOB)["responseStatus"] == "declined"
    master = service.events().get(calendarId="primary", eventId=series["id"]).execute()
    assert _entry(master, BOB)["responseStatus"] == "needsAction"
    # The organizer changes the rule: the copy's series follows.
    service.events().patch(
        calendarId="primary",
        eventId=series["id"],
        body={"recurrence": ["RRULE:FREQ=WEEKLY;COUNT=6"]},
    ).execute()
    copy = bob.events().get(calendarId="primary", eventId=series["id"]).execute()
    assert copy["recurrence"] == ["RRULE:FREQ=WEEKLY;COUNT=6"]
    # The organizer deletes the series: Bob's copy and its exceptions go.
    service.events().delete(calendarId="primary", eventId=series["id"]).execute()
    assert _items(bob, singleEvents=True) == []


def test_copies_cost_no_request_and_no_quota(emu, service):
    """Nobody sent a request for the copies: the organizer's call is one request and
    one unit of quota, the attendees' counters stay at zero (Google's quotas count
    requests: https://developers.google.com/workspace/calendar/api/guides/quota)."""
    make_service(emu, BOB)
    emu.add_account(CAROL)
    emu.clear_log()
    _invite(service, BOB, CAROL)
    assert [(e["method"], e["email"]) for e in emu.request_log] == [("POST", ALICE)]
    assert emu.rate_limit_usage("test-client", ALICE) == 1
    assert emu.rate_limit_usage("test-client", BOB) == 0
    assert emu.http_round_trips() == 1
