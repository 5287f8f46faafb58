# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The technicians' availability in the planning: an RDV over Google busy
time is warned of, over an absence refused (unless allowed), "Find a slot"
proposes the first time every technician is free and one click plans it;
unknown or stale availability is never free. The busy time here is as a
refresh stored it (tests/test_availability_refresh.py reads it from Google)."""

from datetime import datetime, timedelta

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .sync_common import SyncCase

PARAM = "openfire_google_calendar."


@tagged("post_install", "-at_install")
class TestAvailability(SyncCase):
    def setUp(self):
        super().setUp()
        self.set_param("availability", "1")
        self.env.user.tz = "Europe/Paris"  # the planner reads the warnings in his zone
        calendar = self.jean_emp.resource_calendar_id or self.env.company.resource_calendar_id
        calendar.tz = "Europe/Paris"
        (self.jean_emp | self.sophie_emp).resource_calendar_id = calendar
        self.known(self.jean_emp | self.sophie_emp)

    def set_param(self, name, value):
        self.env["ir.config_parameter"].sudo().set_param(PARAM + name, value)

    def known(self, employees, refreshed=None):
        """As a refresh leaves it: the next weeks known, read now."""
        rows = self.env["of.google.availability"]._of(employees)
        for row in rows.values():
            row.write(
                {
                    "known_from": datetime(2026, 3, 1),
                    "known_until": max(datetime(2026, 4, 1), datetime.now() + timedelta(days=60)),
                    "refreshed": refreshed or datetime.now(),
                    "error": False,
                }
            )

    def busy(self, employee, start, stop, kind="busy"):
        self.env["of.google.busy"].create(
            {"employee_id": employee.id, "start": start, "stop": stop, "kind": kind}
        )

    def test_an_rdv_over_busy_time_is_warned_of(self):
        # Tuesday 3 March, 10:00-11:00 Paris (09:00-10:00 UTC): Jean's dentist, in Google
        self.busy(self.jean_emp, datetime(2026, 3, 3, 9, 0), datetime(2026, 3, 3, 10, 0))
        rdv = self.make_rdv(date=datetime(2026, 3, 3, 8, 30), duree=1.0)
        self.assertIn("Jean is busy (Google) 2026-03-03 10:00 - 11:00", rdv.of_availability_warning)
        free = self.make_rdv(date=datetime(2026, 3, 3, 12, 0), duree=1.0)
        self.assertFalse(free.of_availability_warning)
        # the planning asks after a drag and drop: only the RDV in the way
        warnings = self.Rdv.of_availability_warnings((rdv | free).ids)
        self.assertEqual(list(warnings), [rdv.id])

    def test_an_rdv_over_an_absence_is_refused_unless_allowed(self):
        self.busy(
            self.jean_emp, datetime(2026, 3, 4, 0, 0), datetime(2026, 3, 5, 0, 0), kind="absence"
        )
        with self.assertRaises(ValidationError) as refused:
            self.make_rdv(date=datetime(2026, 3, 4, 8, 0))
        self.assertIn("Jean is absent", str(refused.exception))
        rdv = self.make_rdv(date=datetime(2026, 3, 5, 8, 0))
        with self.assertRaises(ValidationError):
            rdv.date = datetime(2026, 3, 4, 13, 0)  # moved onto it (a drag and drop)
        # a change that comes from Google is never refused: the phone holds it already
        rdv.with_context(of_google_sync=True).date = datetime(2026, 3, 4, 13, 0)
        self.set_param("availability_allow_absence", "1")
        other = self.make_rdv(date=datetime(2026, 3, 4, 8, 0))
        self.assertIn("Jean is absent", other.of_availability_warning)

    def test_find_a_slot_proposes_the_first_free_time_and_plans_it(self):
        # Monday 2 March: Jean works 8-12 and 13-17 (Paris); busy 8:00-9:30 in Google,
        # an RDV with Sophie 9:30-11:00; Sophie has another RDV 11:00-12:00.
        self.busy(self.jean_emp, datetime(2026, 3, 2, 7, 0), datetime(2026, 3, 2, 8, 30))
        self.make_rdv(employees=self.jean_emp | self.sophie_emp, date=datetime(2026, 3, 2, 8, 30))
        self.make_rdv(employees=self.sophie_emp, date=datetime(2026, 3, 2, 10, 0), duree=1.0)
        rdv = self.make_rdv(
            employees=self.jean_emp | self.sophie_emp, date=datetime(2026, 3, 9, 8, 0), duree=1.5
        )
        action = rdv.action_of_find_slot()
        finder = self.env["of.planning.slot.finder"].browse(action["res_id"])
        finder.earliest = datetime(2026, 3, 2, 6, 0)  # Monday 7:00 Paris
        finder.action_search()
        starts = finder.line_ids.mapped("start")
        # 13:00-14:30 Paris is the first time both are free for 1 h 30
        self.assertEqual(starts[0], datetime(2026, 3, 2, 12, 0))
        self.assertEqual(len(starts), 5)
        for line in finder.line_ids:
            self.assertLessEqual(line.stop - line.start, timedelta(hours=1, minutes=30))
        finder.line_ids[0].action_choose()
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 12, 0))
        self.assertFalse(rdv.of_availability_warning)

    def test_stale_availability_is_never_free(self):
        self.known(self.jean_emp, refreshed=datetime.now() - timedelta(days=1))
        rdv = self.make_rdv(date=datetime(2026, 3, 3, 8, 0))
        self.assertIn("availability is unknown or out of date", rdv.of_availability_warning)
        action = rdv.action_of_find_slot()
        finder = self.env["of.planning.slot.finder"].browse(action["res_id"])
        finder.earliest = datetime(2026, 3, 2, 6, 0)
        finder.action_search()
        self.assertFalse(finder.line_ids)
        self.assertIn("Jean's Google availability is unknown or out of date", finder.message)

    def test_off_by_default_nothing_is_checked(self):
        self.set_param("availability", "")
        self.busy(
            self.jean_emp, datetime(2026, 3, 4, 0, 0), datetime(2026, 3, 5, 0, 0), kind="absence"
        )
        rdv = self.make_rdv(date=datetime(2026, 3, 4, 8, 0))
        self.assertFalse(rdv.of_availability_warning)

    def test_bad_input_is_a_clear_error(self):
        rdv = self.make_rdv(date=datetime(2026, 3, 3, 8, 0))
        action = rdv.action_of_find_slot()
        finder = self.env["of.planning.slot.finder"].browse(action["res_id"])
        finder.duree = 0
        with self.assertRaisesRegex(Exception, "duration must be positive"):
            finder.action_search()
        finder.duree = 1
        finder.count = 0
        with self.assertRaisesRegex(Exception, "1 to 50"):
            finder.action_search()

    def test_the_form_warns_and_finds_a_slot(self):
        self.busy(self.jean_emp, datetime(2026, 3, 3, 9, 0), datetime(2026, 3, 3, 10, 0))
        rdv = self.make_rdv(date=datetime(2026, 3, 3, 9, 0), duree=1.0)
        self.assertTrue(rdv.of_availability_warning)
        # what the planner will see: free slots (as him)
        action = rdv.with_user(self.jean).action_of_find_slot()
        finder = self.env["of.planning.slot.finder"].with_user(self.jean).browse(action["res_id"])
        self.assertTrue(finder.line_ids, finder.message)
        self.env.flush_all()
        self.start_tour(
            "/web#model=of.planning.intervention&id=%d&view_type=form" % rdv.id,
            "openfire_google_calendar_availability_tour",
            login="jean_sync",
        )
        self.assertFalse(rdv.of_availability_warning)
        self.assertNotEqual(rdv.date, datetime(2026, 3, 3, 9, 0))
