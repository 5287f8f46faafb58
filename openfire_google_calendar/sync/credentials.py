# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""google-auth credentials for :class:`~.google_client.GoogleClient`: a user's
tokens, and a refresh that never waits without a timeout."""

import google_auth_httplib2
import httplib2
from google.oauth2.credentials import Credentials

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
DEFAULT_TIMEOUT = 30.0


class TimedCredentials(Credentials):
    """google-auth user credentials whose refresh always has a timeout.

    googleapiclient refreshes by itself when a batch part gets a 401, through
    an ``httplib2.Http()`` without timeout; this refresh ignores the transport
    it is given and uses one with ``refresh_timeout``.
    """

    refresh_timeout = DEFAULT_TIMEOUT

    def refresh(self, request):
        del request
        timed = google_auth_httplib2.Request(httplib2.Http(timeout=self.refresh_timeout))
        return super().refresh(timed)


def make_credentials(
    access_token,
    refresh_token,
    client_id,
    client_secret,
    token_uri=GOOGLE_TOKEN_URI,
    expiry=None,
    scopes=(CALENDAR_SCOPE,),
):
    """google-auth credentials; ``expiry`` is a naive UTC datetime or None.

    With ``expiry`` None the access token is used until Google answers 401,
    so a sync with a valid token costs no refresh request. After a sync, the
    Odoo layer stores ``credentials.token`` and ``credentials.expiry`` again
    (they change when refreshed).
    """
    return TimedCredentials(
        token=access_token,
        refresh_token=refresh_token,
        token_uri=token_uri,
        client_id=client_id,
        client_secret=client_secret,
        scopes=list(scopes),
        expiry=expiry,
    )
