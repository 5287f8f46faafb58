"""Service accounts: the JWT-bearer grant with an RS256 assertion, domain-wide
delegation (``sub`` only within the authorised domain), driven by google-auth's own
``service_account.Credentials`` and googleapiclient, unchanged."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import json
import time

import pytest
import requests
from google.auth import crypt, jwt
from google.auth.exceptions import RefreshError
from google.oauth2 import service_account

from google_emulator.oauth import CALENDAR_SCOPE
from google_emulator.service_accounts import GRANT_TYPE, UNAUTHORIZED
from google_emulator.testing import (
    delegated_credentials,
    make_delegated_service,
    make_service,
    make_service_account,
)
from google_emulator.tests.helpers import timed

JEAN = "jean.dupont@acme.fr"
MARIE = "marie@acme.fr"
OUTSIDER = "paul@elsewhere.org"
READONLY = "https://www.googleapis.com/auth/calendar.readonly"


@pytest.fixture
def key(emu):
    """A service account delegated for acme.fr, and the domain's users."""
    for email in (JEAN, MARIE, OUTSIDER):
        emu.add_account(email, time_zone="Europe/Paris")
    return make_service_account(emu, domain="acme.fr")


def _grant(emu, assertion):
    return requests.post(
        emu.token_uri, data={"grant_type": GRANT_TYPE, "assertion": assertion}, timeout=10
    )


def _assertion(info, signer=None, **claims):
    now = int(time.time())
    payload = {
        "iss": info["client_email"],
        "aud": "https://oauth2.googleapis.com/token",
        "iat": now,
        "exp": now + 3600,
        "scope": CALENDAR_SCOPE,
    }
    payload.update(claims)
    signer = signer or crypt.RSASigner.from_service_account_info(info)
    return jwt.encode(signer, payload).decode()


