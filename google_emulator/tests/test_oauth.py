"""OAuth 2.0 through google-auth-oauthlib's Flow and google-auth's Credentials."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2.credentials import Credentials
from google_auth_oauthlib.flow import Flow
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError

from google_emulator.oauth import CALENDAR_SCOPE, s256
from google_emulator.testing import make_service
from google_emulator.tests.helpers import ALICE

CLIENT_ID = "odoo-client.apps.googleusercontent.com"
SECRET = "odoo-secret"
REDIRECT = "http://127.0.0.1:8069/google_calendar/callback"


@pytest.fixture
def flow(emu, insecure_loopback):
    del insecure_loopback
    emu.add_client(CLIENT_ID, SECRET, [REDIRECT])
    emu.add_account(ALICE)
    config = {
        "web": {
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "auth_uri": emu.auth_uri,
            "token_uri": emu.token_uri,
            "redirect_uris": [REDIRECT],
        }
    }
    return Flow.from_client_config(config, scopes=[CALENDAR_SCOPE], redirect_uri=REDIRECT)


def consent(url, decision="allow", email=None):
    """Open the consent page and submit its form like a browser would."""
    page = requests.get(url, timeout=10)
    assert page.status_code == 200, page.text
    assert ">Autoriser</button>" in page.text and ">Refuser</button>" in page.text
    request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
    form = {"request_id": request_id, "decision": decision}
    if email:
        form["email"] = email
    answer = requests.post(
        url.split("/o/oauth2/")[0] + "/o/oauth2/approval",
        data=form,
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def test_code_exchange_refresh_and_revocation(emu, flow):
    url, state = flow.authorization_url(access_type="offline", login_hint=ALICE)
    params = consent(url)
    assert params["state"] == state and params["code"]
    token = flow.fetch_token(code=params["code"])
    assert token["refresh_token"] and token["token_type"] == "Bearer"
    assert token["scope"] == [CALENDAR_SCOPE] or token["scope"] == CALENDAR_SCOPE
    creds = flow.credentials
    service = make_service(emu, ALICE, credentials=creds)
    assert service.calendarList().list().execute()["items"][0]["id"] == ALICE

    first = creds.token
    creds.refresh(Request())
    assert creds.token != first
    assert service.calendarList().list().execute()["items"]

    answer = requests.post(emu.revoke_uri, data={"token": creds.refresh_token}, timeout=10)
    assert answer.status_code == 200
    with pytest.raises(RefreshError) as info:
        creds.refresh(Request())
    assert "invalid_grant" in str(info.value)
    assert (
        requests.post(emu.revoke_uri, data={"token": creds.refresh_token}, timeout=10).status_code
        == 400
    )


def test_used_code_and_admin_revocation_give_invalid_grant(emu, flow):
    url, _ = flow.authorization_url(access_type="offline", prompt="consent")
    code = consent(url)["code"]
    flow.fetch_token(code=code)
    creds = flow.credentials
    with pytest.raises(InvalidGrantError):
        flow.fetch_token(code=code)
    emu.revoke(ALICE)
    with pytest.raises(RefreshError) as info:
        creds.refresh(Request())
    assert "invalid_grant" in str(info.value)


def test_refusal_redirects_with_access_denied(flow):
    url, state = flow.authorization_url(access_type="offline")
    assert consent(url, decision="deny") == {"error": "access_denied", "state": state}


def test_consent_without_hint_offers_accounts_and_creates_typed_one(emu, flow):
    url, _ = flow.authorization_url(access_type="offline")
    page = requests.get(url, timeout=10).text
    assert '<option value="%s">' % ALICE in page
    code = consent(url, email="newcomer@example.com")["code"]
    flow.fetch_token(code=code)
    assert "newcomer@example.com" in emu.store.accounts


def test_unregistered_redirect_uri_and_unknown_client(emu, flow):
    url, _ = flow.authorization_url()
    bad = url.replace("8069", "9999")
    page = requests.get(bad, allow_redirects=False, timeout=10)
    assert page.status_code == 400 and "redirect_uri_mismatch" in page.text
    unknown = requests.get(
        url.replace(CLIENT_ID, "someone-else"), allow_redirects=False, timeout=10
    )
    assert unknown.status_code == 401 and "invalid_client" in unknown.text
    assert emu.oauth.codes == {}


def _code(emu, challenge=None, method=None, offline=True):
    params = {
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "response_type": "code",
        "scope": CALENDAR_SCOPE,
        "state": "s",
    }
    if offline:
        params["access_type"] = "offline"
    if challenge:
        params["code_challenge"] = challenge
        params["code_challenge_method"] = method
    url = requests.Request("GET", emu.auth_uri, params=params).prepare().url
    return consent(url)["code"]


def _exchange(emu, code, auth=None, **extra):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    if auth is None:
        data.update(client_id=CLIENT_ID, client_secret=SECRET)
    data.update(extra)
    return requests.post(emu.token_uri, data=data, auth=auth, timeout=10)


def test_token_endpoint_errors(emu, flow):
    del flow
    code = _code(emu)
    wrong = _exchange(emu, code, auth=(CLIENT_ID, "wrong"))
    assert wrong.status_code == 401 and wrong.json()["error"] == "invalid_client"
    mismatch = _exchange(emu, code, auth=(CLIENT_ID, SECRET), redirect_uri="http://127.0.0.1/other")
    assert mismatch.json()["error"] == "redirect_uri_mismatch"
    good = _exchange(emu, code, auth=(CLIENT_ID, SECRET))
    assert good.status_code == 200 and good.json()["scope"] == CALENDAR_SCOPE
    assert good.json()["expires_in"] == 3600
    assert _exchange(emu, code).json()["error"] == "invalid_grant"
    expired = _code(emu)
    emu.advance_clock(601)
    assert _exchange(emu, expired).json()["error"] == "invalid_grant"
    unsupported = requests.post(
        emu.token_uri,
        timeout=10,
        data={"grant_type": "password", "client_id": CLIENT_ID, "client_secret": SECRET},
    )
    assert unsupported.json()["error"] == "unsupported_grant_type"
    refresh = requests.post(
        emu.token_uri,
        timeout=10,
        data={
            "grant_type": "refresh_token",
            "refresh_token": "1//unknown",
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
        },
    )
    assert refresh.status_code == 400 and refresh.json()["error"] == "invalid_grant"


def test_pkce_and_online_access(emu, flow):
    del flow
    verifier = "v" * 50
    code = _code(emu, challenge=s256(verifier), method="S256")
    assert _exchange(emu, code).json()["error"] == "invalid_grant"
    code = _code(emu, challenge=s256(verifier), method="S256")
    assert _exchange(emu, code, code_verifier="w" * 50).json()["error"] == "invalid_grant"
    code = _code(emu, challenge=s256(verifier), method="S256")
    assert _exchange(emu, code, code_verifier=verifier).status_code == 200
    code = _code(emu, challenge=verifier, method="plain")
    assert _exchange(emu, code, code_verifier=verifier).status_code == 200
    online = _exchange(emu, _code(emu, offline=False)).json()
    assert "refresh_token" not in online and online["access_token"]


def test_tokeninfo_and_userinfo(emu):
    emu.add_account(ALICE)
    token = emu.mint_token(ALICE)["access_token"]
    info = requests.get(
        emu.base_url + "/oauth2/v3/tokeninfo", params={"access_token": token}, timeout=10
    ).json()
    assert info["email"] == ALICE and info["scope"] == CALENDAR_SCOPE
    user = requests.get(
        emu.base_url + "/oauth2/v3/userinfo",
        timeout=10,
        headers={"Authorization": "Bearer " + token},
    ).json()
    assert user["email"] == ALICE


def test_oauthlib_refuses_plain_http_without_the_opt_in(emu, monkeypatch):
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    emu.add_client(CLIENT_ID, SECRET, [REDIRECT])
    config = {
        "web": {
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
            "auth_uri": emu.auth_uri,
            "token_uri": emu.token_uri,
        }
    }
    flow = Flow.from_client_config(config, scopes=[CALENDAR_SCOPE], redirect_uri=REDIRECT)
    with pytest.raises(Exception) as info:
        flow.authorization_url()
    assert "InsecureTransport" in type(info.value).__name__


def test_auto_consent_page_approves_itself(emu):
    """For browser tests: the page carries a script that presses Autoriser."""
    emulator = emu
    emulator.add_client("auto-client", "auto-secret", ["http://127.0.0.1:9/cb"])
    emulator.add_account("auto@example.com")
    url = (
        emulator.auth_uri + "?client_id=auto-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9"
        "%2Fcb&response_type=code&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar"
        "&login_hint=auto%40example.com"
    )
    assert "button[value=allow]').click()" not in requests.get(url, timeout=5).text
    emulator.oauth.auto_consent = True
    try:
        assert "button[value=allow]').click()" in requests.get(url, timeout=5).text
    finally:
        emulator.oauth.auto_consent = False


def test_token_endpoint_outage_answers_5xx_and_keeps_what_was_issued(emu, monkeypatch):
    """Google's token endpoint on a bad day answers a 5xx with
    ``temporarily_unavailable`` (RFC 6749 §4.1.2.1, which Google's OAuth 2.0
    endpoints follow: https://developers.google.com/identity/protocols/oauth2/web-server#handlingresponse
    and https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.2.1); google-auth
    takes a 5xx as retryable and, once its retries are spent, raises a
    ``RefreshError`` marked retryable, never ``invalid_grant``. Nothing
    issued before is revoked: the refresh works again once the endpoint is back."""
    emu.add_account(ALICE)
    token = emu.mint_token(ALICE, client_id=None)
    client_id = emu.oauth.default_client()
    client = (client_id, emu.oauth.clients[client_id]["secret"])
    monkeypatch.setattr("google.auth._exponential_backoff.time.sleep", lambda _s: None)
    emu.set_token_outage(503)
    with pytest.raises(ValueError):
        emu.set_token_outage(400)
    answer = requests.post(
        emu.token_uri,
        timeout=10,
        data={
            "grant_type": "refresh_token",
            "refresh_token": token["refresh_token"],
            "client_id": client[0],
            "client_secret": client[1],
        },
    )
    assert answer.status_code == 503
    assert answer.json()["error"] == "temporarily_unavailable"
    credentials = Credentials(
        token=None,
        refresh_token=token["refresh_token"],
        token_uri=emu.token_uri,
        client_id=client[0],
        client_secret=client[1],
    )
    with pytest.raises(RefreshError) as refused:
        credentials.refresh(Request())
    assert refused.value.retryable
    emu.set_token_outage(None)
    credentials.refresh(Request())
    assert credentials.token
