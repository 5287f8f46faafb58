"""The /_emulator admin API and the demo web page, over HTTP."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import re

import pytest
import requests
from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError

from google_emulator.tests.helpers import ALICE, check_error_shape, timed


def admin(emu, method, path, json=None, **kwargs):
    """Call the admin API and return the response."""
    return requests.request(
        method, emu.base_url + "/_emulator" + path, json=json, timeout=10, **kwargs
    )


def service_from_admin_token(emu, token, client_id="odoo", secret="s3cret"):
    creds = Credentials(
        token=token["access_token"],
        refresh_token=token["refresh_token"],
        token_uri=emu.token_uri,
        client_id=client_id,
        client_secret=secret,
    )
    return build(
        "calendar",
        "v3",
        credentials=creds,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": emu.api_endpoint},
    )


def test_admin_seed_mint_phone_and_log(emu):
    assert admin(emu, "GET", "").json()["api_endpoint"] == emu.api_endpoint
    assert admin(
        emu,
        "POST",
        "/clients",
        {"client_id": "odoo", "client_secret": "s3cret", "redirect_uris": ["http://127.0.0.1/cb"]},
    ).ok
    account = admin(emu, "POST", "/accounts", {"email": ALICE, "time_zone": "Europe/Paris"})
    assert account.json() == {"email": ALICE, "primary_calendar_id": ALICE}
    work = admin(emu, "POST", "/calendars", {"email": ALICE, "summary": "Travaux"}).json()["id"]
    accounts = admin(emu, "GET", "/accounts").json()["accounts"]
    assert [c["id"] for c in accounts[0]["calendars"]] == [ALICE, work]
    token = admin(emu, "POST", "/tokens", {"email": ALICE, "client_id": "odoo"}).json()
    service = service_from_admin_token(emu, token)
    sync = service.events().list(calendarId=work).execute()["nextSyncToken"]

    created = admin(
        emu,
        "POST",
        "/phone/%s/calendars/%s/events" % (ALICE, work),
        dict(
            timed("2024-05-01T09:00:00", "2024-05-01T10:00:00", "Europe/Paris"),
            summary="Depuis le téléphone",
        ),
    ).json()
    assert created["summary"] == "Depuis le téléphone"
    path = "/phone/%s/events/%s" % (ALICE, created["id"])
    assert admin(emu, "GET", path, params={"calendar_id": work}).json()["id"] == created["id"]
    patched = admin(emu, "PATCH", path, {"summary": "Changé"}, params={"calendar_id": work})
    assert patched.json()["summary"] == "Changé"
    changes = service.events().list(calendarId=work, syncToken=sync).execute()
    assert [c["summary"] for c in changes["items"]] == ["Changé"]
    assert admin(emu, "DELETE", path, params={"calendar_id": work}).status_code == 204
    listing = admin(
        emu, "GET", "/phone/%s/calendars/%s/events" % (ALICE, work), params={"show_deleted": "1"}
    ).json()["items"]
    assert [e["status"] for e in listing] == ["cancelled"]
    bad = admin(emu, "POST", "/phone/%s/events" % ALICE, {"summary": "no times"})
    assert bad.status_code == 400
    check_error_shape(bad.json(), 400)

    log = admin(emu, "GET", "/log").json()
    assert log["http_round_trips"] == 2
    assert {"method", "path", "status", "batch_size", "fault", "email", "in_batch"} <= set(
        log["entries"][0]
    )
    assert admin(emu, "DELETE", "/log").ok and admin(emu, "GET", "/log").json()["entries"] == []


def test_admin_faults_quota_tokens_and_reset(emu):
    admin(emu, "POST", "/accounts", {"email": ALICE})
    admin(emu, "POST", "/clients", {"client_id": "odoo", "client_secret": "s3cret"})
    token = admin(emu, "POST", "/tokens", {"email": ALICE}).json()
    service = service_from_admin_token(emu, token)
    settings = admin(emu, "POST", "/faults", {"rate": 1.0, "kinds": ["500"]}).json()
    assert settings["rate"] == 1.0 and settings["kinds"] == ["500"]
    with pytest.raises(HttpError) as info:
        service.calendarList().list().execute()
    assert info.value.resp.status == 500
    admin(emu, "POST", "/faults", {"rate": 0})
    admin(emu, "POST", "/quota", {"email": ALICE, "max_requests": 0})
    with pytest.raises(HttpError) as info:
        service.calendarList().list().execute()
    assert info.value.resp.status == 403
    admin(emu, "POST", "/quota", {"email": ALICE, "max_requests": None})
    sync = service.events().list(calendarId="primary").execute()["nextSyncToken"]
    admin(emu, "POST", "/sync-tokens/expire")
    with pytest.raises(HttpError) as info:
        service.events().list(calendarId="primary", syncToken=sync).execute()
    assert info.value.resp.status == 410
    admin(emu, "POST", "/tokens/expire", {"email": ALICE})
    assert service.calendarList().list().execute()["items"]
    admin(emu, "POST", "/tokens/revoke", {"email": ALICE})
    admin(emu, "POST", "/tokens/expire", {})
    with pytest.raises(Exception) as info:
        service.calendarList().list().execute()
    assert "invalid_grant" in str(info.value)
    assert admin(emu, "POST", "/reset").ok
    assert admin(emu, "GET", "/accounts").json()["accounts"] == []


def test_admin_errors(emu):
    assert admin(emu, "GET", "/nothing").status_code == 404
    assert admin(emu, "POST", "/accounts", {}).status_code == 400
    assert admin(emu, "POST", "/faults", {"rate": 5}).status_code == 400
    assert admin(emu, "GET", "/phone/nobody@example.com/events").status_code == 404
    answer = requests.post(emu.base_url + "/_emulator/accounts", data=b"{oops", timeout=10)
    assert answer.status_code == 400


def test_web_page_lists_and_edits_events(emu, service):
    emu.add_account(ALICE, "Europe/Paris")
    event = emu.phone(ALICE).insert_event(
        "primary",
        dict(
            timed("2024-05-01T09:00:00", "2024-05-01T10:00:00", "Europe/Paris"),
            summary="Fuite <cuisine>",
        ),
    )
    sync = service.events().list(calendarId="primary").execute()["nextSyncToken"]
    home = requests.get(emu.base_url + "/", timeout=10).text
    assert "/ui/%s" % ALICE in home and emu.api_endpoint in home
    page = requests.get(emu.base_url + "/ui/" + ALICE, timeout=10).text
    assert "Fuite &lt;cuisine&gt;" in page and 'value="2024-05-01T09:00"' in page
    action = re.search(r'action="([^"]+/edit)"', page).group(1)
    answer = requests.post(
        emu.base_url + action,
        timeout=10,
        allow_redirects=False,
        data={"summary": "Fuite réparée", "start": "2024-05-01T14:00", "end": "2024-05-01T15:30"},
    )
    assert answer.status_code == 303
    changed = service.events().list(calendarId="primary", syncToken=sync).execute()["items"]
    assert changed[0]["summary"] == "Fuite réparée"
    assert changed[0]["start"] == {
        "dateTime": "2024-05-01T14:00:00+02:00",
        "timeZone": "Europe/Paris",
    }
    bad = requests.post(
        emu.base_url + action,
        timeout=10,
        data={"summary": "x", "start": "2024-05-01T16:00", "end": "2024-05-01T15:00"},
    )
    assert "timeRangeEmpty" in bad.text
    delete = re.search(r'action="([^"]+/delete)"', page).group(1)
    requests.post(emu.base_url + delete, timeout=10)
    assert emu.phone(ALICE).get_event("primary", event["id"])["status"] == "cancelled"
    new = re.search(r'action="([^"]+/new)"', page).group(1)
    requests.post(
        emu.base_url + new,
        timeout=10,
        data={"summary": "Nouveau", "start": "2024-06-01T08:00", "end": "2024-06-01T09:00"},
    )
    assert [e["summary"] for e in emu.phone(ALICE).list_events("primary")] == ["Nouveau"]
    link = requests.get(event["htmlLink"], timeout=10, allow_redirects=False)
    assert link.headers["Location"].endswith("/ui/%s#%s" % (ALICE, event["id"]))
    assert requests.get(emu.base_url + "/ui/nobody@x.org", timeout=10).status_code == 404


def test_account_items_counts_every_calendar_copies_included(emu):
    """``GET /_emulator/accounts/<email>/items``: what each calendar of the account
    (owned or in his list) holds, one row per stored event, copies flagged."""
    admin(emu, "POST", "/accounts", {"email": ALICE, "time_zone": "Europe/Paris"})
    admin(emu, "POST", "/accounts", {"email": "bob@example.com"})
    team = admin(emu, "POST", "/calendars", {"email": ALICE, "summary": "Interventions"})
    team = team.json()["id"]
    body = dict(
        timed("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
        summary="RDV",
        attendees=[{"email": ALICE}, {"email": "Bob@example.com"}],
    )
    event = admin(emu, "POST", "/phone/%s/calendars/%s/events" % (ALICE, team), body).json()
    series = admin(
        emu,
        "POST",
        "/phone/%s/events" % ALICE,
        {
            "summary": "Tournée",
            "start": {"dateTime": "2026-03-02T10:00:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": "2026-03-02T11:00:00", "timeZone": "Europe/Paris"},
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
        },
    ).json()
    instance = "%s_20260303T090000Z" % series["id"]
    assert admin(emu, "DELETE", "/phone/%s/events/%s" % (ALICE, instance)).status_code == 204
    answer = admin(emu, "GET", "/accounts/%s/items" % ALICE)
    assert answer.status_code == 200
    data = answer.json()
    assert data["email"] == ALICE
    assert [(c["id"], c["primary"], c["owned"], c["accessRole"]) for c in data["calendars"]] == [
        (ALICE, True, True, "owner"),
        (team, False, True, "owner"),
    ]
    rows = {(r["calendar_id"], r["id"]): r for r in data["items"]}
    assert set(rows) == {(ALICE, event["id"]), (ALICE, series["id"]), (team, event["id"])}
    copy = rows[(ALICE, event["id"])]
    assert copy["copy"] is True and copy["organizer"] == team
    assert copy["iCalUID"] == event["iCalUID"] and copy["status"] == "confirmed"
    assert copy["responseStatus"] == "needsAction" and copy["summary"] == "RDV"
    assert rows[(team, event["id"])]["copy"] is False
    assert rows[(ALICE, series["id"])]["recurring"] is True
    every = admin(emu, "GET", "/accounts/%s/items?include_cancelled=1" % ALICE).json()["items"]
    (cancelled,) = [r for r in every if r["status"] == "cancelled"]
    assert cancelled["recurringEventId"] == series["id"]
    assert cancelled["originalStartTime"]["dateTime"].startswith("2026-03-03T10:00:00")
    bobs = admin(emu, "GET", "/accounts/BOB@example.com/items").json()
    assert [(r["calendar_id"], r["id"], r["copy"]) for r in bobs["items"]] == [
        ("bob@example.com", event["id"], True)
    ]
    assert admin(emu, "GET", "/accounts/nobody@example.com/items").status_code == 404
    # The phone lists any calendar of the account, the primary one with its copies.
    listed = admin(emu, "GET", "/phone/bob@example.com/calendars/primary/events").json()
    assert [e["id"] for e in listed["items"]] == [event["id"]]


def test_phone_routes_for_calendars_calendar_list_move_and_answers(emu):
    admin(emu, "POST", "/accounts", {"email": ALICE})
    admin(emu, "POST", "/accounts", {"email": "bob@example.com"})
    team = admin(emu, "POST", "/calendars", {"email": ALICE, "summary": "Interventions"})
    team = team.json()["id"]
    phone = "/phone/%s" % ALICE
    renamed = admin(emu, "PATCH", "%s/calendars/%s" % (phone, team), {"summary": "Chantiers"})
    assert renamed.json()["summary"] == "Chantiers"
    assert admin(emu, "GET", "%s/calendars/%s" % (phone, team)).json()["summary"] == "Chantiers"
    replaced = admin(emu, "PUT", "%s/calendars/%s" % (phone, team), {"summary": "C2"}).json()
    assert replaced["summary"] == "C2"
    hidden = admin(emu, "PATCH", "%s/calendarList/%s" % (phone, team), {"hidden": True}).json()
    assert hidden["hidden"] is True
    assert [c["id"] for c in admin(emu, "GET", "%s/calendarList" % phone).json()["items"]] == [
        ALICE
    ]
    shown = admin(emu, "GET", "%s/calendarList?show_hidden=1" % phone).json()["items"]
    assert [c["id"] for c in shown] == [ALICE, team]
    refused = admin(emu, "DELETE", "%s/calendarList/%s" % (phone, team))
    assert refused.status_code == 403
    assert refused.json()["error"]["errors"][0]["reason"] == "cannotUnsubscribeFromOwnedCalendar"
    body = dict(
        timed("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"),
        attendees=[{"email": "bob@example.com"}],
    )
    event = admin(emu, "POST", "%s/events" % phone, body).json()
    moved = admin(
        emu,
        "POST",
        "%s/calendars/primary/events/%s/move" % (phone, event["id"]),
        {"destination": team},
    )
    assert moved.json()["organizer"]["email"] == team
    answered = admin(
        emu,
        "POST",
        "/phone/bob@example.com/calendars/primary/events/%s/respond" % event["id"],
        {"responseStatus": "accepted"},
    ).json()
    assert answered["attendees"][0]["responseStatus"] == "accepted"
    organizers = admin(emu, "GET", "%s/calendars/%s/events/%s" % (phone, team, event["id"]))
    assert organizers.json()["attendees"][0]["responseStatus"] == "accepted"
    # Bob unsubscribes from a calendar Alice shared, and adds it back.
    admin(emu, "POST", "%s/calendars/%s/events" % (phone, team), body)
    emu.service.insert_acl(
        ALICE, team, {"role": "reader", "scope": {"type": "user", "value": "bob@example.com"}}
    )
    bob_list = "/phone/bob@example.com/calendarList"
    assert admin(emu, "DELETE", "%s/%s" % (bob_list, team)).status_code == 204
    assert admin(emu, "GET", "%s/%s" % (bob_list, team)).status_code == 404
    assert admin(emu, "POST", bob_list, {"id": team}).json()["accessRole"] == "reader"


def test_phone_routes_honour_if_match_like_the_api(emu, service):
    """The phone's PATCH, PUT and DELETE honour ``If-Match`` as the API does: "If
    the entry (and its etag) has not changed since the last retrieval, the
    modification succeeds [...]. Otherwise, you will get a 412 (Precondition
    failed) response code."
    (https://developers.google.com/calendar/api/guides/version-resources)"""
    event = (
        service.events()
        .insert(calendarId="primary", body=timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"))
        .execute()
    )
    path = "/phone/%s/calendars/primary/events/%s" % (ALICE, event["id"])
    stale = {"If-Match": event["etag"]}
    service.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "from the API"}
    ).execute()
    for method, body in (("PATCH", {"summary": "phone"}), ("PUT", dict(event, summary="p"))):
        refused = admin(emu, method, path, body, headers=stale)
        assert refused.status_code == 412
        check_error_shape(refused.json(), 412)
        assert refused.json()["error"]["errors"][0]["reason"] == "conditionNotMet"
    refused = admin(emu, "DELETE", path, headers=stale)
    assert refused.status_code == 412
    current = admin(emu, "GET", path).json()
    assert current["summary"] == "from the API" and current["status"] == "confirmed"
    fresh = {"If-Match": current["etag"]}
    changed = admin(emu, "PATCH", path, {"summary": "phone"}, headers=fresh)
    assert changed.status_code == 200 and changed.json()["summary"] == "phone"
    # without If-Match the phone writes whatever the version (the user's own edit)
    again = admin(emu, "PATCH", path, {"summary": "again"}, headers={})
    assert again.status_code == 200
    gone = admin(emu, "DELETE", path, headers={"If-Match": again.json()["etag"]})
    assert gone.status_code == 204
