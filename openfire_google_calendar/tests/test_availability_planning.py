# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The planning's background: the technicians' Google busy time, absences and
working locations over the range it shows, and who has an availability it
cannot vouch for, in one call answered from the database (a few queries
whatever the number of blocks, never a call to Google). The blocks are as a
refresh stored them (tests/test_availability_refresh.py reads them)."""

from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.tests import tagged

from .sync_common import SyncCase

PARAM = "openfire_google_calendar."
MONDAY = datetime(2026, 3, 2)
WEEK = ("2026-03-01 23:00:00", "2026-03-08 22:59:59")  # Monday to Sunday, Paris


def known(env, employees, refreshed=None, until=None):
    """As a refresh leaves it: the next weeks known, read now."""
    for row in env["of.google.availability"]._of(employees).values():
        row.write(
            {
                "known_from": datetime(2026, 3, 1),
                "known_until": until
                or max(datetime(2026, 4, 1), datetime.now() + timedelta(days=60)),
                "refreshed": refreshed or datetime.now(),
                "error": False,
            }
        )


@tagged("post_install", "-at_install")
class TestPlanningAvailability(SyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team = cls.jean_emp | cls.sophie_emp
        for index in range(28):
            cls.team |= cls.technician("tech%02d" % index)[1]

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(PARAM + "availability", "1")
        self.known(self.team)

    def known(self, employees, refreshed=None, until=None):
        known(self.env, employees, refreshed, until)

    def blocks(self, employee, count, day_offset=0, kind="busy", label=False):
        """``count`` blocks of 30 minutes in the week, 8:00 UTC on."""
        self.env["of.google.busy"].create(
            [
                {
                    "employee_id": employee.id,
                    "start": MONDAY + timedelta(days=(n + day_offset) % 5, hours=8 + (n // 5) % 9),
                    "stop": MONDAY
                    + timedelta(days=(n + day_offset) % 5, hours=8 + (n // 5) % 9, minutes=30),
                    "kind": kind,
                    "label": label,
                }
                for n in range(count)
            ]
        )

    def planning(self, employees, start=WEEK[0], stop=WEEK[1], user=None):
        """The call the planning makes, as a planner, and the queries it cost."""
        user = user or self.jean
        # as a request of the planner's: his language in the context
        rdv_model = (
            self.env["of.planning.intervention"].with_user(user).with_context(lang=user.lang)
        )
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        answer = rdv_model.of_availability_blocks(employees.ids, start, stop)
        return answer, self.env.cr.sql_log_count - before

    def test_thirty_technicians_cost_a_few_queries_whatever_the_blocks(self):
        self.assertEqual(len(self.team), 30)
        for employee in self.team:
            self.blocks(employee, 2)
        self.emulator.clear_log()
        self.planning(self.team)  # the registry's caches warm, as on a running server
        few, few_queries = self.planning(self.team)
        for employee in self.team:
            self.blocks(employee, 40, day_offset=1)
            self.blocks(employee, 1, kind="absence")
            self.blocks(employee, 1, kind="location", label="home")
        many, many_queries = self.planning(self.team)
        self.assertEqual(len(few["blocks"]), 60)
        self.assertEqual(len(many["blocks"]), 30 * 44)
        self.assertEqual(many["doubts"], [])
        self.assertLessEqual(few_queries, 10)
        self.assertEqual(many_queries, few_queries, "the cost does not grow with the blocks")
        self.assertEqual(self.emulator.http_round_trips(), 0, self.emulator.request_log)

    def test_the_blocks_say_what_and_who_never_why(self):
        self.blocks(self.jean_emp, 1)
        self.blocks(self.jean_emp, 1, day_offset=1, kind="absence")
        self.blocks(self.jean_emp, 1, day_offset=2, kind="location", label="home")
        self.blocks(self.jean_emp, 1, day_offset=3, kind="location", label="Lyon")
        # outside the week asked: not shown
        self.env["of.google.busy"].create(
            {
                "employee_id": self.jean_emp.id,
                "start": MONDAY + timedelta(days=9),
                "stop": MONDAY + timedelta(days=9, hours=1),
            }
        )
        answer, _queries = self.planning(self.jean_emp | self.sophie_emp)
        self.assertTrue(answer["enabled"])
        self.assertEqual({b["employee_id"] for b in answer["blocks"]}, {self.jean_emp.id})
        self.assertEqual(
            [(b["name"], b["start"], b["stop"]) for b in answer["blocks"]],
            [
                ("Jean", "2026-03-0%d 08:00:00" % d, "2026-03-0%d 08:30:00" % d)
                for d in (2, 3, 4, 5)
            ],
        )
        self.assertEqual(
            [(b["kind"], b["kind_label"], b["label"]) for b in answer["blocks"]],
            [
                ("busy", "Busy (Google)", ""),
                ("absence", "Absent", ""),
                ("location", "Working location", "At home"),
                ("location", "Working location", "Lyon"),
            ],
        )

    def test_unknown_or_stale_availability_is_named_never_free(self):
        unknown = self.technician("paul")[1]  # synced, never read
        stale = self.sophie_emp
        self.known(stale, refreshed=datetime.now() - timedelta(days=2))
        self.blocks(stale, 1)
        not_synced = self.env["hr.employee"].create({"name": "Sans Google"})
        answer, _queries = self.planning(self.jean_emp | stale | unknown | not_synced)
        self.assertEqual(
            {(d["name"], d["state"]) for d in answer["doubts"]},
            {("Sophie", "stale"), ("Paul", "unknown")},
        )
        doubts = {d["name"]: d["message"] for d in answer["doubts"]}
        self.assertIn("out of date", doubts["Sophie"])
        self.assertIn("unknown", doubts["Paul"])
        # what was last read is still drawn: the doubt says it may have changed
        self.assertEqual([b["name"] for b in answer["blocks"]], ["Sophie"])
        # a refusal of consent: its reason is the message
        self.env["of.google.availability"]._of(unknown)[unknown.id].write(
            {"error": "Paul refused access to his busy time."}
        )
        answer, _queries = self.planning(unknown)
        self.assertEqual(answer["doubts"][0]["message"], "Paul refused access to his busy time.")

    def test_a_range_beyond_what_was_read_is_partly_unknown(self):
        ahead = datetime.now() + timedelta(days=7)
        self.known(self.jean_emp, until=ahead + timedelta(days=3))
        start = ahead.replace(microsecond=0)
        answer, _queries = self.planning(
            self.jean_emp | self.sophie_emp, str(start), str(start + timedelta(days=7))
        )
        self.assertEqual([(d["name"], d["state"]) for d in answer["doubts"]], [("Jean", "partial")])
        self.assertIn("partly unknown", answer["doubts"][0]["message"])

    def test_off_nothing_is_drawn(self):
        self.env["ir.config_parameter"].sudo().set_param(PARAM + "availability", "")
        self.blocks(self.jean_emp, 3)
        answer, queries = self.planning(self.jean_emp)
        self.assertEqual(answer, {"enabled": False, "blocks": [], "doubts": []})
        self.assertLessEqual(queries, 10)

    def test_bad_ranges_are_clear_errors(self):
        rdv_model = self.env["of.planning.intervention"].with_user(self.jean)
        ids = self.jean_emp.ids
        with self.assertRaisesRegex(UserError, "empty period"):
            rdv_model.of_availability_blocks(ids, WEEK[1], WEEK[0])
        with self.assertRaisesRegex(UserError, "at most six weeks"):
            rdv_model.of_availability_blocks(ids, "2026-03-01 00:00:00", "2026-06-01 00:00:00")
        with self.assertRaisesRegex(UserError, "unreadable dates"):
            rdv_model.of_availability_blocks(ids, "lundi", WEEK[1])
        # unknown technicians are nobody, not an error
        answer = rdv_model.of_availability_blocks([999999], *WEEK)
        self.assertEqual(answer["blocks"], [])

    def test_in_french(self):
        """The labels and the errors in the planner's language."""
        self.french()
        self.jean.lang = "fr_FR"
        self.blocks(self.jean_emp, 1)
        self.blocks(self.jean_emp, 1, day_offset=1, kind="location", label="home")
        answer, _queries = self.planning(self.jean_emp)
        self.assertEqual(
            [(b["kind_label"], b["label"]) for b in answer["blocks"]],
            [("Occupé (Google)", ""), ("Lieu de travail", "Domicile")],
        )
        with self.assertRaisesRegex(UserError, "période vide"):
            self.env["of.planning.intervention"].with_user(self.jean).with_context(
                lang="fr_FR"
            ).of_availability_blocks(self.jean_emp.ids, WEEK[1], WEEK[0])


