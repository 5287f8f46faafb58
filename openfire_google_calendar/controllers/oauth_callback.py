# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging

from oauthlib.oauth2.rfc6749.errors import OAuth2Error
from requests.exceptions import RequestException

from odoo import _, http
from odoo.http import request

from odoo.addons.google_account.controllers.main import GoogleAuth

from ..services import google_oauth, oauth_state

_logger = logging.getLogger(__name__)
SESSION_KEY = "of_google_oauth"


def callback_url():
    return (
        request.env["ir.config_parameter"].sudo().get_param("web.base.url").rstrip("/")
        + "/google_account/authentication"
    )


def database_secret():
    return request.env["ir.config_parameter"].sudo().get_param("database.secret")


def start_consent(return_path):
    """The consent URL for the logged-in user; remembers, in his server-side
    session, the nonce that makes the state single-use and the PKCE verifier."""
    Account = request.env["of.google.account"]
    client_id, client_secret = Account._client_credentials()
    flow = google_oauth.build_flow(
        client_id,
        client_secret,
        Account._endpoints(),
        callback_url(),
        scopes=Account._consent_scopes(request.env.user),
    )
    nonce = oauth_state.new_nonce()
    state = oauth_state.make_state(
        database_secret(),
        request.env.uid,
        request.session.sid,
        nonce,
        oauth_state.safe_return_path(return_path),
    )
    url = google_oauth.consent_url(flow, state, login_hint=request.env.user.email or None)
    request.session[SESSION_KEY] = {"nonce": nonce, "verifier": flow.code_verifier}
    return url


def result_page(title, message, return_path="/web", status=400):
    """A plain page for every way the dance can fail: the user is told what
    happened and given a way back, and nothing was stored."""
    return request.render(
        "openfire_google_calendar.oauth_result_page",
        {
            "title": title,
            "message": message,
            "return_path": return_path,
        },
        status=status,
    )


class OfGoogleAuth(GoogleAuth):
    @http.route()
    def oauth2callback(self, **kw):
        """Our flow is recognised by its state; any other state is Odoo's own
        google_account flow (Odoo's Google Calendar, Drive...) and goes on
        untouched."""
        if not oauth_state.is_ours(kw.get("state")):
            return super().oauth2callback(**kw)
        return self._of_oauth_callback(**kw)

    def _of_oauth_callback(self, **kw):
        # Consumed whatever happens next: a state works once.
        pending = request.session.pop(SESSION_KEY, None)
        if not request.session.uid:
            return result_page(
                _("Session expired"),
                _(
                    "Your Odoo session ended while you were at Google. Log in again, then press "
                    '"Sync. with Google" once more.'
                ),
            )
        try:
            payload = oauth_state.read_state(
                database_secret(), kw["state"], request.env.uid, request.session.sid
            )
        except oauth_state.StateError as exc:
            _logger.warning("Google OAuth callback refused for user %s: %s", request.env.uid, exc)
            return result_page(
                _("Invalid or expired link"),
                _(
                    "This Google connection link is invalid, expired, or meant for another user. "
                    'Nothing was saved. Press "Sync. with Google" to start again.'
                ),
            )
        if not pending or pending.get("nonce") != payload.get("n"):
            _logger.warning("Google OAuth callback replayed for user %s", request.env.uid)
            return result_page(
                _("Link already used"),
                _(
                    "This Google connection link has already been used. Nothing was saved. Press "
                    '"Sync. with Google" to start again.'
                ),
            )
        return_path = payload.get("r")
        if not oauth_state.is_safe_return_path(return_path):
            return result_page(
                _("Invalid return address"),
                _("The address to come back to is not a page of this Odoo. Nothing was saved."),
            )
        if kw.get("error"):
            if kw["error"] == "access_denied":
                return result_page(
                    _("Access refused"),
                    _(
                        "You refused Odoo access to your Google Calendar, so your RDVs are not "
                        'synced. Press "Sync. with Google" again whenever you change your mind.'
                    ),
                    return_path,
                    status=200,
                )
            return result_page(
                _("Google returned an error"),
                _("Google answered: %s. Nothing was saved.", kw["error"][:100]),
                return_path,
            )
        if not kw.get("code"):
            return result_page(
                _("No authorization code"),
                _(
                    "Google came back without an authorization code. Nothing was saved. Press "
                    '"Sync. with Google" to start again.'
                ),
                return_path,
            )
        Account = request.env["of.google.account"]
        client_id, client_secret = Account._client_credentials()
        if not client_id:
            return result_page(
                _("Google Calendar is not configured"),
                _(
                    "Ask an administrator to set the Client ID and Client Secret in Settings > "
                    "Calendar."
                ),
                return_path,
            )
        flow = google_oauth.build_flow(
            client_id,
            client_secret,
            Account._endpoints(),
            callback_url(),
            code_verifier=pending.get("verifier"),
        )
        try:
            tokens = google_oauth.exchange_code(flow, kw["code"])
        except (OAuth2Error, RequestException, ValueError) as exc:
            _logger.warning("Google code exchange failed for user %s: %s", request.env.uid, exc)
            return result_page(
                _("Google refused the connection"),
                _(
                    "Google did not accept the authorization (%s). Nothing was saved. Press "
                    '"Sync. with Google" to try again.',
                    str(exc)[:200],
                ),
                return_path,
            )
        Account._for_user()._store_tokens(tokens)
        return request.redirect(return_path, local=True)
