# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Without Google Workspace: a planner's connected
account owns one calendar per technician and shares it with his e-mail."""

from datetime import datetime

from odoo.tests import tagged

from ..services import google_oauth, service_account
from .common import CLIENT_ID, CLIENT_SECRET
from .technician_common import TechnicianCase

try:  # the tests' own requirement (tests/common.py says how to install it)
    from google_emulator.errors import ApiError
    from google_emulator.testing import make_service
except ImportError:  # pragma: no cover
    ApiError = make_service = None


@tagged("post_install", "-at_install")
class TestTechnicianShared(TechnicianCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        set_param = cls.env["ir.config_parameter"].sudo().set_param
        set_param(service_account.MODE_PARAM, "shared")
        set_param(service_account.OWNER_PARAM, str(cls.jean.id))
        set_param(service_account.ROLE_PARAM, "reader")
        # technicians of any Google account (no Workspace)
        cls.nina = cls.field_employee("Nina Roux", "nina.roux@gmail.test")
        cls.theo = cls.field_employee("Théo Blanc", "theo.blanc@gmail.test")

    def setUp(self):
        super().setUp()
        # Jean, the planner, consented to sharing calendars too
        self.assertIn(
            google_oauth.ACL_SCOPE, self.env["of.google.account"]._consent_scopes(self.jean)
        )
        self.jean_account._store_tokens(
            self.emulator.mint_token(
                "jean@example.com",
                client_id=CLIENT_ID,
                scopes=[*google_oauth.SCOPES, google_oauth.ACL_SCOPE],
            )
        )

    def calendar_list(self, email):
        service = make_service(
            self.emulator, email, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
        )
        calendars = service.calendarList()  # pylint: disable=no-member
        return {entry["id"]: entry for entry in calendars.list().execute()["items"]}

    def test_technician_sees_his_calendar_and_a_reader_cannot_write(self):
        rdv = self.make_rdv(name="Chez Nina", employees=self.nina)
        self.make_rdv(name="Chez Théo", employees=self.theo, date=datetime(2026, 3, 3, 8, 0))
        self.cron()
        account = self.account_of(self.nina)
        self.assertEqual(account.kind, "shared")
        self.assertEqual(account.owner_account_id, self.jean_account)
        self.assertEqual(account.state, "connected", account.last_error)
        self.assertEqual(account.calendar_name, "Interventions — Nina Roux")
        self.assertEqual(account.shared_role, "reader")
        # the calendar is Jean's, and in Nina's list with her role
        entry = self.calendar_list("nina.roux@gmail.test")[account.calendar_id]
        self.assertEqual(entry["accessRole"], "reader")
        self.assertEqual(entry["summary"], "Interventions — Nina Roux")
        self.assertEqual(
            self.calendar_list("jean@example.com")[account.calendar_id]["accessRole"], "owner"
        )
        self.assertNotIn(
            self.account_of(self.theo).calendar_id, self.calendar_list("nina.roux@gmail.test")
        )
        self.assertEqual(self.summaries(self.nina), ["Chez Nina"])
        self.assertEqual(self.summaries(self.theo, "theo.blanc@gmail.test"), ["Chez Théo"])
        # Jean's own calendar keeps his own RDVs only
        self.assertFalse([event for event in self.events() if event.get("summary") == "Chez Nina"])
        with self.assertRaises(ApiError) as refused:
            self.phone_of(self.nina).patch_event(
                account.calendar_id, self.event_of_employee(rdv, self.nina), {"summary": "Non"}
            )
        self.assertEqual(refused.exception.status, 403)
        self.assertEqual(refused.exception.reason, "requiredAccessLevel")
        self.assertEqual(self.nina.of_google_kind, "shared")
        self.assertEqual(self.nina.of_google_shared_role, "reader")

    def test_a_writer_edit_comes_back(self):
        rdv = self.make_rdv(name="Chez Nina", employees=self.nina)
        self.cron()
        self.set_param(service_account.ROLE_PARAM, "writer")
        self.cron()  # the role follows the setting
        account = self.account_of(self.nina)
        self.assertEqual(account.shared_role, "writer")
        self.assertEqual(
            self.calendar_list("nina.roux@gmail.test")[account.calendar_id]["accessRole"], "writer"
        )
        self.phone_of(self.nina).patch_event(
            account.calendar_id,
            self.event_of_employee(rdv, self.nina),
            {
                "summary": "Décalé par Nina",
                "start": {"dateTime": "2026-03-02T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-02T11:30:00+01:00"},
            },
        )
        self.cron()
        rdv.invalidate_recordset()
        self.assertEqual(rdv.name, "Décalé par Nina")
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 9, 0))
        self.assertFalse(self.account_of(self.nina).last_error)

    def test_the_planner_not_connected_is_reported(self):
        self.make_rdv(name="Chez Nina", employees=self.nina)
        self.cron()
        self.jean_account._disconnect("gone", state="revoked")
        self.cron()
        account = self.account_of(self.nina)
        self.assertEqual(account.state, "disconnected")
        self.assertIn("not set or not connected", account.last_error)
        self.assertIn("not set or not connected", self.nina.of_google_last_error)

    def test_a_planner_who_did_not_allow_sharing_is_told(self):
        self.jean_account._store_tokens(
            self.emulator.mint_token(
                "jean@example.com", client_id=CLIENT_ID, scopes=list(google_oauth.SCOPES)
            )
        )
        self.make_rdv(name="Chez Nina", employees=self.nina)
        self.cron()
        account = self.account_of(self.nina)
        self.assertIn("has not allowed sharing calendars", account.last_error)
        self.assertIn("insufficientPermissions", account.last_error)
        self.assertFalse(account.shared_role)
        # once he allowed it, the next sync shares the calendar
        self.jean_account._store_tokens(
            self.emulator.mint_token(
                "jean@example.com",
                client_id=CLIENT_ID,
                scopes=[*google_oauth.SCOPES, google_oauth.ACL_SCOPE],
            )
        )
        self.cron()
        account.invalidate_recordset()
        self.assertEqual(account.shared_role, "reader")
        self.assertFalse(account.last_error)
        self.assertEqual(self.summaries(self.nina), ["Chez Nina"])
