# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo.tests import tagged

from .common import USER_ALL_GROUPS, PlanningCase


@tagged("post_install", "-at_install")
class TestSettings(PlanningCase):
    def test_recurring_rdvs_setting_grants_the_group(self):
        group = self.env.ref("openfire_planning.group_of_planning_recurring")
        employee_group = self.env.ref("base.group_user")
        settings = self.env["res.config.settings"].create({"group_of_planning_recurring": True})
        settings.execute()
        self.assertIn(group, employee_group.implied_ids)
        self.assertIn(group, self.tech_user[USER_ALL_GROUPS])
        settings = self.env["res.config.settings"].create({"group_of_planning_recurring": False})
        settings.execute()
        self.assertNotIn(group, employee_group.implied_ids)

    def test_planning_time_zone_setting(self):
        settings = self.env["res.config.settings"].create({"of_planning_tz": "Europe/Brussels"})
        settings.execute()
        self.assertEqual(self.env.company.of_planning_tz, "Europe/Brussels")
