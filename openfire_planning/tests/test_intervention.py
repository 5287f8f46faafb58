# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo.release import version_info
from odoo.tests import tagged

from .common import PlanningCase


@tagged("post_install", "-at_install")
class TestIntervention(PlanningCase):
    def test_end_is_start_plus_duration(self):
        rdv = self.make_rdv(duree=1.75)
        self.assertEqual(rdv.date_deadline, datetime(2026, 3, 2, 9, 45))
        rdv.duree = 3
        self.assertEqual(rdv.date_deadline, datetime(2026, 3, 2, 11, 0))
        rdv.date = datetime(2026, 3, 3, 14, 0)
        self.assertEqual(rdv.date_deadline, datetime(2026, 3, 3, 17, 0))

    def test_forced_end_wins_over_duration(self):
        rdv = self.make_rdv(forcer_dates=True, date_deadline_forcee=datetime(2026, 3, 4, 18, 0))
        self.assertEqual(rdv.date_deadline, datetime(2026, 3, 4, 18, 0))
        rdv.forcer_dates = False
        self.assertEqual(rdv.date_deadline, datetime(2026, 3, 2, 10, 0))

    def test_resizing_in_the_calendar_keeps_the_new_end(self):
        rdv = self.make_rdv()
        rdv.write({"date_deadline": datetime(2026, 3, 2, 12, 30)})
        self.assertAlmostEqual(rdv.duree, 4.5)
        self.assertEqual(rdv.date_deadline, datetime(2026, 3, 2, 12, 30))

    def test_number_main_technician_and_address(self):
        rdv = self.make_rdv(employee_ids=[(6, 0, (self.tech2 | self.tech).ids)])
        self.assertTrue(rdv.number.startswith("RDV/"))
        self.assertIn(rdv.employee_main_id, self.tech | self.tech2)
        self.assertEqual(rdv.address_id, self.customer)
        other = self.make_rdv()
        self.assertNotEqual(rdv.number, other.number)

    def test_grouping_by_status_shows_every_status(self):
        """The kanban/list grouped by status has a column per status, even empty ones:
        group_expand, called (values, domain, order) by 17 and (values, domain) by 18+."""
        states = ["draft", "confirm", "done", "unfinished", "cancel", "postponed"]
        self.assertEqual(self.Rdv._group_expand_states([], []), states)
        self.assertEqual(self.Rdv._group_expand_states([], [], None), states)
        if version_info[0] >= 19:  # read_group is deprecated there (web clients only)
            return
        rdv = self.make_rdv(state="confirm")
        groups = self.Rdv.read_group([("id", "=", rdv.id)], ["state"], ["state"])
        self.assertEqual([group["state"] for group in groups], states)
        self.assertEqual({group["state"]: group["state_count"] for group in groups}["confirm"], 1)

    def test_task_prefills_duration(self):
        rdv = self.Rdv.new({"tache_id": self.tache.id})
        rdv._onchange_tache_id()
        self.assertEqual(rdv.duree, 2.5)
        self.assertEqual(rdv.name, "Test task")

    def test_end_before_start_is_refused_and_writes_nothing(self):
        with self.assertRefused("must be after its start"):
            self.make_rdv(forcer_dates=True, date_deadline_forcee=datetime(2026, 3, 1, 8, 0))
        rdv = self.make_rdv()
        with self.assertRefused("must be after its start"):
            rdv.write({"forcer_dates": True, "date_deadline_forcee": rdv.date - timedelta(hours=1)})
        rdv.invalidate_recordset()
        self.assertFalse(rdv.forcer_dates)
        self.assertEqual(rdv.date_deadline, datetime(2026, 3, 2, 10, 0))

    def test_non_positive_duration_is_refused(self):
        count = self.Rdv.search_count([])
        for duree in (0, -1.5):
            with self.assertRefused("duration of RDV .* must be positive"):
                self.make_rdv(duree=duree)
        self.assertEqual(self.Rdv.search_count([]), count)
        rdv = self.make_rdv()
        with self.assertRefused("must be positive"):
            rdv.duree = 0
        rdv.invalidate_recordset()
        self.assertEqual(rdv.duree, 2.0)

    def test_an_rdv_needs_a_technician(self):
        count = self.Rdv.search_count([])
        with self.assertRefused("needs at least one technician"):
            self.make_rdv(employee_ids=[(5, 0, 0)])
        self.assertEqual(self.Rdv.search_count([]), count)

    def test_message_in_the_users_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["openfire_planning"], ["fr_FR"])
        rdv = self.make_rdv()
        with self.assertRefused("doit être positive"):
            rdv.with_context(lang="fr_FR").write({"duree": -1})

    def test_default_time_zone(self):
        user = self.tech_user
        user.tz = False
        self.env.company.of_planning_tz = "Europe/Brussels"
        rdv = self.Rdv.with_user(user).new({})
        self.assertEqual(rdv.tz, "Europe/Brussels")
