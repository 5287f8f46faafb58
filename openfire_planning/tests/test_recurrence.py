# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

from odoo.tests import tagged

from .common import PlanningCase


@tagged("post_install", "-at_install")
class TestRecurrence(PlanningCase):
    def test_weekly_series_expands_to_real_rdvs_across_dst(self):
        first = self.weekly_series(count=5)
        series = first.recurrence_id
        self.assertEqual(series.rrule, "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;COUNT=5")
        rdvs = series.intervention_ids.sorted("date")
        self.assertEqual(len(rdvs), 5)
        self.assertEqual(rdvs[0], first)
        # 09:00 in Paris before and after the change to summer time (29 March 2026).
        self.assertEqual(
            rdvs.mapped("date"),
            [
                datetime(2026, 3, 2, 8),
                datetime(2026, 3, 9, 8),
                datetime(2026, 3, 16, 8),
                datetime(2026, 3, 23, 8),
                datetime(2026, 3, 30, 7),
            ],
        )
        self.assertEqual(set(rdvs.mapped("duree")), {2.0})
        self.assertEqual(rdvs.mapped("employee_ids"), self.tech)
        self.assertFalse(any(rdvs.mapped("recurrence_exception")))
        self.assertEqual(rdvs.mapped("recurrence_original_date"), rdvs.mapped("date"))

    def test_first_rdv_moves_to_the_first_occurrence(self):
        # Created on a Monday, repeating on Wednesdays and Fridays only.
        first = self.make_rdv(
            recurrency=True,
            rrule_type="weekly",
            interval=1,
            we=True,
            fr=True,
            end_type="count",
            count=4,
        )
        dates = first.recurrence_id.intervention_ids.sorted("date").mapped("date")
        self.assertEqual(first.date, datetime(2026, 3, 4, 8))
        self.assertEqual([d.day for d in dates], [4, 6, 11, 13])

    def test_daily_until_and_monthly_by_weekday(self):
        daily = self.make_rdv(
            recurrency=True,
            rrule_type="daily",
            interval=2,
            end_type="end_date",
            until=date(2026, 3, 10),
        )
        self.assertEqual(len(daily.recurrence_id.intervention_ids), 5)
        monthly = self.make_rdv(
            recurrency=True,
            rrule_type="monthly",
            interval=1,
            month_by="day",
            byday="-1",
            weekday="FR",
            end_type="count",
            count=3,
        )
        dates = monthly.recurrence_id.intervention_ids.sorted("date").mapped("date")
        self.assertEqual([(d.month, d.day) for d in dates], [(3, 27), (4, 24), (5, 29)])
        self.assertEqual(
            monthly.recurrence_id.rrule, "RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=-1FR;COUNT=3"
        )

    def test_rrule_text_round_trips(self):
        series = self.weekly_series(count=3).recurrence_id
        for text in (
            "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;COUNT=6",
            "RRULE:FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=15;UNTIL=20261231",
            "RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=2WE;COUNT=4",
            "RRULE:FREQ=DAILY;INTERVAL=3;COUNT=10",
            "RRULE:FREQ=YEARLY;INTERVAL=1;COUNT=2",
        ):
            series.rrule = text
            self.assertEqual(series.rrule, text)
        series.rrule = "RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20261231T225959Z"
        self.assertEqual((series.end_type, series.until), ("end_date", date(2026, 12, 31)))

    def test_invalid_or_empty_rule_is_refused_and_writes_nothing(self):
        count = self.Rdv.search_count([])
        series_count = self.env["of.planning.recurrence"].search_count([])
        bad_rules = [
            ({"rrule_type": "weekly", "mo": False}, "at least one weekday"),
            ({"rrule_type": "daily", "interval": 0}, "interval must be at least 1"),
            ({"rrule_type": "daily", "count": 0}, "repetitions must be at least 1"),
            (
                {"rrule_type": "daily", "end_type": "end_date", "until": date(2026, 1, 1)},
                "cannot end before the first RDV",
            ),
            ({"rrule_type": "daily", "end_type": "end_date"}, "Set the date"),
            ({"rrule_type": "monthly", "month_by": "date", "day": 42}, "between 1 and 31"),
        ]
        for rule, message in bad_rules:
            with self.subTest(rule=rule), self.assertRefused(message):
                self.make_rdv(
                    **dict(
                        {"recurrency": True, "interval": 1, "end_type": "count", "count": 3}, **rule
                    )
                )
        self.assertEqual(self.Rdv.search_count([]), count)
        self.assertEqual(self.env["of.planning.recurrence"].search_count([]), series_count)
        series = self.weekly_series(count=3).recurrence_id
        for text in ("RRULE:FREQ=SECONDLY;COUNT=3", "RRULE:FREQ=WEEKLY;BYDAY=XX", "garbage"):
            with self.subTest(text=text), self.assertRefused("Invalid"):
                series.rrule = text
        series.invalidate_recordset()
        self.assertEqual(series.rrule, "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;COUNT=3")
        self.assertEqual(len(series.intervention_ids), 3)

    def test_rule_without_end_is_capped(self):
        rdv = self.make_rdv(recurrency=True, rrule_type="daily", interval=1, end_type="forever")
        self.assertEqual(len(rdv.recurrence_id.intervention_ids), 365)

    def test_exdate_and_rdate_lines(self):
        series = self.weekly_series(count=4).recurrence_id
        series.extra_lines = "EXDATE;TZID=Europe/Paris:20260309T090000\nRDATE:20260311T080000Z"
        first = series.intervention_ids.sorted("date")[0]
        first.write({"name": "Regenerate", "count": 4, "recurrence_update": "all_events"})
        dates = series.intervention_ids.sorted("date").mapped("date")
        self.assertNotIn(datetime(2026, 3, 9, 8), dates)
        self.assertIn(datetime(2026, 3, 11, 8), dates)
        self.assertEqual(len(dates), 4)
        with self.assertRefused("Invalid extra dates"):
            series.extra_lines = "EXDATE;TZID=Mars/Olympus:20260309T090000"
