# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The OAuth `state` of our flow: signed, bound to a user and his session,
short-lived. Single use comes from the nonce kept in the session, which the
callback consumes.

Odoo's and OpenFire's states are plain JSON anyone can forge; a forged state
there can send a victim's tokens to the attacker's account or redirect him
anywhere. Ours is refused unless this database signed it for this session."""

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from urllib.parse import urlsplit

PREFIX = "ofgc1."
LIFETIME = 600  # seconds between leaving for Google and coming back


class StateError(ValueError):
    """The state cannot be trusted; the message says why, for the logs."""


def is_ours(state):
    return isinstance(state, str) and state.startswith(PREFIX)


def session_binding(session_id):
    """A digest of the session id: the state must not carry the id itself."""
    return hashlib.sha256(("ofgc-state:" + (session_id or "")).encode()).hexdigest()[:32]


def _mac(secret, body):
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()


def make_state(secret, uid, session_id, nonce, return_path, now=None):
    payload = {
        "u": uid,
        "b": session_binding(session_id),
        "n": nonce,
        "r": return_path,
        "e": int((now or time.time()) + LIFETIME),
    }
    body = (
        base64.urlsafe_b64encode(
            json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
        )
        .decode()
        .rstrip("=")
    )
    return f"{PREFIX}{body}.{_mac(secret, body)}"


def read_state(secret, state, uid, session_id, now=None):
    """Return the state's payload when this database signed it for this user
    and session and it has not expired; raise StateError otherwise."""
    if not is_ours(state):
        raise StateError("not our state")
    body, _sep, mac = state[len(PREFIX) :].rpartition(".")
    if not body or not hmac.compare_digest(_mac(secret, body), mac):
        raise StateError("bad signature")
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError as exc:
        raise StateError("unreadable") from exc
    if payload.get("u") != uid:
        raise StateError("issued to another user")
    if not hmac.compare_digest(str(payload.get("b")), session_binding(session_id)):
        raise StateError("issued to another session")
    if payload.get("e", 0) < (now or time.time()):
        raise StateError("expired")
    return payload


_CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


def safe_return_path(url, default="/web"):
    """Only a path on this server: never a scheme, a host, `//host` or a
    backslash a browser might read as one (open redirects)."""
    if not isinstance(url, str) or not url.startswith("/") or url.startswith("//"):
        return default
    if _CONTROL.search(url):
        return default
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return default
    return url


def is_safe_return_path(url):
    return safe_return_path(url, default=None) is not None


def new_nonce():
    return secrets.token_urlsafe(24)
