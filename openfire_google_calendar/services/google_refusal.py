# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Google's refusal of a token, for the person who must act on it.

google-auth raises ``RefreshError(details, answer)``: its text is the repr of
that pair, not a sentence. Google's answer carries an OAuth error code (RFC
6749, section 5.2) and a description; this reads them once, and says the
codes a technician meets in a few words of his language."""

from google.auth.exceptions import RefreshError

from odoo import _


def oauth_error(refusal):
    """(code, description) of a refused token: ``refusal`` is google-auth's
    RefreshError, an exception raised from one (sync.ReconnectNeeded), or
    the text "code: description" google-auth builds."""
    cause = refusal
    while isinstance(cause, BaseException) and not isinstance(cause, RefreshError):
        cause = cause.__cause__
    if isinstance(cause, RefreshError):
        answer = cause.args[1] if len(cause.args) > 1 else None
        if isinstance(answer, dict) and answer.get("error"):
            return str(answer["error"]), str(answer.get("error_description") or "")
        text = str(cause.args[0]) if cause.args else ""
    else:
        text = str(refusal or "")
    code, _sep, description = text.partition(": ")
    if " " in code.strip():  # not a code: a sentence
        return "", text.strip()
    return code.strip(), description.strip()


def details(refusal):
    """Google's own words, "code: description", for logs and administrators."""
    code, description = oauth_error(refusal)
    return ": ".join(part for part in (code, description) if part)


def reason(env, refusal):
    """Why Google refused, short, in the language of ``env``'s user."""
    # _() reads the language from a local named context (no lang in it: English)
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    code, description = oauth_error(refusal)
    if code == "invalid_grant":
        return _("the access was revoked or has expired")
    if code == "invalid_client":
        return _("the application's client ID or secret was refused")
    if code == "unauthorized_client":
        return _("this application is not allowed to use this account")
    if code == "access_denied":
        return _("the access was denied")
    return (description or code).rstrip(".") or _("Google gave no reason")
