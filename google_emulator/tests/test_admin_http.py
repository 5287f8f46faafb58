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
