"""Calendar sharing (acl.insert/list/get/patch/delete): the grantee sees the shared
calendar in his calendarList with his role, and the role is enforced."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import json

import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import make_service
from google_emulator.tests.helpers import ALICE, BOB, error_of, timed

CAROL = "carol@example.com"
EVENT = timed("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z")


@pytest.fixture
def shared(emu, service):
    """Alice's "Interventions — Bob" calendar, and Bob's service."""
    calendar = (
        service.calendars()
        .insert(body={"summary": "Interventions — Bob", "timeZone": "Europe/Paris"})
        .execute()
    )
    emu.add_account(CAROL)
    return calendar["id"], make_service(emu, BOB)


def _share(service, calendar_id, role, email=BOB):
    return (
        service.acl()
        .insert(
            calendarId=calendar_id, body={"role": role, "scope": {"type": "user", "value": email}}
        )
        .execute()
    )


def test_reader_sees_the_calendar_and_cannot_write(emu, service, shared):
    calendar_id, bob = shared
    rule = _share(service, calendar_id, "reader")
    assert rule == {
        "kind": "calendar#aclRule",
        "etag": rule["etag"],
        "id": "user:" + BOB,
        "scope": {"type": "user", "value": BOB},
        "role": "reader",
    }
    entries = {c["id"]: c for c in bob.calendarList().list().execute()["items"]}
    assert list(entries) == [BOB, calendar_id]
    assert entries[calendar_id]["accessRole"] == "reader"
    assert "primary" not in entries[calendar_id]
    assert entries[calendar_id]["summary"] == "Interventions — Bob"
    assert bob.calendarList().get(calendarId=calendar_id).execute()["accessRole"] == "reader"
    event = service.events().insert(calendarId=calendar_id, body=EVENT).execute()
    listed = bob.events().list(calendarId=calendar_id).execute()
    assert [e["id"] for e in listed["items"]] == [event["id"]]
    assert listed["accessRole"] == "reader"
    refusals = [
        bob.events().insert(calendarId=calendar_id, body=EVENT),
        bob.events().patch(calendarId=calendar_id, eventId=event["id"], body={"summary": "mine"}),
        bob.events().delete(calendarId=calendar_id, eventId=event["id"]),
    ]
    for request in refusals:
        with pytest.raises(HttpError) as info:
            request.execute()
        assert json.loads(info.value.content) == {
            "error": {
                "code": 403,
                "message": "You need to have writer access to this calendar.",
                "errors": [
                    {
                        "domain": "calendar",
                        "reason": "requiredAccessLevel",
                        "message": "You need to have writer access to this calendar.",
                    }
                ],
            }
        }
    assert emu.phone(ALICE).get_event(calendar_id, event["id"])["status"] == "confirmed"
    with pytest.raises(HttpError) as info:  # nor share it further
        _share(bob, calendar_id, "reader", CAROL)
    assert error_of(info.value) == (403, "requiredAccessLevel", "calendar")


def test_writer_edits_come_back_to_the_owner(emu, service, shared):
    calendar_id, bob = shared
    _share(service, calendar_id, "writer")
    event = service.events().insert(calendarId=calendar_id, body=EVENT).execute()
    _, token = _full_sync(service, calendar_id)
    bob.events().patch(
        calendarId=calendar_id, eventId=event["id"], body={"summary": "Client absent"}
    ).execute()
    made = bob.events().insert(calendarId=calendar_id, body=EVENT).execute()
    assert made["creator"]["email"] == BOB
    assert made["organizer"]["email"] == calendar_id
    changed = service.events().list(calendarId=calendar_id, syncToken=token).execute()
    assert {e["id"] for e in changed["items"]} == {event["id"], made["id"]}
    assert emu.phone(BOB).get_event(calendar_id, event["id"])["summary"] == "Client absent"


def _full_sync(service, calendar_id):
    page = service.events().list(calendarId=calendar_id).execute()
    return page["items"], page["nextSyncToken"]


def test_not_shared_is_not_found(emu, service, shared):
    calendar_id, bob = shared
    with pytest.raises(HttpError) as info:
        bob.events().list(calendarId=calendar_id).execute()
    assert error_of(info.value) == (404, "notFound", "global")
    assert [c["id"] for c in bob.calendarList().list().execute()["items"]] == [BOB]


def test_acl_list_get_patch_delete(emu, service, shared):
    calendar_id, bob = shared
    _share(service, calendar_id, "reader")
    rules = service.acl().list(calendarId=calendar_id).execute()
    assert rules["kind"] == "calendar#acl"
    assert [(r["id"], r["role"]) for r in rules["items"]] == [
        ("user:" + ALICE, "owner"),
        ("user:" + BOB, "reader"),
    ]
    assert (
        service.acl().get(calendarId=calendar_id, ruleId="user:" + BOB).execute()["role"]
        == "reader"
    )
    service.acl().patch(
        calendarId=calendar_id, ruleId="user:" + BOB, body={"role": "writer"}
    ).execute()
    bob.events().insert(calendarId=calendar_id, body=EVENT).execute()  # now allowed
    service.acl().delete(calendarId=calendar_id, ruleId="user:" + BOB).execute()
    assert [c["id"] for c in bob.calendarList().list().execute()["items"]] == [BOB]
    with pytest.raises(HttpError) as info:
        bob.events().list(calendarId=calendar_id).execute()
    assert error_of(info.value)[0] == 404
    with pytest.raises(HttpError) as info:
        service.acl().get(calendarId=calendar_id, ruleId="user:" + BOB).execute()
    assert error_of(info.value)[0] == 404
    with pytest.raises(HttpError) as info:
        service.acl().delete(calendarId=calendar_id, ruleId="user:" + ALICE).execute()
    assert error_of(info.value)[:2] == (400, "cannotChangeOwnAcl")


def test_inserting_again_changes_the_role(emu, service, shared):
    calendar_id, bob = shared
    _share(service, calendar_id, "writer")
    _share(service, calendar_id, "reader")
    assert [r["role"] for r in service.acl().list(calendarId=calendar_id).execute()["items"]] == [
        "owner",
        "reader",
    ]
    with pytest.raises(HttpError):
        bob.events().insert(calendarId=calendar_id, body=EVENT).execute()


def test_domain_rule_gives_access_but_no_calendar_list_entry(emu, service, shared):
    calendar_id, _ = shared
    service.acl().insert(
        calendarId=calendar_id,
        body={"role": "reader", "scope": {"type": "domain", "value": "example.com"}},
    ).execute()
    carol = make_service(emu, CAROL)
    assert carol.events().list(calendarId=calendar_id).execute()["items"] == []
    assert [c["id"] for c in carol.calendarList().list().execute()["items"]] == [CAROL]


@pytest.mark.parametrize(
    "body,reason",
    [
        ({"scope": {"type": "user", "value": BOB}}, "required"),
        ({"role": "boss", "scope": {"type": "user", "value": BOB}}, "invalid"),
        ({"role": "reader", "scope": {"type": "planet", "value": "x"}}, "invalid"),
        ({"role": "reader", "scope": {"type": "user"}}, "required"),
        ({"role": "reader"}, "required"),
    ],
)
def test_bad_rules_are_refused(service, shared, body, reason):
    calendar_id, _ = shared
    with pytest.raises(HttpError) as info:
        service.acl().insert(calendarId=calendar_id, body=body).execute()
    assert error_of(info.value)[:2] == (400, reason)


def test_the_grantee_can_watch_the_shared_calendar(emu, service, shared):
    from google_emulator.tests.test_push import Receiver  # pylint: disable=import-outside-toplevel

    calendar_id, bob = shared
    _share(service, calendar_id, "reader")
    receiver = Receiver()
    try:
        bob.events().watch(
            calendarId=calendar_id,
            body={"id": "bob-chan", "type": "web_hook", "address": receiver.url},
        ).execute()
        service.events().insert(calendarId=calendar_id, body=EVENT).execute()
        assert emu.wait_for_push()
        assert [h["X-Goog-Resource-State"] for h, _ in receiver.received] == ["sync", "exists"]
    finally:
        receiver.close()
