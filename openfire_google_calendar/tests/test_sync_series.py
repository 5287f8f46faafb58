# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

from odoo.tests import tagged

from .sync_common import SyncCase


@tagged("post_install", "-at_install")
class TestSyncSeries(SyncCase):
    """RDVs réguliers ⇄ recurring events, with a moved and a cancelled
    occurrence, both ways."""

    def instances(self):
        return sorted(
            self.events(single_events=True, show_deleted=True),
            key=lambda event: (event.get("originalStartTime") or event["start"]).get(
                "dateTime", ""
            ),
        )

    def test_series_from_odoo(self):
        first = self.make_rdv(
            recurrency=True, rrule_type="weekly", interval=1, mo=True, end_type="count", count=4
        )
        rdvs = first.recurrence_id.intervention_ids.sorted("date")
        rdvs[1].write({"date": datetime(2026, 3, 9, 10, 0)})  # 11:00 instead of 09:00
        rdvs[2].write({"state": "cancel"})
        self.sync()
        master = self.event_of("s%d" % first.recurrence_id.id)
        self.assertEqual(master["recurrence"], ["RRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;COUNT=4"])
        self.assertEqual(master["start"]["dateTime"], "2026-03-02T09:00:00+01:00")
        instances = self.instances()
        self.assertEqual(
            [
                (
                    (event.get("start") or event["originalStartTime"]).get("dateTime"),
                    event["status"],
                )
                for event in instances
            ],
            [
                ("2026-03-02T09:00:00+01:00", "confirmed"),
                ("2026-03-09T11:00:00+01:00", "confirmed"),
                ("2026-03-16T09:00:00+01:00", "cancelled"),
                ("2026-03-23T09:00:00+01:00", "confirmed"),
            ],
        )
        # The whole series renamed in Odoo: the master follows, the moved one too is
        # an exception so it keeps its own title.
        first.write({"name": "Contrat d'entretien", "recurrence_update": "all_events"})
        self.sync()
        self.assertEqual(
            self.event_of("s%d" % first.recurrence_id.id)["summary"], "Contrat d'entretien"
        )

    def test_series_from_google(self):
        self.sync()
        phone, calendar = self.phone(), self.calendar()
        master = phone.insert_event(
            calendar,
            {
                "summary": "Ramonage mensuel",
                "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
                "start": {"dateTime": "2026-03-03T10:00:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": "2026-03-03T11:00:00", "timeZone": "Europe/Paris"},
            },
        )
        phone.patch_event(
            calendar,
            master["id"] + "_20260310T090000Z",
            {
                "start": {"dateTime": "2026-03-10T15:00:00+01:00"},
                "end": {"dateTime": "2026-03-10T16:00:00+01:00"},
            },
        )
        phone.delete_event(calendar, master["id"] + "_20260317T090000Z")
        self.sync()
        self.sync()
        rdvs = self.Rdv.search([("name", "=", "Ramonage mensuel")]).sorted(
            "recurrence_original_date"
        )
        self.assertEqual(len(rdvs), 3)
        self.assertEqual(len(rdvs.recurrence_id), 1)
        self.assertEqual(rdvs.recurrence_id.rrule_type, "weekly")
        self.assertEqual(rdvs[0].date, datetime(2026, 3, 3, 9, 0))
        self.assertFalse(rdvs[0].recurrence_exception)
        self.assertEqual(rdvs[1].date, datetime(2026, 3, 10, 14, 0))
        self.assertTrue(rdvs[1].recurrence_exception)
        self.assertEqual(rdvs[2].state, "cancel")
        self.assertTrue(rdvs[2].recurrence_exception)
        # And nothing bounces back to Google.
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)

    def test_all_day_rdv_across_dst(self):
        rdv = self.make_rdv(all_day=True, date=datetime(2026, 3, 28, 7, 0), duree=34)
        self.sync()
        event = self.event_of(rdv)
        self.assertEqual(event["start"], {"date": "2026-03-28"})
        self.assertEqual(event["end"], {"date": "2026-03-30"})
        self.phone().patch_event(
            self.calendar(),
            event["id"],
            {"start": {"date": "2026-10-24"}, "end": {"date": "2026-10-26"}},
        )
        self.sync()
        self.assertTrue(rdv.all_day)
        self.assertEqual(rdv.date, datetime(2026, 10, 24, 6, 0))  # 08:00 in Paris (CEST)
        self.assertEqual(rdv.date_deadline.date(), datetime(2026, 10, 25).date())
