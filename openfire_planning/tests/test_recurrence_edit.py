# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime, timedelta

from odoo.tests import tagged

from .common import PlanningCase


@tagged("post_install", "-at_install")
class TestRecurrenceEdit(PlanningCase):
    """The three edit modes of a series, and exceptions that survive them."""

    def setUp(self):
        super().setUp()
        self.first = self.weekly_series(count=5)
        self.series = self.first.recurrence_id
        self.rdvs = self.series.intervention_ids.sorted("date")

    def test_this_rdv_only_makes_an_exception(self):
        third = self.rdvs[2]
        third.write({"date": third.date + timedelta(hours=3), "recurrence_update": "self_only"})
        self.assertTrue(third.recurrence_exception)
        self.assertEqual(third.recurrence_original_date, datetime(2026, 3, 16, 8))
        self.assertEqual(third.recurrence_id, self.series)
        self.assertFalse(any((self.rdvs - third).mapped("recurrence_exception")))

    def test_all_rdvs_moves_the_series_but_not_its_exceptions(self):
        moved, cancelled = self.rdvs[1], self.rdvs[3]
        moved.write({"date": datetime(2026, 3, 10, 13)})
        cancelled.write({"state": "cancel"})
        self.rdvs[0].write(
            {
                "name": "Nouveau titre",
                "date": datetime(2026, 3, 2, 10),
                "recurrence_update": "all_events",
            }
        )
        rdvs = self.series.intervention_ids.sorted("recurrence_original_date")
        self.assertEqual(len(rdvs), 5)
        regular = rdvs.filtered(lambda rdv: not rdv.recurrence_exception)
        self.assertEqual(set(regular.mapped("name")), {"Nouveau titre"})
        self.assertEqual([d.hour for d in regular.mapped("date")], [10, 10, 9])
        self.assertEqual(moved.date, datetime(2026, 3, 10, 13))
        self.assertEqual(moved.name, "RDV test")
        self.assertEqual(cancelled.state, "cancel")
        self.assertEqual(self.series.dtstart, datetime(2026, 3, 2, 10))

    def test_moving_the_series_keeps_every_rdv_on_its_occurrence(self):
        """Moved by a week, the series' RDVs shift by a week of wall-clock time
        (09:00 on both sides of the DST change), each stays the same record,
        and each exception points at the occurrence it had, a week later."""
        moved, cancelled = self.rdvs[1], self.rdvs[4]  # 9 March; 30 March, after DST
        moved.write({"date": datetime(2026, 3, 10, 13)})
        cancelled.write({"state": "cancel"})
        records = self.series.intervention_ids
        self.rdvs[0].write({"date": datetime(2026, 3, 9, 8), "recurrence_update": "all_events"})
        self.assertEqual(self.series.intervention_ids, records)  # no RDV made again
        self.assertEqual(
            sorted(records.mapped("recurrence_original_date")),
            [
                datetime(2026, 3, 9, 8),
                datetime(2026, 3, 16, 8),
                datetime(2026, 3, 23, 8),
                datetime(2026, 3, 30, 7),  # 09:00 in summer time
                datetime(2026, 4, 6, 7),
            ],
        )
        regular = records.filtered(lambda rdv: not rdv.recurrence_exception)
        self.assertEqual(regular.mapped("date"), regular.mapped("recurrence_original_date"))
        self.assertEqual(moved.recurrence_original_date, datetime(2026, 3, 16, 8))
        self.assertEqual(moved.date, datetime(2026, 3, 10, 13))  # where it was put
        self.assertEqual(cancelled.recurrence_original_date, datetime(2026, 4, 6, 7))
        self.assertEqual(self.series.dtstart, datetime(2026, 3, 9, 8))

    def test_moving_the_series_to_another_day_moves_its_rule(self):
        """Moved from Monday to Wednesday, the series repeats on Wednesdays, as in
        Google Calendar, and keeps its RDVs (the one moved included)."""
        cancelled = self.rdvs[3]
        cancelled.write({"state": "cancel"})
        records = self.series.intervention_ids
        self.first.write({"date": datetime(2026, 3, 4, 8), "recurrence_update": "all_events"})
        self.assertTrue(self.first.exists())
        self.assertEqual(self.series.intervention_ids, records)
        self.assertEqual((self.series.mo, self.series.we), (False, True))
        self.assertEqual(self.series.rrule, "RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=WE;COUNT=5")
        self.assertEqual(
            sorted(records.mapped("recurrence_original_date")),
            [datetime(2026, 3, day, 8) for day in (4, 11, 18, 25)] + [datetime(2026, 4, 1, 7)],
        )
        self.assertEqual(cancelled.recurrence_original_date, datetime(2026, 3, 25, 8))

    def test_moving_a_monthly_series_follows_its_day(self):
        first = self.make_rdv(
            recurrency=True,
            rrule_type="monthly",
            interval=1,
            month_by="day",
            byday="1",
            weekday="MO",
            end_type="count",
            count=3,
        )
        series = first.recurrence_id
        first.write({"date": datetime(2026, 3, 10, 8), "recurrence_update": "all_events"})
        self.assertEqual((series.byday, series.weekday), ("2", "TU"))
        self.assertEqual(
            sorted(series.intervention_ids.mapped("date")),
            [datetime(2026, 3, 10, 8), datetime(2026, 4, 14, 7), datetime(2026, 5, 12, 7)],
        )

    def test_moving_the_series_moves_its_extra_dates(self):
        """The EXDATE of an Odoo series (an RDV removed from it) moves with it."""
        self.series.extra_lines = "EXDATE:20260316T080000Z"
        self.assertEqual(len(self.series._occurrence_starts()), 4)
        self.first.write({"date": datetime(2026, 3, 2, 9), "recurrence_update": "all_events"})
        self.assertEqual(self.series.extra_lines, "EXDATE:20260316T090000Z")
        self.assertEqual(
            sorted(self.series.intervention_ids.mapped("date")),
            [datetime(2026, 3, 2, 9), datetime(2026, 3, 9, 9), datetime(2026, 3, 23, 9)]
            + [datetime(2026, 3, 30, 8)],
        )

    def test_this_and_following_splits_the_series(self):
        third = self.rdvs[2]
        third.write({"name": "Après", "recurrence_update": "future_events"})
        new_series = third.recurrence_id
        self.assertNotEqual(new_series, self.series)
        self.assertEqual(self.series.intervention_ids, self.rdvs[:2])
        self.assertEqual(new_series.intervention_ids, self.rdvs[2:])
        self.assertEqual(set(self.rdvs[2:].mapped("name")), {"Après"})
        self.assertEqual(set(self.rdvs[:2].mapped("name")), {"RDV test"})
        self.assertEqual(new_series.count, 3)
        self.assertEqual(self.series.end_type, "end_date")

    def test_changing_the_rule_regenerates_regular_rdvs_only(self):
        cancelled = self.rdvs[4]
        cancelled.write({"state": "cancel"})
        self.first.write({"count": 3, "recurrence_update": "all_events"})
        rdvs = self.series.intervention_ids
        self.assertEqual(len(rdvs), 4)
        self.assertIn(cancelled, rdvs)
        self.first.write({"count": 6, "recurrence_update": "all_events"})
        self.assertEqual(len(self.series.intervention_ids), 6)
        self.assertEqual(len(self.series.intervention_ids.filtered("recurrence_exception")), 1)

    def test_unticking_recurrent_ends_the_series_here(self):
        self.rdvs[1].write({"recurrency": False})
        self.assertEqual(self.series.intervention_ids, self.rdvs[:2])
        self.assertEqual(self.series.end_type, "end_date")
