"""Helpers for tests that talk to the emulator like a real client would.

* :func:`make_service` builds a googleapiclient Calendar service pointed at the
  emulator, with real ``google.oauth2.credentials.Credentials`` (which refresh
  through the emulator's token endpoint on 401).
* :func:`new_batch` builds a ``BatchHttpRequest`` that goes to the emulator:
  googleapiclient derives the batch URI from the discovery document's
  ``rootUrl``, NOT from ``api_endpoint``, so it must be given explicitly.
* :func:`allow_insecure_loopback` sets ``OAUTHLIB_INSECURE_TRANSPORT`` only
  when the emulator listens on loopback.
* :func:`make_service_account` makes a service account authorised for a
  Workspace domain and returns its JSON key file content;
  :func:`delegated_credentials` / :func:`make_delegated_service` act as one of
  the domain's users with google-auth's own ``service_account.Credentials``.
* ``emulator`` is a pytest fixture (module scope) that starts and stops one.
"""

import json
import os

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

from .oauth import CALENDAR_SCOPE
from .push import is_loopback_url
from .server import Emulator

try:  # pytest is optional: the helpers work without it.
    import pytest
except ImportError:  # pragma: no cover
    pytest = None


def make_credentials(emu, email, client_id="test-client", client_secret="test-secret", scopes=None):
    """Real Credentials for ``email`` (client registered if unknown)."""
    if not emu.has_client(client_id):
        emu.add_client(client_id, client_secret, [])
    emu.add_account(email)
    scopes = list(scopes or [CALENDAR_SCOPE])
    token = emu.mint_token(email, client_id=client_id, scopes=scopes)
    return Credentials(
        token=token["access_token"],
        refresh_token=token["refresh_token"],
        token_uri=emu.token_uri,
        client_id=client_id,
        client_secret=client_secret,
        scopes=scopes,
    )


def make_service(
    emu, email, client_id="test-client", client_secret="test-secret", scopes=None, credentials=None
):
    """A googleapiclient Calendar v3 service for ``email`` against the emulator."""
    creds = credentials or make_credentials(emu, email, client_id, client_secret, scopes)
    return build(
        "calendar",
        "v3",
        credentials=creds,
        static_discovery=True,
        cache_discovery=False,
        client_options={"api_endpoint": emu.api_endpoint},
    )


def new_batch(emu, callback=None):
    """A BatchHttpRequest aimed at the emulator's batch endpoint."""
    return BatchHttpRequest(callback=callback, batch_uri=emu.batch_uri)


def make_service_account(
    emu,
    domain="example.com",
    scopes=None,
    name="sync",
    project_id="emulator-project",
    as_json=False,
):
    """A service account with domain-wide delegation for ``domain`` (``None``: no
    delegation); returns the JSON key file content, as a dict or (``as_json``) text."""
    info = emu.add_service_account(name=name, project_id=project_id, domain=domain, scopes=scopes)
    return json.dumps(info, indent=2) if as_json else info


def delegated_credentials(info, subject=None, scopes=None):
    """google-auth service account credentials from key file content (dict or JSON
    text), acting as ``subject`` (a user of the delegated domain) when given."""
    from google.oauth2 import service_account  # pylint: disable=import-outside-toplevel

    if isinstance(info, str):
        info = json.loads(info)
    return service_account.Credentials.from_service_account_info(
        info, scopes=list(scopes or [CALENDAR_SCOPE]), subject=subject
    )


def make_delegated_service(emu, info, subject=None, scopes=None):
    """A Calendar v3 service acting as ``subject`` through the service account."""
    return make_service(emu, subject, credentials=delegated_credentials(info, subject, scopes))


def allow_insecure_loopback(emu):
    """Let oauthlib use the emulator's plain-HTTP endpoints, loopback only."""
    if not is_loopback_url(emu.base_url):
        raise RuntimeError("refusing plain HTTP OAuth to a non-loopback address")
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"


if pytest is not None:

    @pytest.fixture(scope="module")
    def emulator():
        """A running emulator for one test module, stopped afterwards."""
        emu = Emulator(seed=0).start()
        try:
            yield emu
        finally:
            emu.stop()
