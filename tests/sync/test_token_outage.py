"""Google's token endpoint unreachable or answering 503 while a request
refreshes the access token: an outage (a transient GoogleError, retried
later), never a revoked access (ReconnectNeeded disconnects the user)."""

import socket

import pytest
from sync.google_client import GoogleError, ReconnectNeeded
from sync_helpers import EMAIL, new_client


def closed_port_url():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return "http://127.0.0.1:%d/token" % port


def test_token_endpoint_unreachable_is_an_outage(emu, calendar):
    client = new_client(emu)
    emu.expire_access_tokens()  # the next call gets 401: the client refreshes
    client.credentials._token_uri = closed_port_url()
    with pytest.raises(GoogleError) as outage:
        client.list_changes(calendar)
    assert outage.value.transient
    assert outage.value.status is None


def test_token_endpoint_503_is_an_outage(emu, calendar, monkeypatch):
    client = new_client(emu)
    emu.expire_access_tokens()
    # google-auth's own pauses between its retries of a 5xx: none here
    monkeypatch.setattr("google.auth._exponential_backoff.time.sleep", lambda _s: None)
    emu.set_token_outage(503)
    try:
        with pytest.raises(GoogleError) as outage:
            client.list_changes(calendar)
        assert outage.value.transient
    finally:
        emu.set_token_outage(None)
    client.list_changes(calendar)  # back: the same refresh token works


def test_revoked_refresh_token_still_asks_to_reconnect(emu, calendar):
    client = new_client(emu)
    emu.revoke(EMAIL)
    emu.expire_access_tokens()
    with pytest.raises(ReconnectNeeded):
        client.list_changes(calendar)