def test_key_file_content_is_what_the_cloud_console_gives(emu, key, tmp_path):
    assert set(key) == {
        "type",
        "project_id",
        "private_key_id",
        "private_key",
        "client_email",
        "client_id",
        "auth_uri",
        "token_uri",
        "auth_provider_x509_cert_url",
        "client_x509_cert_url",
        "universe_domain",
    }
    assert key["type"] == "service_account" and key["token_uri"] == emu.token_uri
    assert key["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert key["client_email"] == "sync@emulator-project.iam.gserviceaccount.com"
    path = tmp_path / "key.json"
    path.write_text(make_service_account(emu, domain="acme.fr", name="other", as_json=True))
    creds = service_account.Credentials.from_service_account_file(
        str(path), scopes=[CALENDAR_SCOPE], subject=MARIE
    )
    service = make_service(emu, MARIE, credentials=creds)
    assert service.calendarList().list().execute()["items"][0]["id"] == MARIE


def test_google_auth_with_subject_acts_as_the_user(emu, key):
    service = make_delegated_service(emu, key, JEAN)
    calendars = service.calendarList().list().execute()["items"]
    assert [c["id"] for c in calendars] == [JEAN]
    event = (
        service.events()
        .insert(
            calendarId="primary",
            body=dict(
                timed("2026-03-02T08:00:00+01:00", "2026-03-02T09:00:00+01:00"),
                summary="Entretien chaudière",
            ),
        )
        .execute()
    )
    assert emu.phone(JEAN).get_event("primary", event["id"])["summary"] == "Entretien chaudière"
    assert event["creator"]["email"] == JEAN
    # Tokens are counted in the service account's project (its client id).
    assert emu.rate_limit_usage(key["client_id"], JEAN) == 2
    token_requests = [e for e in emu.request_log if e["path"] == "/token"]
    assert [e["status"] for e in token_requests] == [200]


def test_without_subject_the_account_uses_its_own_calendar(emu, key):
    service = make_delegated_service(emu, key, None)
    calendars = service.calendarList().list().execute()["items"]
    assert [c["id"] for c in calendars] == [key["client_email"]]


def test_subject_outside_the_domain_is_unauthorized_client(emu, key):
    creds = delegated_credentials(key, OUTSIDER)
    service = make_service(emu, OUTSIDER, credentials=creds)
    with pytest.raises(RefreshError) as info:
        service.calendarList().list().execute()
    assert info.value.args[1] == {"error": "unauthorized_client", "error_description": UNAUTHORIZED}
    answer = _grant(emu, _assertion(key, sub=OUTSIDER))
    assert answer.status_code == 401
    assert answer.json() == {"error": "unauthorized_client", "error_description": UNAUTHORIZED}
    assert emu.phone(OUTSIDER).list_events("primary") == []


def test_scope_not_delegated_is_unauthorized_client(emu, key):
    emu.authorize_delegation(key["client_email"], "acme.fr", [READONLY])
    with pytest.raises(RefreshError) as info:
        make_delegated_service(emu, key, JEAN).calendarList().list().execute()
    assert info.value.args[1]["error"] == "unauthorized_client"
    readonly = make_delegated_service(emu, key, JEAN, scopes=[READONLY])
    assert readonly.calendarList().list().execute()["items"][0]["id"] == JEAN


def test_signature_is_checked_against_the_accounts_public_key(emu, key):
    other = make_service_account(emu, domain=None, name="intruder")
    forged = _assertion(
        key,
        signer=crypt.RSASigner.from_service_account_info(
            dict(other, private_key_id=key["private_key_id"])
        ),
        sub=JEAN,
    )
    answer = _grant(emu, forged)
    assert (answer.status_code, answer.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
    )
    head, body, sig = _assertion(key, sub=JEAN).split(".")
    tampered = json.loads(jwt._helpers.padded_urlsafe_b64decode(body))  # pylint: disable=protected-access
    tampered["sub"] = MARIE
    body = jwt._helpers.unpadded_urlsafe_b64encode(  # pylint: disable=protected-access
        json.dumps(tampered).encode()
    ).decode()
    assert _grant(emu, ".".join((head, body, sig))).json()["error"] == "invalid_grant"
    assert _grant(emu, _assertion(key, sub=JEAN)).status_code == 200


@pytest.mark.parametrize(
    "claims,description",
    [
        ({"exp": int(time.time()) + 7200}, "short-lived"),
        ({"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, "short-lived"),
        ({"aud": "https://example.com/token"}, "audience"),
        ({"scope": ""}, "scope"),
    ],
)
def test_bad_assertions_are_invalid_grant(emu, key, claims, description):
    answer = _grant(emu, _assertion(key, sub=JEAN, **claims))
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert description in answer.json()["error_description"]


def test_unknown_user_of_the_domain_is_invalid_grant(emu, key):
    answer = _grant(emu, _assertion(key, sub="nobody@acme.fr"))
    assert answer.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid email or User ID",
    }


def test_revoked_delegation_refuses_new_tokens(emu, key):
    service = make_delegated_service(emu, key, JEAN)
    service.calendarList().list().execute()
    emu.revoke_delegation(key["client_id"])
    service.calendarList().list().execute()  # the token issued lives on ...
    emu.advance_clock(3601)  # ... until it expires
    with pytest.raises(RefreshError) as info:
        service.calendarList().list().execute()
    assert info.value.args[1]["error"] == "unauthorized_client"


def test_admin_http_api_makes_and_delegates_service_accounts(emu):
    emu.add_account(JEAN)
    base = emu.base_url + "/_emulator/service-accounts"
    info = requests.post(base, json={"name": "odoo"}, timeout=30).json()
    assert info["client_email"] == "odoo@emulator-project.iam.gserviceaccount.com"
    with pytest.raises(RefreshError):
        make_delegated_service(emu, info, JEAN).calendarList().list().execute()
    assert requests.post(
        base + "/delegation", json={"client_id": info["client_id"], "domain": "acme.fr"}, timeout=10
    ).ok
    assert make_delegated_service(emu, info, JEAN).calendarList().list().execute()
    assert requests.post(
        base + "/delegation/revoke", json={"client_id": info["client_id"]}, timeout=10
    ).ok
    with pytest.raises(RefreshError):
        make_delegated_service(emu, info, JEAN).calendarList().list().execute()
