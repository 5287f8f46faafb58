"""Recurring events: expansion, instance ids, exceptions, through googleapiclient."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import pytest
from googleapiclient.errors import HttpError

from google_emulator.tests.helpers import ALICE, error_of

WEEKLY = {
    "summary": "Entretien chaudière",
    "start": {"dateTime": "2024-03-04T10:00:00", "timeZone": "Europe/Paris"},
    "end": {"dateTime": "2024-03-04T11:00:00", "timeZone": "Europe/Paris"},
    "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=6"],
}


def instances(service, event_id, **params):
    items, token = [], None
    while True:
        page = (
            service.events()
            .instances(calendarId="primary", eventId=event_id, pageToken=token, **params)
            .execute()
        )
        items.extend(page["items"])
        token = page.get("nextPageToken")
        if not token:
            return items


def test_instances_with_one_moved_and_one_cancelled_occurrence(service):
    master = service.events().insert(calendarId="primary", body=WEEKLY).execute()
    found = instances(service, master["id"])
    assert [i["id"] for i in found] == [
        "%s_202403%02dT090000Z" % (master["id"], day) for day in (4, 11, 18, 25)
    ] + ["%s_20240401T080000Z" % master["id"], "%s_20240408T080000Z" % master["id"]]
    # Across the DST change the local time stays 10:00.
    assert found[4]["start"] == {
        "dateTime": "2024-04-01T10:00:00+02:00",
        "timeZone": "Europe/Paris",
    }
    assert found[0]["recurringEventId"] == master["id"]
    assert found[0]["originalStartTime"]["dateTime"] == "2024-03-04T10:00:00+01:00"
    assert "recurrence" not in found[0]

    moved = (
        service.events()
        .patch(
            calendarId="primary",
            eventId=found[1]["id"],
            body={
                "start": {"dateTime": "2024-03-12T14:00:00+01:00"},
                "end": {"dateTime": "2024-03-12T15:00:00+01:00"},
            },
        )
        .execute()
    )
    assert moved["id"] == found[1]["id"] and moved["recurringEventId"] == master["id"]
    assert moved["originalStartTime"] == found[1]["originalStartTime"]
    service.events().delete(calendarId="primary", eventId=found[2]["id"]).execute()

    after = instances(service, master["id"])
    assert len(after) == 5
    by_id = {i["id"]: i for i in after}
    assert found[2]["id"] not in by_id
    assert by_id[found[1]["id"]]["start"]["dateTime"] == "2024-03-12T14:00:00+01:00"
    with_deleted = instances(service, master["id"], showDeleted=True)
    cancelled = [i for i in with_deleted if i["status"] == "cancelled"]
    assert [i["id"] for i in cancelled] == [found[2]["id"]]
    assert cancelled[0]["recurringEventId"] == master["id"]

    single = (
        service.events()
        .list(calendarId="primary", singleEvents=True, orderBy="startTime")
        .execute()["items"]
    )
    assert [i["id"] for i in single] == [i["id"] for i in after]
    grouped = service.events().list(calendarId="primary").execute()["items"]
    assert {i["id"]: i["status"] for i in grouped} == {
        master["id"]: "confirmed",
        found[1]["id"]: "confirmed",
        found[2]["id"]: "cancelled",
    }


def test_moving_the_series_keeps_exceptions_at_their_original_start(service):
    """A master's start moved (here by one hour): Google keeps each exception
    under its id and originalStartTime. A changed one still shows, where it
    was put; a cancelled one hides nothing of the moved series any more."""
    master = service.events().insert(calendarId="primary", body=WEEKLY).execute()
    changed_id = "%s_20240311T090000Z" % master["id"]
    cancelled_id = "%s_20240318T090000Z" % master["id"]
    service.events().patch(
        calendarId="primary", eventId=changed_id, body={"summary": "Changé"}
    ).execute()
    service.events().delete(calendarId="primary", eventId=cancelled_id).execute()
    service.events().patch(
        calendarId="primary",
        eventId=master["id"],
        body={
            "start": {"dateTime": "2024-03-04T11:00:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": "2024-03-04T12:00:00", "timeZone": "Europe/Paris"},
        },
    ).execute()
    found = {i["id"]: i for i in instances(service, master["id"], showDeleted=True)}
    moved_ids = ["%s_202403%02dT100000Z" % (master["id"], day) for day in (4, 11, 18, 25)]
    moved_ids += ["%s_202404%02dT090000Z" % (master["id"], day) for day in (1, 8)]
    assert sorted(found) == sorted(moved_ids + [changed_id, cancelled_id])
    assert all(found[i]["summary"] == WEEKLY["summary"] for i in moved_ids)
    assert found[changed_id]["summary"] == "Changé"
    assert found[changed_id]["originalStartTime"]["dateTime"] == "2024-03-11T10:00:00+01:00"
    assert found[changed_id]["start"]["dateTime"] == "2024-03-11T10:00:00+01:00"
    assert found[cancelled_id]["status"] == "cancelled"
    got = service.events().get(calendarId="primary", eventId=changed_id).execute()
    assert got["originalStartTime"] == found[changed_id]["originalStartTime"]


def test_instance_changes_show_up_in_incremental_sync(emu, service):
    master = service.events().insert(calendarId="primary", body=WEEKLY).execute()
    token = service.events().list(calendarId="primary").execute()["nextSyncToken"]
    phone = emu.phone(ALICE)
    occurrence = "%s_20240311T090000Z" % master["id"]
    phone.patch_event("primary", occurrence, {"summary": "Déplacé"})
    phone.delete_event("primary", "%s_20240318T090000Z" % master["id"])
    changes = service.events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert {c["id"]: c["status"] for c in changes} == {
        occurrence: "confirmed",
        "%s_20240318T090000Z" % master["id"]: "cancelled",
    }
    cancelled = [c for c in changes if c["status"] == "cancelled"][0]
    assert cancelled["recurringEventId"] == master["id"]
    assert cancelled["originalStartTime"]["dateTime"] == "2024-03-18T10:00:00+01:00"


def test_get_and_unknown_instance_ids(service):
    master = service.events().insert(calendarId="primary", body=WEEKLY).execute()
    got = (
        service.events()
        .get(calendarId="primary", eventId="%s_20240311T090000Z" % master["id"])
        .execute()
    )
    assert got["start"]["dateTime"] == "2024-03-11T10:00:00+01:00"
    assert got["etag"] == master["etag"]
    for bad in (
        "%s_20240312T090000Z" % master["id"],
        "%s_20240311" % master["id"],
        "%s_20250101T090000Z" % master["id"],
        "nomaster1_20240311T090000Z",
    ):
        with pytest.raises(HttpError) as info:
            service.events().get(calendarId="primary", eventId=bad).execute()
        assert error_of(info.value)[:2] == (404, "notFound")


def test_all_day_series_with_exdate_and_rdate(service):
    master = (
        service.events()
        .insert(
            calendarId="primary",
            body={
                "summary": "Astreinte",
                "start": {"date": "2024-01-01"},
                "end": {"date": "2024-01-02"},
                "recurrence": [
                    "RRULE:FREQ=DAILY;UNTIL=20240105",
                    "EXDATE;VALUE=DATE:20240103",
                    "RDATE;VALUE=DATE:20240110",
                ],
            },
        )
        .execute()
    )
    ids = [i["id"] for i in instances(service, master["id"])]
    assert ids == ["%s_202401%02d" % (master["id"], d) for d in (1, 2, 4, 5, 10)]
    found = instances(service, master["id"])
    assert found[0]["start"] == {"date": "2024-01-01"} and found[0]["end"] == {"date": "2024-01-02"}
    assert found[0]["originalStartTime"] == {"date": "2024-01-01"}


def test_exdate_with_tzid_and_utc(service):
    master = (
        service.events()
        .insert(
            calendarId="primary",
            body=dict(
                WEEKLY,
                recurrence=[
                    "RRULE:FREQ=WEEKLY;COUNT=4",
                    "EXDATE;TZID=Europe/Paris:20240311T100000",
                    "EXDATE:20240318T090000Z",
                ],
            ),
        )
        .execute()
    )
    assert len(instances(service, master["id"])) == 2


def test_infinite_series_is_bounded(service):
    master = (
        service.events()
        .insert(calendarId="primary", body=dict(WEEKLY, recurrence=["RRULE:FREQ=DAILY"]))
        .execute()
    )
    everything = instances(service, master["id"], maxResults=2500)
    assert 700 <= len(everything) <= 731
    window = instances(
        service, master["id"], timeMin="2030-01-01T00:00:00Z", timeMax="2030-01-08T00:00:00Z"
    )
    assert len(window) == 7
    listed = (
        service.events()
        .list(
            calendarId="primary",
            singleEvents=True,
            timeMin="2030-01-01T00:00:00Z",
            timeMax="2030-01-03T00:00:00Z",
        )
        .execute()["items"]
    )
    assert [i["id"][-16:] for i in listed] == ["20300101T090000Z", "20300102T090000Z"]
    one = instances(
        service,
        master["id"],
        originalStart="2030-01-02T10:00:00+01:00",
        timeMin="2030-01-01T00:00:00Z",
        timeMax="2030-01-08T00:00:00Z",
    )
    assert [i["id"][-16:] for i in one] == ["20300102T090000Z"]


def test_deleting_the_series_cancels_everything(emu, service):
    master = service.events().insert(calendarId="primary", body=WEEKLY).execute()
    phone = emu.phone(ALICE)
    phone.patch_event("primary", "%s_20240311T090000Z" % master["id"], {"summary": "x"})
    token = service.events().list(calendarId="primary").execute()["nextSyncToken"]
    service.events().delete(calendarId="primary", eventId=master["id"]).execute()
    changes = service.events().list(calendarId="primary", syncToken=token).execute()["items"]
    assert {c["id"] for c in changes} == {master["id"], "%s_20240311T090000Z" % master["id"]}
    assert all(c["status"] == "cancelled" for c in changes)
    assert service.events().list(calendarId="primary", singleEvents=True).execute()["items"] == []


@pytest.mark.parametrize(
    "body",
    [
        dict(WEEKLY, recurrence=["RRULE:FREQ=SOMETIMES"]),
        dict(WEEKLY, recurrence=["NOT A RULE"]),
        dict(
            WEEKLY,
            start={"dateTime": "2024-03-04T10:00:00+01:00"},
            end={"dateTime": "2024-03-04T11:00:00+01:00"},
        ),
    ],
)
def test_invalid_recurrences_are_400(emu, service, body):
    with pytest.raises(HttpError) as info:
        service.events().insert(calendarId="primary", body=body).execute()
    assert error_of(info.value)[0] == 400
    assert emu.phone(ALICE).list_events("primary", show_deleted=True) == []


def test_single_events_incremental_sync(emu, service):
    master = service.events().insert(calendarId="primary", body=WEEKLY).execute()
    first = service.events().list(calendarId="primary", singleEvents=True).execute()
    assert len(first["items"]) == 6
    phone = emu.phone(ALICE)
    phone.patch_event("primary", first["items"][0]["id"], {"summary": "Exception"})
    changes = (
        service.events()
        .list(calendarId="primary", singleEvents=True, syncToken=first["nextSyncToken"])
        .execute()
    )
    assert [(c["id"], c["summary"]) for c in changes["items"]] == [
        (first["items"][0]["id"], "Exception")
    ]
    phone.patch_event("primary", master["id"], {"summary": "Renamed series"})
    changes = (
        service.events()
        .list(calendarId="primary", singleEvents=True, syncToken=changes["nextSyncToken"])
        .execute()
    )
    assert len(changes["items"]) == 5
    assert {c["summary"] for c in changes["items"]} == {"Renamed series"}
    assert all(c["recurringEventId"] == master["id"] for c in changes["items"])
