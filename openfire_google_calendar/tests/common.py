# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The emulator as Google for the Odoo tests: started in this process on a
free loopback port, with the endpoints and credentials pointed at it."""

import re
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import polib
import requests

from odoo import Command
from odoo.tests import HttpCase, new_test_user
from odoo.tools.misc import file_path
from odoo.tools.translate import code_translations

try:
    from google_emulator import Emulator
except ImportError:  # the tests' own requirement: the google-emulator distribution
    Emulator = None

CLIENT_ID = "odoo-test-client.apps.example"
CLIENT_SECRET = "odoo-test-secret"


def french_strings():
    """fr.po's French for the addon's Python strings, as a patch to enter once
    French is active: Odoo keeps only the msgids of the addon's .pot when it
    reads fr.po (polib merge), and the .pot is exported from the code when
    the work is done, so the French is loaded as it will be then."""
    po = polib.pofile(file_path("openfire_google_calendar/i18n/fr.po"))
    french = {entry.msgid: entry.msgstr for entry in po if entry.msgstr}
    key = ("openfire_google_calendar", "fr_FR")
    translations = dict(code_translations.python_translations)
    translations[key] = dict(code_translations.get_python_translations(*key), **french)
    return patch.object(code_translations, "python_translations", translations)


def start_emulator_for(case, redirect_uri):
    """Start an emulator for a test class and point the connector at it: the
    client credentials, the endpoints, and both settings ticked."""
    if Emulator is None:
        raise RuntimeError(
            "google_emulator is not importable: install the google-emulator "
            "distribution into Odoo's Python (pip install ./google_emulator "
            "from the repository; tools/setup_odoo.sh does)"
        )
    emulator = Emulator(seed=0).start()
    case.addClassCleanup(emulator.stop)
    emulator.add_client(CLIENT_ID, CLIENT_SECRET, [redirect_uri])
    set_param = case.env["ir.config_parameter"].sudo().set_param
    set_param("google_calendar_client_id", CLIENT_ID)
    set_param("google_calendar_client_secret", CLIENT_SECRET)
    for key in ("auth_uri", "token_uri", "revoke_uri", "api_endpoint"):
        set_param("openfire_google_calendar." + key, getattr(emulator, key))
    case.env.ref("base.group_user").write(
        {
            "implied_ids": [
                Command.link(case.env.ref("openfire_planning.group_of_planning_recurring").id),
                Command.link(case.env.ref("openfire_google_calendar.group_of_planning_google").id),
            ]
        }
    )
    return emulator


class GoogleEmulatorCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.callback = cls.base_url() + "/google_account/authentication"
        cls.emulator = start_emulator_for(cls, cls.callback)
        cls.env["ir.config_parameter"].sudo().set_param("web.base.url", cls.base_url())
        cls.tech = cls.make_user("tech_oauth", "tech.oauth@example.com")
        cls.other = cls.make_user("other_oauth", "other.oauth@example.com")

    @classmethod
    def make_user(cls, login, email):
        cls.emulator.add_account(email)
        return new_test_user(
            cls.env,
            login=login,
            email=email,
            password=login + "-pw1",
            groups="base.group_user,openfire_planning.group_of_planning_user",
        )

    def login(self, user):
        self.authenticate(user.login, user.login + "-pw1")

    def sync_data(self, fromurl="/web#action=planning"):
        return self.make_jsonrpc_request(
            "/google_calendar/sync_data", {"model": "of.planning.intervention", "fromurl": fromurl}
        )

    def consent(self, url, decision="allow"):
        """Play the user on the emulator's consent page; return the URL
        Google sends the browser back to."""
        page = requests.get(url, timeout=10)
        page.raise_for_status()
        request_id = re.search(r'name="request_id" value="([^"]+)"', page.text).group(1)
        email = parse_qs(urlsplit(url).query).get("login_hint", [""])[0]
        answer = requests.post(
            self.emulator.base_url + "/o/oauth2/approval",
            data={
                "request_id": request_id,
                "decision": decision,
                "email": email,
            },
            allow_redirects=False,
            timeout=10,
        )
        self.assertIn(answer.status_code, (302, 303))
        return answer.headers["Location"]

    def account(self, user):
        return self.env["of.google.account"].sudo().search([("user_id", "=", user.id)])
