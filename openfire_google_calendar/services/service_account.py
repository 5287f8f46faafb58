# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Google Workspace domain-wide delegation: the service account's key, read
server-side only, and google-auth's service account credentials acting as
one employee.

The key (the JSON file the Cloud console gives) is a system parameter:
ir.config_parameter is readable by administrators only, and nothing here
ever returns the key itself to a caller that could send it to a browser;
the settings show :func:`key_summary` instead."""

import json

from google.auth.transport.requests import Request
from google.oauth2 import service_account

from odoo import _

from ..sync import refresh_or_outage
from . import settings

KEY_PARAM = "openfire_google_calendar.service_account_key"
DOMAIN_PARAM = "openfire_google_calendar.workspace_domain"
MODE_PARAM = "openfire_google_calendar.technicians_mode"
CALENDAR_PARAM = "openfire_google_calendar.technician_calendar"
OWNER_PARAM = "openfire_google_calendar.shared_owner_id"
ROLE_PARAM = "openfire_google_calendar.shared_role"
# What the Workspace administrator authorises for the service account's client
# id (Admin console > Security > API controls > Domain-wide delegation).
SCOPES = ("https://www.googleapis.com/auth/calendar",)
REQUIRED_KEYS = ("type", "client_email", "private_key", "token_uri")


class InvalidKey(ValueError):
    """The text given is not a service account's JSON key."""


def parse_key(env, text):
    """The key file's content as a dict, or InvalidKey saying what is wrong
    (in the language of ``env``)."""
    # _() reads the language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    try:
        info = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise InvalidKey(_("The service account key is not JSON: %s", exc)) from exc
    if not isinstance(info, dict) or info.get("type") != "service_account":
        raise InvalidKey(
            _('This is not a service account key (its "type" must be "service_account").')
        )
    missing = [key for key in REQUIRED_KEYS if not info.get(key)]
    if missing:
        raise InvalidKey(_("The service account key lacks %s.", ", ".join(missing)))
    try:
        service_account.Credentials.from_service_account_info(info, scopes=list(SCOPES))
    except ValueError as exc:
        raise InvalidKey(_("The service account's private key cannot be read: %s", exc)) from exc
    return info


def load_key(env):
    """The stored key as a dict, None when there is none (server-side only)."""
    text = settings.get(env, "service_account_key")
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def key_summary(env):
    """What the settings show of the key: its account and key id, never the key."""
    # _() reads the language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    info = load_key(env)
    if not info:
        return False
    return _(
        "Key set: %(email)s (key %(key_id)s…)",
        email=info.get("client_email") or "?",
        key_id=(info.get("private_key_id") or "")[:8],
    )


def domains(env):
    """The Workspace domains set in the settings, lower case."""
    raw = env["ir.config_parameter"].sudo().get_param(DOMAIN_PARAM) or ""
    return [part.strip().lstrip("@").lower() for part in raw.replace(";", ",").split(",") if part]


def domain_of(email):
    return (email or "").rpartition("@")[2].strip().lower()


def credentials(info, subject, token_uri=None):
    """google-auth service account credentials acting as ``subject``;
    ``token_uri`` replaces the key file's (the emulator in tests)."""
    if token_uri:
        info = dict(info, token_uri=token_uri)
    return service_account.Credentials.from_service_account_info(
        info, scopes=list(SCOPES), subject=subject
    )


def refresh(creds):
    """Get an access token; RefreshError as Google answers (see
    refusal_kind), TokenUnavailable when Google could not answer (an outage,
    not a refusal: nobody's delegation is marked refused for it)."""
    refresh_or_outage(creds, Request())
    return creds


def refusal_kind(exc):
    """What Google's refusal of a delegated token means: "delegation" (the
    service account is not authorised for the user's domain or scopes: the
    same for every user of that domain), "user" (no such user in the
    Workspace), or "key" (the key was deleted or is wrong)."""
    text = str(exc)
    if "unauthorized_client" in text:
        return "delegation"
    if "Invalid email or User ID" in text or "invalid_email" in text:
        return "user"
    return "key"
