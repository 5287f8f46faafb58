# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import TransactionCase, tagged
from odoo.tools.misc import file_open

from ..services import settings


@tagged("post_install", "-at_install")
class TestGoogleSetting(TransactionCase):
    """'(OF) Google Calendar' needs '(OF) Recurring RDVs': the connector syncs
    series, so it cannot be on while series are off."""

    def setUp(self):
        super().setUp()
        self.recurring = self.env.ref("openfire_planning.group_of_planning_recurring")
        self.google = self.env.ref("openfire_google_calendar.group_of_planning_google")
        self.employee = self.env.ref("base.group_user")

    def save(self, **values):
        wizard = self.env["res.config.settings"].create(values)
        wizard.execute()
        return wizard

    def test_both_on(self):
        self.save(group_of_planning_recurring=True, group_of_planning_google=True)
        self.assertIn(self.recurring, self.employee.implied_ids)
        self.assertIn(self.google, self.employee.implied_ids)
        self.assertTrue(
            self.env.user.has_group("openfire_google_calendar.group_of_planning_google")
        )

    def test_unticking_recurring_unticks_google(self):
        self.save(group_of_planning_recurring=True, group_of_planning_google=True)
        wizard = self.env["res.config.settings"].new(
            {"group_of_planning_recurring": True, "group_of_planning_google": True}
        )
        wizard.group_of_planning_recurring = False
        wizard._onchange_group_of_planning_recurring()
        self.assertFalse(wizard.group_of_planning_google)
        # Saved without the form's help, the rule still holds.
        self.save(group_of_planning_recurring=False, group_of_planning_google=True)
        self.assertNotIn(self.google, self.employee.implied_ids)
        self.assertNotIn(self.recurring, self.employee.implied_ids)

    def test_ticking_google_ticks_recurring(self):
        wizard = self.env["res.config.settings"].new(
            {"group_of_planning_recurring": False, "group_of_planning_google": False}
        )
        wizard.group_of_planning_google = True
        wizard._onchange_group_of_planning_google()
        self.assertTrue(wizard.group_of_planning_recurring)

    def test_settings_view_shows_both_settings(self):
        arch = self.env["res.config.settings"].get_view(
            self.env.ref("base.res_config_settings_view_form").id
        )["arch"]
        self.assertIn('name="group_of_planning_recurring"', arch)
        self.assertIn('name="group_of_planning_google"', arch)


@tagged("post_install", "-at_install")
class TestCustomerInTitleSetting(TransactionCase):
    """The customer in the events' titles is on by default, and unticking it
    sticks (Odoo deletes the parameter of an unticked config_parameter box)."""

    KEY = "openfire_google_calendar.title_customer"

    def test_default_on_and_unticking_sticks(self):
        from ..services.rdv_conversion import content_settings

        params = self.env["ir.config_parameter"].sudo()
        params.search([("key", "=", self.KEY)]).unlink()
        self.assertTrue(self.env["res.config.settings"].create({}).of_google_title_customer)
        self.assertTrue(content_settings(self.env).customer_in_title)
        self.env["res.config.settings"].create({"of_google_title_customer": False}).execute()
        self.assertEqual(params.get_param(self.KEY), "0")
        self.assertFalse(self.env["res.config.settings"].create({}).of_google_title_customer)
        self.assertFalse(content_settings(self.env).customer_in_title)
        self.env["res.config.settings"].create({"of_google_title_customer": True}).execute()
        self.assertTrue(content_settings(self.env).customer_in_title)


@tagged("post_install", "-at_install")
class TestEveryParameterDocumented(TransactionCase):
    def test_the_configuration_fragment_names_every_parameter(self):
        """One source per fact: each system parameter the connector reads is
        named in readme/CONFIGURE.md (the Apps page's configuration)."""
        with file_open("openfire_google_calendar/readme/CONFIGURE.md") as handle:
            text = handle.read()
        missing = [name for name in settings.PARAMS if "." + name not in text]
        self.assertFalse(missing, "not in CONFIGURE.md: %s" % missing)
        self.assertEqual(settings.get(self.env, "availability_weeks"), 4)
        self.env["ir.config_parameter"].set_param(settings.PREFIX + "availability_weeks", "x")
        self.assertEqual(settings.get(self.env, "availability_weeks"), 4)  # unreadable: default