@tagged("post_install", "-at_install")
class TestPlanningAvailabilityTour(SyncCase):
    """In a real browser: the planning draws Jean's busy time and absence; his
    RDV dragged onto the busy time is warned of, onto the absence refused;
    then "Find a slot" on its form plans it in the first free time."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(PARAM + "availability", "1")
        calendar = self.jean_emp.resource_calendar_id or self.env.company.resource_calendar_id
        calendar.tz = "Europe/Paris"
        self.jean_emp.resource_calendar_id = calendar
        known(self.env, self.jean_emp)

    def test_drag_onto_busy_time_warns_onto_absence_refuses_then_find_a_slot(self):
        # Tuesday 3 March 2026, Paris: the RDV 8:00-9:00, Google busy 10:00-11:00;
        # Wednesday 4: absent all day.
        rdv = self.make_rdv(name="Planning tour", date=datetime(2026, 3, 3, 7, 0), duree=1.0)
        busy = self.env["of.google.busy"]
        busy.create(
            {
                "employee_id": self.jean_emp.id,
                "start": datetime(2026, 3, 3, 9, 0),
                "stop": datetime(2026, 3, 3, 10, 0),
            }
        )
        busy.create(
            {
                "employee_id": self.jean_emp.id,
                "start": datetime(2026, 3, 3, 23, 0),
                "stop": datetime(2026, 3, 4, 23, 0),
                "kind": "absence",
            }
        )
        action = self.env.ref("openfire_planning.action_of_planning_intervention_calendar").copy(
            {
                "context": "{'initial_date': '2026-03-03 07:00:00'}",
                "domain": "[('employee_ids', 'in', %d)]" % self.jean_emp.id,
            }
        )
        self.env.flush_all()
        self.emulator.clear_log()
        self.start_tour(
            "/web#action=%d&view_type=calendar" % action.id,
            "openfire_google_calendar_planning_availability_tour",
            login="jean_sync",
        )
        rdv.invalidate_recordset()
        # moved onto the busy time (warned; the drop may snap a quarter-hour off),
        # not onto the absence (refused): still on Tuesday
        self.assertTrue(datetime(2026, 3, 3, 8, 0) < rdv.date < datetime(2026, 3, 3, 10, 0))
        self.assertIn("Jean is busy (Google)", rdv.of_availability_warning)
        self.assertEqual(self.emulator.http_round_trips(), 0, self.emulator.request_log)
        # "Find a slot" on the form proposes the first free time; one click plans it there
        finder = self.env["of.planning.slot.finder"].with_user(self.jean)
        first = finder.browse(rdv.with_user(self.jean).action_of_find_slot()["res_id"])
        expected = first.line_ids[:1].start
        self.assertTrue(expected, first.message)
        self.start_tour(
            "/web#model=of.planning.intervention&id=%d&view_type=form" % rdv.id,
            "openfire_google_calendar_availability_tour",
            login="jean_sync",
        )
        rdv.invalidate_recordset()
        self.assertEqual(rdv.date, expected)
        self.assertFalse(rdv.of_availability_warning)
