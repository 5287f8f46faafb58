# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The service account's key: readable by administrators only,
server-side, and in no answer or page sent to a browser, not even an
administrator's (the settings show which account it is)."""

import json

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..services import service_account
from .technician_common import TechnicianCase


@tagged("post_install", "-at_install")
class TestTechnicianSecrets(TechnicianCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.planner = new_test_user(
            cls.env,
            login="planner_secret",
            password="planner_secret-pw1",
            groups="base.group_user,openfire_planning.group_of_planning_manager,"
            "hr.group_hr_manager",
        )
        cls.admin = new_test_user(
            cls.env,
            login="admin_secret",
            password="admin_secret-pw1",
            groups="base.group_user,base.group_system,hr.group_hr_user",
        )

    def secrets(self):
        """Pieces of the key that must never leave the server."""
        body = self.key["private_key"].splitlines()[1]
        return ["PRIVATE KEY", self.key["private_key_id"], body, body[:40].replace("/", "\\/")]

    def assertNoSecret(self, text, where):
        for secret in self.secrets():
            self.assertNotIn(secret, text, "a secret of the service account in %s" % where)

    def rpc(self, model, method, args, kwargs=None):
        """A JSON-RPC call as the browser makes it: (raw answer, error or None)."""
        payload = {
            "jsonrpc": "2.0",
            "method": "call",
            "id": 1,
            "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        }
        response = self.url_open(
            "/web/dataset/call_kw/%s/%s" % (model, method),
            data=json.dumps(payload),
            headers={"Content-Type": "application/json"},
        )
        self.assertEqual(response.status_code, 200)
        return response.text, response.json().get("error")

    def test_the_key_is_write_only_in_the_settings(self):
        self.set_param(service_account.KEY_PARAM, False)
        Settings = self.env["res.config.settings"].with_user(self.admin)
        with self.assertRaises(UserError):
            Settings.create({"of_google_service_account_key": '{"type": "authorized_user"}'})
        settings = Settings.create({"of_google_service_account_key": json.dumps(self.key)})
        self.assertEqual(service_account.load_key(self.env), self.key)
        self.assertFalse(settings.of_google_service_account_key)
        settings.flush_recordset()
        self.env.cr.execute(
            "SELECT of_google_service_account_key FROM res_config_settings WHERE id = %s",
            [settings.id],
        )
        self.assertEqual(self.env.cr.fetchone(), (None,), "the transient row holds no key")
        self.assertEqual(
            settings.of_google_service_account_status,
            "Key set: %s (key %s…)" % (self.key["client_email"], self.key["private_key_id"][:8]),
        )
        # nor comes back in what the settings form loads
        values = Settings.default_get(list(Settings._fields))
        self.assertNoSecret(json.dumps(values, default=str), "the settings' values")
        settings.action_of_google_remove_key()
        self.assertFalse(service_account.load_key(self.env))

    def test_settings_saved_as_parameters(self):
        settings = (
            self.env["res.config.settings"]
            .with_user(self.admin)
            .create(
                {
                    "of_google_technicians_mode": "shared",
                    "of_google_shared_owner_id": self.jean.id,
                    "of_google_shared_role": "writer",
                    "of_google_workspace_domain": "acme.fr, acme.com",
                    "of_google_technician_calendar": "primary",
                }
            )
        )
        settings.execute()
        get_param = self.env["ir.config_parameter"].sudo().get_param
        self.assertEqual(get_param(service_account.MODE_PARAM), "shared")
        self.assertEqual(get_param(service_account.OWNER_PARAM), str(self.jean.id))
        self.assertEqual(get_param(service_account.ROLE_PARAM), "writer")
        self.assertEqual(service_account.domains(self.env), ["acme.fr", "acme.com"])
        self.assertEqual(get_param(service_account.CALENDAR_PARAM), "primary")
        self.assertEqual(service_account.load_key(self.env), self.key, "the key stays")
        reloaded = self.env["res.config.settings"].with_user(self.admin).create({})
        self.assertEqual(reloaded.of_google_shared_owner_id, self.jean)

    def test_no_secret_for_a_non_administrator_through_the_orm(self):
        self.make_rdv(employees=self.marc)
        self.cron()
        env = self.env(user=self.planner)
        with self.assertRaises(AccessError):
            env["ir.config_parameter"].get_param(service_account.KEY_PARAM)
        with self.assertRaises(AccessError):
            env["ir.config_parameter"].search_read([("key", "ilike", "service_account")])
        # the key is no settings' value: nothing to default to
        values = env["res.config.settings"].default_get(
            ["of_google_service_account_key", "of_google_service_account_status"]
        )
        self.assertNoSecret(json.dumps(values, default=str), "the settings' defaults")
        self.assertFalse(
            env["of.google.account"].search([]).filtered("employee_id"),
            "the technicians' accounts are the administrators'",
        )
        employee = env["hr.employee"].browse(self.marc.id)
        values = employee.read([name for name in employee._fields if name.startswith("of_google")])
        self.assertEqual(values[0]["of_google_state"], "connected")
        self.assertNoSecret(json.dumps(values, default=str), "the employee's fields")

    def test_no_secret_for_a_non_administrator_through_json_rpc(self):
        self.make_rdv(employees=self.marc)
        self.cron()
        self.authenticate("planner_secret", "planner_secret-pw1")
        for model, method, args in (
            ("ir.config_parameter", "get_param", [service_account.KEY_PARAM]),
            ("ir.config_parameter", "search_read", [[], ["key", "value"]]),
            ("res.config.settings", "default_get", [["of_google_service_account_key"]]),
            ("res.config.settings", "search_read", [[]]),
            ("of.google.account", "search_read", [[]]),
        ):
            text, error = self.rpc(model, method, args)
            self.assertNoSecret(text, "%s.%s" % (model, method))
            if method != "default_get" and model != "of.google.account":
                self.assertTrue(error, "%s.%s answered a planner" % (model, method))
        fields = [
            "name",
            "of_google_kind",
            "of_google_state",
            "of_google_email",
            "of_google_calendar_name",
            "of_google_last_error",
            "of_google_synced",
        ]
        text, error = self.rpc("hr.employee", "read", [[self.marc.id], fields])
        self.assertFalse(error, text)
        self.assertIn("marc@acme.fr", text)
        self.assertNoSecret(text, "the employee's record")
        text, error = self.rpc(
            "of.google.account", "read", [self.account_of(self.marc).ids, ["access_token"]]
        )
        self.assertTrue(error, "a planner read a technician's account")
        self.assertNoSecret(text, "the technician's account")

    def test_no_secret_in_the_pages_sent_to_a_browser(self):
        self.make_rdv(employees=self.marc)
        self.cron()
        for login in ("planner_secret", "admin_secret"):
            self.authenticate(login, login + "-pw1")
            page = self.url_open("/web")
            self.assertEqual(page.status_code, 200)
            self.assertNoSecret(page.text, "the web client's page for %s" % login)
            # the employee form, as its view and its record
            text, error = self.rpc("hr.employee", "get_views", [[[False, "form"]]])
            self.assertFalse(error, text)
            self.assertIn("of_google_state", text)
            self.assertNoSecret(text, "the employee form for %s" % login)
            text, error = self.rpc("res.config.settings", "get_views", [[[False, "form"]]])
            self.assertNoSecret(text, "the settings view for %s" % login)
            if login == "admin_secret":
                self.assertFalse(error, text)
                self.assertIn("of_google_service_account_key", text)
                text, error = self.rpc("res.config.settings", "default_get", [[]])
                self.assertFalse(error, text)
                self.assertNoSecret(text, "the settings' values for the administrator")
                text, error = self.rpc(
                    "res.config.settings",
                    "create",
                    [{"of_google_technicians_mode": "delegated"}],
                )
                self.assertFalse(error, text)
                text, error = self.rpc(
                    "res.config.settings",
                    "read",
                    [
                        [json.loads(text)["result"]],
                        ["of_google_service_account_status", "of_google_service_account_key"],
                    ],
                )
                self.assertFalse(error, text)
                self.assertIn(self.key["client_email"], text)
                self.assertNoSecret(text, "the settings' record for the administrator")
            else:
                self.assertNotIn("of_google_service_account", text)
