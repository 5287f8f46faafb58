# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Technicians without an Odoo login: employees whose e-mails are
accounts of the emulator, a service account authorised for their Workspace
domain, and helpers to act on both sides."""

import json

from ..services import google_oauth, service_account
from .common import CLIENT_ID
from .sync_common import SyncCase

try:  # the tests' own requirement (tests/common.py says how to install it)
    from google_emulator.testing import make_service_account
except ImportError:  # pragma: no cover
    make_service_account = None


class TechnicianCase(SyncCase):
    DOMAIN = "acme.fr"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.key = make_service_account(cls.emulator, domain=cls.DOMAIN)
        set_param = cls.env["ir.config_parameter"].sudo().set_param
        set_param(service_account.KEY_PARAM, json.dumps(cls.key))
        set_param(service_account.DOMAIN_PARAM, cls.DOMAIN)
        set_param(service_account.MODE_PARAM, "delegated")
        cls.marc = cls.field_employee("Marc Petit", "marc@acme.fr")
        cls.julie = cls.field_employee("Julie Martin", "julie@acme.fr")
        cls.karim = cls.field_employee("Karim Benali", "karim@acme.fr")

    def setUp(self):
        super().setUp()
        # The emulator outlives the test's rollback: the delegation a test
        # withdrew is given back.
        self.emulator.authorize_delegation(self.key["client_id"], self.DOMAIN)

    @classmethod
    def field_employee(cls, name, email):
        """An employee without an Odoo user, his work e-mail a Google account."""
        if email:
            cls.emulator.add_account(email, time_zone="Europe/Paris")
        return cls.env["hr.employee"].create(
            {"name": name, "work_email": email, "tz": "Europe/Paris"}
        )

    def calendars_shared_by_jean(self, *extra_scopes):
        """The "calendars shared by a planner" mode, the planner Jean, who
        consented to sharing them (and to ``extra_scopes``)."""
        self.set_param(service_account.MODE_PARAM, "shared")
        self.set_param(service_account.OWNER_PARAM, str(self.jean.id))
        self.jean_account._store_tokens(
            self.emulator.mint_token(
                "jean@example.com",
                client_id=CLIENT_ID,
                scopes=[*google_oauth.SCOPES, google_oauth.ACL_SCOPE, *extra_scopes],
            )
        )

    def set_param(self, key, value):
        self.env["ir.config_parameter"].sudo().set_param(key, value)

    def cron(self):
        return self.env["of.google.account"]._cron_sync_all()

    def account_of(self, employee):
        return self.env["of.google.account"].sudo().search([("employee_id", "=", employee.id)])

    def phone_of(self, employee):
        return self.emulator.phone(employee.work_email)

    def events_of(self, employee, phone_email=None):
        """The events of the employee's synced calendar, as his phone (or
        ``phone_email``'s) sees them."""
        account = self.account_of(employee)
        self.assertTrue(account.calendar_id, "%s has no synced calendar" % employee.name)
        return self.emulator.phone(phone_email or employee.work_email).list_events(
            account.calendar_id
        )

    def summaries(self, employee, phone_email=None):
        return sorted(
            event.get("summary")
            for event in self.events_of(employee, phone_email)
            if event.get("status") != "cancelled"
        )

    def event_of_employee(self, rdv, employee):
        account = self.account_of(employee)
        link = self.env["of.google.event.link"].search(
            [("account_id", "=", account.id), ("rdv_key", "=", str(rdv.id))]
        )
        self.assertTrue(link, "no Google event for %s in %s's calendar" % (rdv.name, employee.name))
        return link.google_event_id
