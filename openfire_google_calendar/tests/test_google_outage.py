# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Google unreachable (connection refused, then timeouts, its token endpoint
answering 503): the button answers quickly with a clear message, nobody is
disconnected for it, the administrators' list shows the outage, and every
account catches up at the next round once Google is back."""

import socket
import time
from datetime import datetime, timedelta

from odoo import fields
from odoo.tests import tagged

from ..services.sync_outcome import ErrorKind
from ..services.sync_runner import INTERACTIVE_TIMEOUT, run_sync
from .technician_common import TechnicianCase


def closed_port_url():
    """An address where nothing listens: connection refused."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return "http://127.0.0.1:%d/" % port


@tagged("post_install", "-at_install")
class TestGoogleOutage(TechnicianCase):
    def setUp(self):
        super().setUp()
        self.params = self.env["ir.config_parameter"].sudo()
        self.google = {
            key: self.params.get_param("openfire_google_calendar." + key)
            for key in ("token_uri", "api_endpoint")
        }

    def down(self, key, url):
        self.params.set_param("openfire_google_calendar." + key, url)

    def back(self):
        self.emulator.set_token_outage(None)
        for key, url in self.google.items():
            self.params.set_param("openfire_google_calendar." + key, url)

    def token_endpoint_503(self):
        """Google's token endpoint answers 503 temporarily_unavailable."""
        self.emulator.set_token_outage(503)
        self.addCleanup(self.emulator.set_token_outage, None)

    def silent_url(self):
        """An address that takes the connection and never answers: timeouts."""
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        self.addCleanup(silent.close)
        return "http://127.0.0.1:%d/" % silent.getsockname()[1]

    def assert_outage(self, outcome, account):
        self.assertEqual(outcome.status.value, "error", outcome)
        self.assertIs(outcome.error_kind, ErrorKind.UNAVAILABLE, outcome)
        self.assertTrue(outcome.transient)
        self.assertIn("cannot be reached for now", outcome.message)
        # still connected: an outage is no lost access
        self.assertEqual(account.state, "connected")
        if account.kind == "oauth":
            self.assertTrue(account.sudo().refresh_token)
        # the administrators' list shows it
        self.assertEqual(account.last_error_kind, "unavailable")
        self.assertIn("cannot be reached for now", account.last_error)

    def summaries_of(self, account):
        return sorted(
            event.get("summary")
            for event in self.phone(account).list_events(account.calendar_id)
            if event.get("status") != "cancelled"
        )

    def test_token_endpoint_503_on_a_401_keeps_the_user_connected(self):
        self.make_rdv(name="Chez Durand")
        self.sync()
        self.make_rdv(name="Chez Martin", date=datetime(2026, 3, 3, 8, 0))
        self.emulator.expire_access_tokens()  # Google answers 401: the client refreshes
        self.token_endpoint_503()
        outcome = run_sync(self.env, self.jean.id, interactive=True)
        self.assert_outage(outcome, self.jean_account)
        self.back()
        self.sync()
        self.assertEqual(self.summaries_of(self.jean_account), ["Chez Durand", "Chez Martin"])
        self.assertFalse(self.jean_account.last_error)

    def test_token_endpoint_unreachable_keeps_the_user_connected(self):
        self.make_rdv(name="Chez Durand")
        self.sync()
        self.jean_account.sudo().token_expiry = fields.Datetime.now() - timedelta(minutes=5)
        self.down("token_uri", closed_port_url())
        outcome = run_sync(self.env, self.jean.id, interactive=True)
        self.assert_outage(outcome, self.jean_account)
        self.back()
        self.sync()
        self.assertFalse(self.jean_account.last_error)

    def test_calendar_api_refused_then_timeouts_answer_quickly_and_catch_up(self):
        self.make_rdv(name="Chez Durand")
        self.make_rdv(name="Chez Sophie", employees=self.sophie_emp)
        self.sync()
        self.sync(self.sophie_account)
        self.make_rdv(name="Chez Martin", date=datetime(2026, 3, 3, 8, 0))
        self.make_rdv(name="Encore Sophie", employees=self.sophie_emp, date=datetime(2026, 3, 3))
        self.down("api_endpoint", closed_port_url())
        started = time.monotonic()
        outcome = run_sync(self.env, self.jean.id, interactive=True)
        self.assertLess(time.monotonic() - started, 5)
        self.assert_outage(outcome, self.jean_account)
        self.down("api_endpoint", self.silent_url())
        started = time.monotonic()
        outcome = run_sync(self.env, self.sophie.id, interactive=True)
        self.assertLess(time.monotonic() - started, INTERACTIVE_TIMEOUT + 4)
        self.assert_outage(outcome, self.sophie_account)
        self.assertIn(self.jean_account.id, self.jean._trouble_account_ids())
        # no RDV is left in an error of its own
        links = self.env["of.google.event.link"].search([("sync_state", "=", "error")])
        self.assertFalse(links.mapped("sync_error"))
        # Google is back: the next round catches every account up
        self.back()
        self.cron()
        self.assertEqual(self.summaries_of(self.jean_account), ["Chez Durand", "Chez Martin"])
        self.assertEqual(self.summaries_of(self.sophie_account), ["Chez Sophie", "Encore Sophie"])
        for account in (self.jean_account, self.sophie_account):
            self.assertFalse(account.last_error)

    def test_token_endpoint_503_marks_no_delegation_refused(self):
        self.make_rdv(name="Chez Marc", employees=self.marc)
        self.make_rdv(name="Chez Julie", employees=self.julie)
        self.cron()
        technicians = self.account_of(self.marc) | self.account_of(self.julie)
        technicians.sudo().write({"access_token": False, "token_expiry": False})
        self.make_rdv(name="Encore Marc", employees=self.marc, date=datetime(2026, 3, 4, 8, 0))
        self.make_rdv(name="Chez Jean", date=datetime(2026, 3, 4, 10, 0))
        self.token_endpoint_503()
        self.cron()
        for account in technicians:
            self.assertEqual(account.state, "connected", account.last_error)
            self.assertEqual(account.last_error_kind, "unavailable")
            self.assertIn("cannot be reached for now", account.last_error)
        # the others go on (Jean's token is still good)
        self.assertIn("Chez Jean", self.summaries_of(self.jean_account))
        self.back()
        self.cron()
        self.assertEqual(self.summaries(self.marc), ["Chez Marc", "Encore Marc"])
        self.assertFalse(self.account_of(self.marc).last_error)
