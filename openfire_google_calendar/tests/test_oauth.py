# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import time
from urllib.parse import parse_qs, urlencode, urlsplit

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..services import oauth_state
from .common import GoogleEmulatorCase

CALLBACK_LOGGER = "odoo.addons.openfire_google_calendar.controllers.oauth_callback"


@tagged("post_install", "-at_install")
class TestOAuthDance(GoogleEmulatorCase):
    def setUp(self):
        super().setUp()
        # Refused callbacks are logged as warnings, on purpose; here they are expected.
        muted = mute_logger(CALLBACK_LOGGER)
        muted.__enter__()
        self.addCleanup(muted.__exit__, None, None, None)

    def test_whole_dance(self):
        self.login(self.tech)
        status = self.sync_data(fromurl="/web#action=planning")
        self.assertEqual(status["status"], "need_auth")
        url = status["url"]
        self.assertTrue(url.startswith(self.emulator.auth_uri))
        query = parse_qs(urlsplit(url).query)
        self.assertEqual(query["access_type"], ["offline"])
        self.assertEqual(query["redirect_uri"], [self.callback])
        self.assertNotIn(CLIENT_SECRET_MARK, url)
        back = self.consent(url)
        self.assertTrue(back.startswith(self.callback))
        response = self.url_open(back, allow_redirects=False)
        self.assertIn(response.status_code, (301, 302, 303))
        self.assertEqual(urlsplit(response.headers["Location"]).path, "/web")
        self.assertEqual(urlsplit(response.headers["Location"]).fragment, "action=planning")
        account = self.account(self.tech)
        self.assertEqual(account.state, "connected")
        self.assertTrue(account.refresh_token)
        self.assertTrue(account.access_token)
        self.assertNotEqual(self.sync_data()["status"], "need_auth")
        # The state worked once: replaying Google's redirect stores nothing more.
        account.write({"refresh_token": "kept"})
        replay = self.url_open(back, allow_redirects=False)
        self.assertEqual(replay.status_code, 400)
        self.assertIn("already been used", replay.text)
        self.assertEqual(self.account(self.tech).refresh_token, "kept")

    def _callback(self, **params):
        return self.url_open(
            "/google_account/authentication?" + urlencode(params), allow_redirects=False
        )

    def _start(self, user):
        self.login(user)
        url = self.sync_data()["url"]
        return parse_qs(urlsplit(url).query)["state"][0], url

    def assertRefusedAndNothingStored(self, response, text, user=None):
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertIn(text, response.text)
        account = self.account(user or self.tech)
        self.assertFalse(account.refresh_token)
        self.assertNotEqual(account.state, "connected")

    def test_forged_state(self):
        state, _url = self._start(self.tech)
        forged = state[:-4] + ("0000" if not state.endswith("0000") else "1111")
        self.assertRefusedAndNothingStored(self._callback(state=forged, code="x"), "invalid")
        self.assertRefusedAndNothingStored(
            self._callback(state=oauth_state.PREFIX + "e30.abc", code="x"), "invalid"
        )

    def test_state_of_another_user(self):
        _state, url = self._start(self.other)
        back = self.consent(url)
        self.login(self.tech)
        self.assertRefusedAndNothingStored(
            self.url_open(back, allow_redirects=False), "another user", self.other
        )
        self.assertFalse(self.account(self.tech).refresh_token)

    def test_expired_state(self):
        self.login(self.tech)
        secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
        expired = oauth_state.make_state(
            secret,
            self.tech.id,
            self.session.sid,
            "nonce",
            "/web",
            now=time.time() - 2 * oauth_state.LIFETIME,
        )
        self.assertRefusedAndNothingStored(self._callback(state=expired, code="x"), "expired")

    def test_missing_code(self):
        state, _url = self._start(self.tech)
        self.assertRefusedAndNothingStored(self._callback(state=state), "without an authorization")

    def test_access_denied(self):
        _state, url = self._start(self.tech)
        back = self.consent(url, decision="deny")
        self.assertIn("error=access_denied", back)
        response = self.url_open(back, allow_redirects=False)
        self.assertEqual(response.status_code, 200)
        self.assertIn("You refused", response.text)
        self.assertFalse(self.account(self.tech).refresh_token)

    def test_return_url_must_be_local(self):
        for evil in (
            "https://evil.example/x",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
        ):
            self.login(self.tech)
            url = self.make_jsonrpc_request(
                "/google_calendar/sync_data", {"model": "of.planning.intervention", "fromurl": evil}
            )["url"]
            back = self.consent(url)
            response = self.url_open(back, allow_redirects=False)
            location = urlsplit(response.headers["Location"])
            # 17 answers an absolute URL on this server, 18+ a path: never another host.
            self.assertIn(location.netloc, ("", urlsplit(self.base_url()).netloc), evil)
            self.assertEqual(location.path, "/web", evil)
            self.account(self.tech).sudo()._forget_everything()
        self.assertEqual(oauth_state.safe_return_path("https://evil.example"), "/web")
        self.assertTrue(oauth_state.is_safe_return_path("/web#action=12&view_type=calendar"))

    def test_other_states_go_to_odoo_google_account(self):
        # Odoo's own flow (JSON state) is not ours: google_account handles it.
        response = self._callback(state='{"s": "calendar", "f": "/web"}', error="access_denied")
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web?error=access_denied", response.headers["Location"])


CLIENT_SECRET_MARK = "odoo-test-secret"
