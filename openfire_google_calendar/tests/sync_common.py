# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Two technicians with Google accounts on the emulator, connected, and
helpers to act on both sides."""

from datetime import datetime

from odoo import Command
from odoo.release import version_info
from odoo.tests import HttpCase, new_test_user

from ..services.google_oauth import SCOPES
from ..services.sync_runner import run_sync
from .common import CLIENT_ID, french_strings, start_emulator_for


def paris_event(summary, start, end):
    """An event body as a phone in Paris writes it (naive ISO ``start``, ``end``)."""
    return {
        "summary": summary,
        "start": {"dateTime": start, "timeZone": "Europe/Paris"},
        "end": {"dateTime": end, "timeZone": "Europe/Paris"},
    }


class SyncCase(HttpCase):
    """An HTTP test case: the registry is in test mode, so the sync's own
    cursor (services/sync_session.py) shares the test's transaction, and
    Odoo's HTTP server is up for the emulator's push notifications."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = start_emulator_for(cls, "http://127.0.0.1/cb")
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Rdv = cls.env["of.planning.intervention"]
        # The tests' RDVs are dated in early 2026, whatever today is: no sync
        # window (tests/test_sync_window.py sets one).
        cls.env["ir.config_parameter"].set_param("openfire_google_calendar.sync_window_days", "0")
        # Titles are the RDVs' names in the sync tests (test_event_content checks
        # the default, the customer in the title).
        cls.env["ir.config_parameter"].set_param("openfire_google_calendar.title_customer", "0")
        cls.jean, cls.jean_emp, cls.jean_account = cls.technician("jean")
        cls.sophie, cls.sophie_emp, cls.sophie_account = cls.technician("sophie")
        cls.customer = cls.env["res.partner"].create(
            {"name": "Famille Durand", "street": "12 rue des Lilas", "zip": "69003", "city": "Lyon"}
        )

    def setUp(self):
        super().setUp()
        # Fresh tokens each test: a test may revoke them in the emulator, whose
        # state the database rollback does not undo.
        for account in (self.jean_account, self.sophie_account):
            account._store_tokens(
                self.emulator.mint_token(
                    account.user_id.email, client_id=CLIENT_ID, scopes=list(SCOPES)
                )
            )

    def wait_for_push(self):
        """Let the emulator's push notifications reach Odoo's test server and wait for
        them. 19's HttpCase serves a request only inside allow_requests, and refuses one
        without its test cookie, which Google's notifications have not."""
        if version_info[0] >= 19:
            with self.allow_requests(all_requests=True):
                return self.emulator.wait_for_push()
        return self.emulator.wait_for_push()

    @classmethod
    def technician(cls, name):
        email = "%s@example.com" % name
        cls.emulator.add_account(email)
        user = new_test_user(
            cls.env,
            login=name + "_sync",
            email=email,
            tz="Europe/Paris",
            groups="base.group_user,openfire_planning.group_of_planning_user",
        )
        employee = cls.env["hr.employee"].create(
            {"name": name.title(), "user_id": user.id, "work_email": email}
        )
        account = cls.env["of.google.account"]._for_user(user)
        account._store_tokens(
            cls.emulator.mint_token(email, client_id=CLIENT_ID, scopes=list(SCOPES))
        )
        return user, employee, account

    def sync(self, account=None, **kwargs):
        result = run_sync(self.env, (account or self.jean_account).user_id.id, **kwargs).as_dict()
        self.assertIn(result.get("status"), ("need_refresh", "no_new_event_from_google"), result)
        return result

    def make_rdv(self, employees=None, **values):
        base = {
            "name": "Entretien chaudière",
            "date": datetime(2026, 3, 2, 8, 0),
            "duree": 1.5,
            "tz": "Europe/Paris",
            "partner_id": self.customer.id,
            "state": "confirm",
            "employee_ids": [Command.set((employees or self.jean_emp).ids)],
        }
        base.update(values)
        return self.Rdv.create(base)

    def french(self):
        """French on, the addon's terms loaded, fr.po's French for the Python
        strings (:func:`.common.french_strings`)."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["openfire_google_calendar"], ["fr_FR"], overwrite=True
        )
        self.enterContext(french_strings())

    def phone_moves(self, rdv, start, end, account=None):
        """The technician moves the RDV's event on his phone (UTC RFC 3339
        ``start`` and ``end``); the sync runs."""
        self.phone(account).patch_event(
            self.calendar(account),
            self.event_of(rdv, account)["id"],
            {"start": {"dateTime": start}, "end": {"dateTime": end}},
        )
        self.sync(account)

    def phone(self, account=None):
        return self.emulator.phone((account or self.jean_account).user_id.email)

    def calendar(self, account=None):
        return (account or self.jean_account).calendar_id

    def events(self, account=None, **kwargs):
        return self.phone(account).list_events(self.calendar(account), **kwargs)

    def event_of(self, rdv_or_key, account=None):
        key = rdv_or_key if isinstance(rdv_or_key, str) else str(rdv_or_key.id)
        link = self.env["of.google.event.link"].search(
            [("account_id", "=", (account or self.jean_account).id), ("rdv_key", "=", key)]
        )
        self.assertTrue(link, "no Google event for %s" % key)
        return self.phone(account).get_event(self.calendar(account), link.google_event_id)
