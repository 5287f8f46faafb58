# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Access withdrawn in the middle of a run: a user's consent (his refresh
token revoked: invalid_grant), a Workspace delegation removed in the Admin
console (unauthorized_client). The account is marked with a message saying
what to do, the others go on, and access given back resumes the sync with
no duplicate of what the interrupted run had written."""

from collections import Counter
from datetime import datetime, timedelta

from odoo.tests import tagged

from ..services.google_oauth import SCOPES
from ..services.sync_runner import run_sync
from .common import CLIENT_ID
from .technician_common import TechnicianCase


@tagged("post_install", "-at_install")
class TestAccessWithdrawn(TechnicianCase):
    def withdraw_at_batch(self, number, withdraw):
        """Google withdraws the access just before the ``number``-th request
        of the next run (the listing is the first; batches follow): the
        emulator's fault draw is where it happens, before any authentication."""
        faults = self.emulator.faults
        draw = faults.draw
        seen = []

        def drawing(target):
            if target == "request":
                seen.append(target)
                if len(seen) == number:
                    withdraw()
            return draw(target)

        faults.draw = drawing
        self.addCleanup(setattr, faults, "draw", draw)

    def many_rdvs(self, employee, count, name):
        start = datetime(2026, 4, 1, 6, 0)
        for index in range(count):
            self.make_rdv(
                name="%s %03d" % (name, index),
                employees=employee,
                date=start + timedelta(hours=index),
            )

    def counts(self, calendar_id, email):
        return Counter(
            event.get("summary")
            for event in self.emulator.phone(email).list_events(calendar_id)
            if event.get("status") != "cancelled"
        )

    def assert_each_once(self, calendar_id, email, expected):
        counts = self.counts(calendar_id, email)
        self.assertEqual(sorted(counts), sorted(expected))
        self.assertEqual(set(counts.values()), {1})
        errors = self.env["of.google.event.link"].search([("sync_state", "=", "error")])
        self.assertFalse(errors.mapped("sync_error"))

    def test_consent_withdrawn_mid_run(self):
        self.make_rdv(name="Premier")
        self.sync()
        self.many_rdvs(self.jean_emp, 120, "Jean")
        self.make_rdv(name="Chez Sophie", employees=self.sophie_emp)
        self.withdraw_at_batch(3, lambda: self.emulator.revoke("jean@example.com"))
        outcome = run_sync(self.env, self.jean.id)
        account = self.jean_account
        self.assertEqual(outcome.status.value, "need_auth", outcome)
        self.assertEqual(account.state, "revoked")
        self.assertIn("the access was revoked or has expired", account.last_error)
        self.assertIn('Press "Sync. with Google" to connect again', account.last_error)
        self.assertIn(account.id, self.jean._trouble_account_ids())
        written = sum(self.counts(account.calendar_id, "jean@example.com").values())
        self.assertTrue(1 < written < 121, written)  # interrupted after a batch
        # the others go on
        self.cron()
        self.assertEqual(self.summaries_of(self.sophie_account), ["Chez Sophie"])
        self.assertEqual(account.state, "revoked")
        # he connects again: the rest goes, nothing twice
        account._store_tokens(
            self.emulator.mint_token("jean@example.com", client_id=CLIENT_ID, scopes=list(SCOPES))
        )
        self.sync()
        expected = ["Premier"] + ["Jean %03d" % index for index in range(120)]
        self.assert_each_once(account.calendar_id, "jean@example.com", expected)
        self.assertFalse(account.last_error)

    def summaries_of(self, account):
        return sorted(self.counts(account.calendar_id, account.user_id.email))

    def test_delegation_removed_mid_run(self):
        self.make_rdv(name="Chez Marc", employees=self.marc)
        self.make_rdv(name="Chez Julie", employees=self.julie)
        self.cron()
        marc = self.account_of(self.marc)
        self.many_rdvs(self.marc, 120, "Marc")

        def withdraw():
            self.emulator.revoke_delegation(self.key["client_id"])
            self.emulator.expire_access_tokens()

        self.withdraw_at_batch(3, withdraw)
        run_sync(self.env, account_id=marc.id)
        for employee in (self.marc, self.julie):
            account = self.account_of(employee)
            self.assertEqual(account.state, "revoked", employee.name)
            self.assertIn("Google Workspace refuses the delegation", account.last_error)
            self.assertIn("Domain-wide delegation", account.last_error)
        # a user's own connection goes on
        self.make_rdv(name="Chez Jean", date=datetime(2026, 3, 5, 8, 0))
        self.sync()
        self.assertEqual(self.jean_account.state, "connected")
        # the delegation given back: the technicians resume, nothing twice
        self.emulator.authorize_delegation(self.key["client_id"], self.DOMAIN)
        self.cron()
        expected = ["Chez Marc"] + ["Marc %03d" % index for index in range(120)]
        self.assert_each_once(marc.calendar_id, "marc@acme.fr", expected)
        self.assertEqual(marc.state, "connected")
        self.assertFalse(marc.last_error)
