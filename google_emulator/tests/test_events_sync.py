"""Full and incremental sync, concurrency control and event validation,
driven through the real googleapiclient."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import pytest
from googleapiclient.errors import HttpError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from google_emulator.testing import make_service
from google_emulator.tests.helpers import ALICE, error_of, timed


def full_sync(service, calendar_id="primary", **params):
    """All pages of events.list; returns (items, nextSyncToken, number of pages)."""
    items, token, pages = [], None, 0
    while True:
        page = service.events().list(calendarId=calendar_id, pageToken=token, **params).execute()
        pages += 1
        items.extend(page["items"])
        token = page.get("nextPageToken")
        if token:
            assert "nextSyncToken" not in page
        else:
            return items, page["nextSyncToken"], pages


def incremental(service, sync_token, calendar_id="primary", **params):
    """All pages of an incremental sync."""
    return full_sync(service, calendar_id, syncToken=sync_token, **params)


def test_full_then_incremental_sync_sees_create_update_delete(emu, service):
    phone = emu.phone(ALICE)
    kept = (
        service.events()
        .insert(
            calendarId="primary",
            body=dict(timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"), summary="Kept"),
        )
        .execute()
    )
    changed = phone.insert_event(
        "primary", dict(timed("2024-05-02T09:00:00Z", "2024-05-02T10:00:00Z"), summary="To change")
    )
    doomed = (
        service.events()
        .insert(
            calendarId="primary",
            body=dict(timed("2024-05-03T09:00:00Z", "2024-05-03T10:00:00Z"), summary="To delete"),
        )
        .execute()
    )

    items, token, _ = full_sync(service)
    assert {e["id"] for e in items} == {kept["id"], changed["id"], doomed["id"]}

    incremental_items, token2, _ = incremental(service, token)
    assert not incremental_items
    assert token2

    created = phone.insert_event(
        "primary",
        dict(timed("2024-05-04T09:00:00Z", "2024-05-04T10:00:00Z"), summary="New on phone"),
    )
    updated = phone.patch_event("primary", changed["id"], {"summary": "Changed on phone"})
    phone.delete_event("primary", doomed["id"])

    items, token3, _ = incremental(service, token2)
    by_id = {e["id"]: e for e in items}
    assert set(by_id) == {created["id"], changed["id"], doomed["id"]}
    assert by_id[changed["id"]]["summary"] == "Changed on phone"
    assert by_id[changed["id"]]["etag"] == updated["etag"] != changed["etag"]
    assert by_id[doomed["id"]] == {
        "kind": "calendar#event",
        "etag": by_id[doomed["id"]]["etag"],
        "id": doomed["id"],
        "status": "cancelled",
    }
    assert not incremental(service, token3)[0]
    # Without a sync token the deleted event is hidden, unless showDeleted.
    visible = {e["id"] for e in full_sync(service)[0]}
    assert doomed["id"] not in visible and created["id"] in visible
    assert doomed["id"] in {e["id"] for e in full_sync(service, showDeleted=True)[0]}


def test_paging_and_sync_token_only_on_last_page(emu, service):
    phone = emu.phone(ALICE)
    ids = {
        phone.insert_event(
            "primary", dict(timed("2024-06-%02dT09:00:00Z" % day, "2024-06-%02dT10:00:00Z" % day))
        )["id"]
        for day in range(1, 8)
    }
    items, token, pages = full_sync(service, maxResults=3)
    assert pages == 3 and {e["id"] for e in items} == ids and len(items) == 7
    phone.insert_event("primary", timed("2024-06-09T09:00:00Z", "2024-06-09T10:00:00Z"))
    assert len(incremental(service, token, maxResults=3)[0]) == 1


def test_change_during_paging_is_caught_by_next_sync(emu, service):
    phone = emu.phone(ALICE)
    for day in range(1, 5):
        phone.insert_event(
            "primary", timed("2024-06-%02dT09:00:00Z" % day, "2024-06-%02dT10:00:00Z" % day)
        )
    first = service.events().list(calendarId="primary", maxResults=2).execute()
    late = phone.insert_event("primary", timed("2024-07-01T09:00:00Z", "2024-07-01T10:00:00Z"))
    rest = (
        service.events()
        .list(calendarId="primary", maxResults=50, pageToken=first["nextPageToken"])
        .execute()
    )
    items = incremental(service, rest["nextSyncToken"])[0]
    assert late["id"] in {e["id"] for e in items}


def test_bogus_and_expired_sync_tokens_give_410(emu, service):
    with pytest.raises(HttpError) as info:
        service.events().list(calendarId="primary", syncToken="bogus-token").execute()
    assert error_of(info.value) == (410, "fullSyncRequired", "calendar")
    _, token, _ = full_sync(service)
    emu.expire_sync_tokens()
    with pytest.raises(HttpError) as info:
        service.events().list(calendarId="primary", syncToken=token).execute()
    assert error_of(info.value)[:2] == (410, "fullSyncRequired")


def test_sync_token_of_another_calendar_is_rejected(emu, service):
    other = emu.add_calendar(ALICE, "Work")
    _, token, _ = full_sync(service, other)
    with pytest.raises(HttpError) as info:
        service.events().list(calendarId="primary", syncToken=token).execute()
    assert error_of(info.value)[0] == 410


@pytest.mark.parametrize(
    "param",
    [
        {"iCalUID": "x@google.com"},
        {"orderBy": "updated"},
        {"privateExtendedProperty": "a=b"},
        {"q": "text"},
        {"sharedExtendedProperty": "a=b"},
        {"timeMin": "2024-01-01T00:00:00Z"},
        {"timeMax": "2024-01-01T00:00:00Z"},
        {"updatedMin": "2024-01-01T00:00:00Z"},
        {"showDeleted": False},
    ],
)
def test_sync_token_with_forbidden_parameter_is_400(service, param):
    _, token, _ = full_sync(service)
    with pytest.raises(HttpError) as info:
        service.events().list(calendarId="primary", syncToken=token, **param).execute()
    assert error_of(info.value)[0] == 400


def test_stale_if_match_gives_412_and_changes_nothing(emu, service):
    event = (
        service.events()
        .insert(calendarId="primary", body=timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"))
        .execute()
    )
    emu.phone(ALICE).patch_event("primary", event["id"], {"summary": "phone"})
    request = service.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "client"}
    )
    request.headers["If-Match"] = event["etag"]
    with pytest.raises(HttpError) as info:
        request.execute()
    assert error_of(info.value) == (412, "conditionNotMet", "global")
    current = service.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert current["summary"] == "phone"
    request = service.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "client"}
    )
    request.headers["If-Match"] = current["etag"]
    assert request.execute()["summary"] == "client"
    delete = service.events().delete(calendarId="primary", eventId=event["id"])
    delete.headers["If-Match"] = current["etag"]
    with pytest.raises(HttpError) as info:
        delete.execute()
    assert error_of(info.value)[0] == 412


def test_if_none_match_gives_304(service):
    event = (
        service.events()
        .insert(calendarId="primary", body=timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"))
        .execute()
    )
    request = service.events().get(calendarId="primary", eventId=event["id"])
    request.headers["If-None-Match"] = event["etag"]
    with pytest.raises(HttpError) as info:
        request.execute()
    assert info.value.resp.status == 304


def test_client_ids_duplicate_and_invalid(service):
    body = dict(timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"), id="odoo12345abc")
    created = service.events().insert(calendarId="primary", body=body).execute()
    assert created["id"] == "odoo12345abc"
    assert created["iCalUID"] == "odoo12345abc@google.com"
    with pytest.raises(HttpError) as info:
        service.events().insert(calendarId="primary", body=body).execute()
    assert error_of(info.value) == (409, "duplicate", "global")
    service.events().delete(calendarId="primary", eventId="odoo12345abc").execute()
    with pytest.raises(HttpError) as info:
        service.events().insert(calendarId="primary", body=body).execute()
    assert error_of(info.value)[0] == 409
    for bad in ("abc", "UPPERCASE1", "with-dash1", "wxyz12345", "a" * 1025):
        with pytest.raises(HttpError) as info:
            service.events().insert(calendarId="primary", body=dict(body, id=bad)).execute()
        assert error_of(info.value)[:2] == (400, "invalid")


def test_etag_sequence_updated_created_change_as_google_does(service):
    event = (
        service.events()
        .insert(
            calendarId="primary",
            body=dict(timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"), summary="a"),
        )
        .execute()
    )
    assert event["sequence"] == 0 and event["created"] == event["updated"]
    assert event["status"] == "confirmed" and event["htmlLink"]
    renamed = (
        service.events()
        .patch(calendarId="primary", eventId=event["id"], body={"summary": "b"})
        .execute()
    )
    assert renamed["etag"] != event["etag"] and renamed["sequence"] == 0
    assert renamed["updated"] > event["updated"] and renamed["created"] == event["created"]
    moved = (
        service.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={
                "start": {"dateTime": "2024-05-01T11:00:00Z"},
                "end": {"dateTime": "2024-05-01T12:00:00Z"},
            },
        )
        .execute()
    )
    assert moved["sequence"] == 1 and moved["etag"] != renamed["etag"]
    assert moved["summary"] == "b"


def test_update_replaces_and_patch_merges(service):
    event = (
        service.events()
        .insert(
            calendarId="primary",
            body=dict(
                timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"),
                summary="a",
                location="Paris",
                extendedProperties={"private": {"odoo_id": "7", "x": "1"}},
            ),
        )
        .execute()
    )
    patched = (
        service.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={"extendedProperties": {"private": {"x": "2"}}},
        )
        .execute()
    )
    assert patched["extendedProperties"]["private"] == {"odoo_id": "7", "x": "2"}
    assert patched["location"] == "Paris"
    replaced = (
        service.events()
        .update(
            calendarId="primary",
            eventId=event["id"],
            body=timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"),
        )
        .execute()
    )
    assert "location" not in replaced and "extendedProperties" not in replaced
    all_day = (
        service.events()
        .patch(
            calendarId="primary",
            eventId=event["id"],
            body={"start": {"date": "2024-05-01"}, "end": {"date": "2024-05-02"}},
        )
        .execute()
    )
    assert all_day["start"] == {"date": "2024-05-01"}


def test_times_are_rendered_in_the_event_zone(service):
    event = (
        service.events()
        .insert(
            calendarId="primary",
            body=timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z", zone="Europe/Paris"),
        )
        .execute()
    )
    assert event["start"] == {"dateTime": "2024-05-01T11:00:00+02:00", "timeZone": "Europe/Paris"}
    local = (
        service.events()
        .insert(
            calendarId="primary",
            body=timed("2024-12-01T09:00:00", "2024-12-01T10:00:00", zone="Europe/Paris"),
        )
        .execute()
    )
    assert local["start"]["dateTime"] == "2024-12-01T09:00:00+01:00"


def test_deleting_twice_gives_410_deleted(service):
    event = (
        service.events()
        .insert(calendarId="primary", body=timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"))
        .execute()
    )
    service.events().delete(calendarId="primary", eventId=event["id"]).execute()
    with pytest.raises(HttpError) as info:
        service.events().delete(calendarId="primary", eventId=event["id"]).execute()
    assert error_of(info.value) == (410, "deleted", "global")
    fetched = service.events().get(calendarId="primary", eventId=event["id"]).execute()
    assert fetched["status"] == "cancelled"


def test_list_filters(emu, service):
    phone = emu.phone(ALICE)
    first = phone.insert_event(
        "primary",
        dict(
            timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"),
            summary="Plombier",
            extendedProperties={"private": {"odoo_id": "1"}, "shared": {"team": "red"}},
        ),
    )
    second = phone.insert_event(
        "primary",
        dict(
            timed("2024-05-10T09:00:00Z", "2024-05-10T10:00:00Z"),
            summary="Electricien",
            extendedProperties={"private": {"odoo_id": "2"}},
        ),
    )

    def ids(**params):
        return {e["id"] for e in full_sync(service, **params)[0]}

    assert ids(privateExtendedProperty="odoo_id=1") == {first["id"]}
    assert ids(privateExtendedProperty=["odoo_id=1", "odoo_id=2"]) == set()
    assert ids(sharedExtendedProperty="team=red") == {first["id"]}
    assert ids(iCalUID=second["iCalUID"]) == {second["id"]}
    assert ids(q="plomb") == {first["id"]}
    assert ids(timeMin="2024-05-05T00:00:00Z") == {second["id"]}
    assert ids(timeMax="2024-05-01T09:00:00Z") == set()
    assert ids(timeMin="2024-05-01T09:30:00Z", timeMax="2024-05-01T09:45:00Z") == {first["id"]}
    assert ids(updatedMin=second["updated"]) == {second["id"]}
    ordered = full_sync(service, singleEvents=True, orderBy="startTime")[0]
    assert [e["id"] for e in ordered] == [first["id"], second["id"]]
    with pytest.raises(HttpError) as info:
        service.events().list(calendarId="primary", orderBy="startTime").execute()
    assert error_of(info.value)[0] == 400
    phone.delete_event("primary", first["id"])
    assert first["id"] in ids(updatedMin=first["updated"])


def test_max_results_bounds(emu, service):
    phone = emu.phone(ALICE)
    for day in range(1, 4):
        phone.insert_event(
            "primary", timed("2024-06-%02dT09:00:00Z" % day, "2024-06-%02dT10:00:00Z" % day)
        )
    page = service.events().list(calendarId="primary", maxResults=5000).execute()
    assert len(page["items"]) == 3
    with pytest.raises(HttpError) as info:
        service.events().list(calendarId="primary", maxResults=0).execute()
    assert error_of(info.value)[0] == 400


def test_calendars_insert_get_list_delete(service):
    created = (
        service.calendars()
        .insert(body={"summary": "Interventions", "timeZone": "Europe/Paris"})
        .execute()
    )
    assert created["id"].endswith("@group.calendar.google.com")
    assert service.calendars().get(calendarId=created["id"]).execute()["summary"] == "Interventions"
    listed = service.calendarList().list().execute()["items"]
    assert [c["id"] for c in listed] == [ALICE, created["id"]]
    assert listed[0]["primary"] is True and listed[1]["accessRole"] == "owner"
    entry = service.calendarList().get(calendarId="primary").execute()
    assert entry["id"] == ALICE
    service.calendars().delete(calendarId=created["id"]).execute()
    with pytest.raises(HttpError) as info:
        service.calendars().get(calendarId=created["id"]).execute()
    assert error_of(info.value)[0] == 404
    with pytest.raises(HttpError) as info:
        service.calendars().delete(calendarId="primary").execute()
    assert error_of(info.value)[0] == 400
    with pytest.raises(HttpError) as info:
        service.calendars().insert(body={"timeZone": "Europe/Paris"}).execute()
    assert error_of(info.value)[:2] == (400, "required")


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "patch", "delete", "sync"]),
        st.integers(min_value=0, max_value=20),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_incremental_sync_mirror_equals_full_list(emu, operations):
    """Whatever the phone does, a client applying incremental syncs ends up
    with exactly what a fresh full sync returns."""
    emu.reset()
    service = make_service(emu, ALICE)
    phone = emu.phone(ALICE)
    items, token, _ = full_sync(service, maxResults=4)
    mirror = {e["id"]: e for e in items}
    live = []
    for operation, number in operations:
        if operation == "insert" or not live:
            day = 1 + number % 28
            live.append(
                phone.insert_event(
                    "primary", timed("2024-02-%02dT09:00:00Z" % day, "2024-02-%02dT10:00:00Z" % day)
                )["id"]
            )
        elif operation == "patch":
            phone.patch_event("primary", live[number % len(live)], {"summary": str(number)})
        elif operation == "delete":
            phone.delete_event("primary", live.pop(number % len(live)))
        else:
            changes, token, _ = incremental(service, token, maxResults=3)
            for change in changes:
                if change["status"] == "cancelled":
                    mirror.pop(change["id"], None)
                else:
                    mirror[change["id"]] = change
    changes, token, _ = incremental(service, token, maxResults=3)
    for change in changes:
        if change["status"] == "cancelled":
            mirror.pop(change["id"], None)
        else:
            mirror[change["id"]] = change
    expected = {e["id"]: e for e in full_sync(service)[0]}
    assert mirror == expected
