# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime, timedelta

from odoo.tests import tagged

from .common import PlanningCase


@tagged("post_install", "-at_install")
class TestRecurrenceLines(PlanningCase):
    """Series whose rule is held verbatim (rule_lines, as Google sends them):
    RFC 5545 dates, edits that change only what was edited."""

    def series_of(self, lines, **values):
        return self.make_rdv(recurrency=True, rule_lines=lines, **values).recurrence_id

    def dates(self, series):
        return series.intervention_ids.sorted("date").mapped("date")

    def test_rule_the_form_cannot_edit_is_kept_and_shown(self):
        # Last weekday of the month, 15:00 in Paris (13:00 UTC in summer).
        series = self.series_of(
            "RRULE:FREQ=MONTHLY;COUNT=4;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            date=datetime(2026, 3, 31, 13, 0),
        )
        self.assertEqual(
            self.dates(series),
            [
                datetime(2026, 3, 31, 13),
                datetime(2026, 4, 30, 13),
                datetime(2026, 5, 29, 13),
                datetime(2026, 6, 30, 13),
            ],
        )
        self.assertFalse(series.rule_editable)
        self.assertEqual(
            series.rrule, "RRULE:FREQ=MONTHLY;COUNT=4;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
        )
        self.assertIn("2026-06-30 15:00", series.next_occurrences)
        # Still editable as "all RDVs": the lines stay as they are.
        first = series.intervention_ids.sorted("date")[0]
        first.write({"name": "Relevé", "recurrence_update": "all_events"})
        self.assertEqual(set(series.intervention_ids.mapped("name")), {"Relevé"})
        self.assertEqual(
            series.rule_lines, "RRULE:FREQ=MONTHLY;COUNT=4;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"
        )

    def test_form_edit_changes_only_the_part_edited(self):
        series = self.series_of(
            "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,-1;WKST=SU;COUNT=4", date=datetime(2026, 3, 1, 8)
        )
        self.assertTrue(series.rule_editable)
        self.assertEqual(
            (series.rrule_type, series.monthdays, series.count), ("monthly", "1,-1", 4)
        )
        self.assertEqual(
            self.dates(series)[:3],
            [datetime(2026, 3, 1, 8), datetime(2026, 3, 31, 7), datetime(2026, 4, 1, 7)],
        )
        first = series.intervention_ids.sorted("date")[0]
        first.write({"count": 6, "recurrence_update": "all_events"})
        self.assertEqual(series.rule_lines, "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,-1;WKST=SU;COUNT=6")
        self.assertEqual(len(series.intervention_ids), 6)
        first.write(
            {"end_type": "end_date", "until": date(2026, 4, 30), "recurrence_update": "all_events"}
        )
        self.assertEqual(
            series.rule_lines, "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,-1;WKST=SU;UNTIL=20260430T215959Z"
        )
        self.assertEqual(self.dates(series)[-1], datetime(2026, 4, 30, 7))

    def test_until_is_inclusive_in_utc(self):
        # 00:00 UTC on the 23rd is 01:00 in Paris: the 23rd's 09:00 is after it.
        series = self.series_of("RRULE:FREQ=WEEKLY;BYDAY=MO;UNTIL=20260323T000000Z")
        self.assertEqual(self.dates(series)[-1], datetime(2026, 3, 16, 8))
        # The form's end date: the last day an occurrence may start on.
        self.assertEqual(series.until, date(2026, 3, 22))

    def test_split_keeps_the_verbatim_rule(self):
        series = self.series_of("RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO;WKST=SU")
        third = series.intervention_ids.sorted("date")[2]
        third.write({"name": "Later", "recurrence_update": "future_events"})
        new = third.recurrence_id
        self.assertNotEqual(new, series)
        self.assertEqual(new.rule_lines, "RRULE:FREQ=WEEKLY;COUNT=2;BYDAY=MO;WKST=SU")
        self.assertEqual(
            series.rule_lines, "RRULE:FREQ=WEEKLY;BYDAY=MO;WKST=SU;UNTIL=20260309T225959Z"
        )
        self.assertEqual(len(series.intervention_ids), 2)
        self.assertEqual(len(new.intervention_ids), 2)

    def test_all_day_tzid_exdate_and_rdate_by_date(self):
        series = self.series_of(
            "EXDATE;TZID=Europe/Paris:20260309T000000\n"
            "RDATE;TZID=Europe/Paris:20260311T000000\n"
            "RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO",
            all_day=True,
            date=datetime(2026, 3, 2, 7, 0),
        )
        days = [day.date() for day in self.dates(series)]
        self.assertEqual(days, [date(2026, 3, 2), date(2026, 3, 11), date(2026, 3, 16)])

    def test_moving_the_series_moves_its_extra_dates(self):
        series = self.series_of(
            "EXDATE;TZID=Europe/Paris:20260316T090000\nRRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO"
        )
        self.assertEqual(len(series.intervention_ids), 3)
        first = series.intervention_ids.sorted("date")[0]
        first.write({"date": first.date + timedelta(hours=2), "recurrence_update": "all_events"})
        self.assertIn("EXDATE;TZID=Europe/Paris:20260316T110000", series.rule_lines)
        self.assertEqual(
            self.dates(series),
            [datetime(2026, 3, 2, 10), datetime(2026, 3, 9, 10), datetime(2026, 3, 23, 10)],
        )

    def test_unreadable_rule_keeps_the_first_rdv_and_says_why(self):
        series = self.series_of("RRULE:FREQ=WEEKLY;BYDAY=XX")
        self.assertEqual(len(series.intervention_ids), 1)
        self.assertIn("XX", series.rule_error)
