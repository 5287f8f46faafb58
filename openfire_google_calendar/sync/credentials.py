# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A user's Google credentials as the sync uses them: refreshed with a
timeout whoever asks for the refresh."""

import google_auth_httplib2
import httplib2
from google.auth.exceptions import RefreshError, TransportError
from google.oauth2.credentials import Credentials

CALENDAR_SCOPE = "https://www.googleapis.com/auth/calendar"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
DEFAULT_TIMEOUT = 30.0


class TokenUnavailable(TransportError):
    """Google's token endpoint did not answer (unreachable, a timeout, a 5xx
    or ``temporarily_unavailable`` once google-auth's own retries are spent):
    an outage, retried like any network failure, never a refused access."""


def refresh_is_temporary(exc):
    """True when a failed refresh is Google's trouble, not a refusal: the
    network, or an answer google-auth itself calls retryable (5xx, 429,
    ``server_error``, ``temporarily_unavailable``)."""
    if isinstance(exc, RefreshError):
        return bool(getattr(exc, "retryable", False))
    return isinstance(exc, (OSError, httplib2.HttpLib2Error, TransportError))


def refresh_or_outage(credentials, request):
    """``credentials.refresh(request)``; a temporary failure is raised as
    :class:`TokenUnavailable` (a refusal stays google-auth's RefreshError)."""
    try:
        return credentials.refresh(request)
    except TokenUnavailable:
        raise
    except (RefreshError, OSError, httplib2.HttpLib2Error, TransportError) as exc:
        if refresh_is_temporary(exc):
            raise TokenUnavailable(str(exc)) from exc
        raise


class TimedCredentials(Credentials):
    """google-auth user credentials whose refresh always has a timeout.

    googleapiclient refreshes by itself when a batch part gets a 401, through
    an ``httplib2.Http()`` without timeout; this refresh ignores the transport
    it is given and uses one with ``refresh_timeout``.
    """

    refresh_timeout = DEFAULT_TIMEOUT

    def refresh(self, request):
        """A temporary failure is raised as :class:`TokenUnavailable`: the
        client retries it as an outage, and never takes it for a revoked
        access (googleapiclient refreshes on a 401 by itself)."""
        del request
        timed = google_auth_httplib2.Request(httplib2.Http(timeout=self.refresh_timeout))
        try:
            return super().refresh(timed)
        except (RefreshError, OSError, httplib2.HttpLib2Error, TransportError) as exc:
            if refresh_is_temporary(exc) and not isinstance(exc, TokenUnavailable):
                raise TokenUnavailable(str(exc)) from exc
            raise


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
