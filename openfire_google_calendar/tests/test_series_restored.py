# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

import pytz

from odoo.tests import tagged

from .sync_common import SyncCase

PARIS = pytz.timezone("Europe/Paris")


@tagged("post_install", "-at_install")
class TestSeriesRestored(SyncCase):
    """A weekly series deleted on the phone cancels its RDVs in Odoo; what the
    office confirms again of it (one RDV, some, all) reaches the phone once,
    though Google no longer holds the series, and no RDV stays in error."""

    def deleted_series(self):
        first = self.make_rdv(
            recurrency=True, rrule_type="weekly", interval=1, mo=True, end_type="count", count=3
        )
        series = first.recurrence_id
        self.sync()
        master = self.event_of("s%d" % series.id)
        self.phone().delete_event(self.calendar(), master["id"])
        self.sync()
        rdvs = series.intervention_ids.sorted("date")
        self.assertEqual(rdvs.mapped("state"), ["cancel"] * 3)
        return rdvs

    def agenda(self):
        """What the phone shows: live events, occurrences expanded."""
        return sorted(
            datetime.fromisoformat(event["start"]["dateTime"])
            .astimezone(PARIS)
            .strftime("%m-%d %H:%M")
            for event in self.events(single_events=True)
            if event["status"] != "cancelled"
        )

    def assert_settled(self, expected):
        self.assertEqual(self.agenda(), expected)
        errors = self.env["of.google.event.link"].search(
            [("account_id", "=", self.jean_account.id), ("sync_state", "=", "error")]
        )
        self.assertFalse(errors.mapped("sync_error"))
        # Nothing left to do: the next sync lists nothing and writes nothing.
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)
        self.assertEqual(self.agenda(), expected)

    def test_one_rdv_confirmed_again(self):
        rdvs = self.deleted_series()
        rdvs[0].write({"state": "confirm"})
        result = self.sync()
        self.assertEqual(result.get("errors"), 0, result)
        self.assert_settled(["03-02 09:00"])
        self.assertEqual(rdvs.mapped("state"), ["confirm", "cancel", "cancel"])

    def test_some_rdvs_confirmed_again(self):
        rdvs = self.deleted_series()
        rdvs[0].write({"state": "confirm"})
        rdvs[2].write({"state": "confirm"})
        result = self.sync()
        self.assertEqual(result.get("errors"), 0, result)
        self.assert_settled(["03-02 09:00", "03-16 09:00"])
        self.assertEqual(rdvs.mapped("state"), ["confirm", "cancel", "confirm"])

    def test_all_rdvs_confirmed_again(self):
        rdvs = self.deleted_series()
        rdvs.write({"state": "confirm"})
        result = self.sync()
        self.assertEqual(result.get("errors"), 0, result)
        self.assert_settled(["03-02 09:00", "03-09 09:00", "03-16 09:00"])
        self.assertEqual(rdvs.mapped("state"), ["confirm"] * 3)

    def test_first_confirmed_then_the_others(self):
        """Restored in two steps: the first, synced, then the rest."""
        rdvs = self.deleted_series()
        rdvs[0].write({"state": "confirm"})
        self.sync()
        rdvs[1:].write({"state": "confirm"})
        result = self.sync()
        self.assertEqual(result.get("errors"), 0, result)
        self.assert_settled(["03-02 09:00", "03-09 09:00", "03-16 09:00"])

    def test_moved_occurrence_confirmed_again(self):
        """An occurrence that was already an event of its own in Google (moved
        to Tuesday) before the series was deleted comes back once too."""
        first = self.make_rdv(
            recurrency=True, rrule_type="weekly", interval=1, mo=True, end_type="count", count=3
        )
        rdvs = first.recurrence_id.intervention_ids.sorted("date")
        rdvs[1].write({"date": datetime(2026, 3, 10, 12, 0)})
        self.sync()
        master = self.event_of("s%d" % first.recurrence_id.id)
        self.phone().delete_event(self.calendar(), master["id"])
        self.sync()
        self.assertEqual(rdvs.mapped("state"), ["cancel"] * 3)
        self.assertEqual(self.agenda(), [])
        rdvs[1].write({"state": "confirm"})
        result = self.sync()
        self.assertEqual(result.get("errors"), 0, result)
        self.assert_settled(["03-10 13:00"])
        # the office then brings back the whole series
        rdvs.write({"state": "confirm"})
        result = self.sync()
        self.assertEqual(result.get("errors"), 0, result)
        self.assert_settled(["03-02 09:00", "03-10 13:00", "03-16 09:00"])
