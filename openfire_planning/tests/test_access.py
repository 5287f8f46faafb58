# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import PlanningCase


@tagged("post_install", "-at_install")
class TestAccess(PlanningCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="planning_manager", groups="openfire_planning.group_of_planning_manager"
        )
        cls.outsider = new_test_user(cls.env, login="no_planning", groups="base.group_user")

    def test_plain_user_plans_but_does_not_delete_or_configure(self):
        rdv = self.make_rdv().with_user(self.tech_user)
        rdv.write({"date": datetime(2026, 3, 2, 9)})
        created = self.Rdv.with_user(self.tech_user).create(
            {
                "name": "By a technician",
                "employee_ids": [(6, 0, self.tech.ids)],
                "date": datetime(2026, 3, 5, 8),
            }
        )
        self.assertTrue(created.number)
        with self.assertRaises(AccessError):
            created.unlink()
        with self.assertRaises(AccessError):
            self.env["of.planning.tache"].with_user(self.tech_user).create({"name": "Nope"})
        self.assertTrue(self.tache.with_user(self.tech_user).name)

    def test_manager_deletes_and_configures(self):
        rdv = self.make_rdv().with_user(self.manager)
        rdv.unlink()
        self.assertFalse(rdv.exists())
        tache = self.env["of.planning.tache"].with_user(self.manager).create({"name": "Audit"})
        tache.duree = 3
        self.assertEqual(tache.duree, 3)

    def test_user_without_planning_rights_sees_nothing(self):
        self.make_rdv()
        with self.assertRaises(AccessError):
            self.Rdv.with_user(self.outsider).search([])

    def test_plain_user_edits_a_whole_series(self):
        first = self.weekly_series(count=4).with_user(self.tech_user)
        first.write({"count": 2, "recurrence_update": "all_events"})
        self.assertEqual(len(first.recurrence_id.intervention_ids), 2)

    def test_rdvs_of_another_company_are_hidden(self):
        other = self.env["res.company"].create({"name": "Autre société"})
        self.make_rdv(company_id=other.id, name="Hidden")
        self.make_rdv(name="Visible")
        names = self.Rdv.with_user(self.tech_user).search([]).mapped("name")
        self.assertIn("Visible", names)
        self.assertNotIn("Hidden", names)
