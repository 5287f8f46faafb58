# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""OAuth 2.0 with google-auth-oauthlib: the consent URL, the code exchange,
and the credentials the sync uses. Nothing here touches the ORM."""

import ipaddress
import os
from urllib.parse import urlsplit

from google_auth_oauthlib.flow import Flow

# The smallest set that does the job: events in the synced calendar, the
# dedicated calendar the connector creates, and the list to pick another one.
SCOPES = (
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.app.created",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
)
# Asked in addition of the planner whose account holds the technicians' shared
# calendars: sharing them (Calendar ACL) needs it.
ACL_SCOPE = "https://www.googleapis.com/auth/calendar.acls"
# Asked in addition when the technicians' availability is read: busy times
# only (freeBusy), the narrowest scope that gives them.
FREEBUSY_SCOPE = "https://www.googleapis.com/auth/calendar.freebusy"
DEFAULT_ENDPOINTS = {
    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
    "token_uri": "https://oauth2.googleapis.com/token",
    "revoke_uri": "https://oauth2.googleapis.com/revoke",
    "api_endpoint": "https://www.googleapis.com/calendar/v3/",
}
REQUEST_TIMEOUT = 30  # seconds, for the code exchange


def is_loopback(url):
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _allow_plain_http_for_loopback(endpoints):
    """oauthlib insists on HTTPS. The emulator (tests, demo) serves plain HTTP
    on loopback, and only there do we lift the rule; a real Google endpoint
    keeps it."""
    if all(is_loopback(endpoints[key]) for key in ("auth_uri", "token_uri")):
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    # Google may answer with more scopes than asked (include_granted_scopes).
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"


def scopes_granted(granted):
    """The scopes a refresh asks for: ours, and the ACL scope when the user
    granted it (asking for less than granted would narrow the new token)."""
    granted = (granted or "").split()
    return SCOPES + tuple(scope for scope in (ACL_SCOPE, FREEBUSY_SCOPE) if scope in granted)


def build_flow(
    client_id, client_secret, endpoints, redirect_uri, code_verifier=None, scopes=SCOPES
):
    _allow_plain_http_for_loopback(endpoints)
    config = {
        "web": {
            "client_id": client_id,
            "client_secret": client_secret,
            "auth_uri": endpoints["auth_uri"],
            "token_uri": endpoints["token_uri"],
            "redirect_uris": [redirect_uri],
        }
    }
    return Flow.from_client_config(
        config,
        scopes=list(scopes),
        redirect_uri=redirect_uri,
        code_verifier=code_verifier,
        autogenerate_code_verifier=code_verifier is None,
    )


def consent_url(flow, state, login_hint=None):
    """The URL of Google's consent page; offline access so scheduled actions
    can sync without the user, and `consent` so a refresh token comes back
    even for a user who connected before."""
    extra = {"login_hint": login_hint} if login_hint else {}
    url, _state = flow.authorization_url(
        access_type="offline", prompt="consent", include_granted_scopes="true", state=state, **extra
    )
    return url


def exchange_code(flow, code):
    """Trade the authorization code for tokens (raises oauthlib errors)."""
    token = flow.fetch_token(code=code, timeout=REQUEST_TIMEOUT)
    return {
        "access_token": token["access_token"],
        "refresh_token": token.get("refresh_token"),
        "expires_in": token.get("expires_in"),
        "scope": " ".join(token.get("scope") or [])
        if isinstance(token.get("scope"), list)
        else token.get("scope") or "",
    }
