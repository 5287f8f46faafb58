# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date, datetime

import pytz

from odoo.tests import tagged

from .sync_common import SyncCase

PARIS = pytz.timezone("Europe/Paris")


def _paris(value):
    """An event time as Paris shows it ("03-09 10:00"), or its date."""
    if value is None:
        return None
    if "date" in value:
        return value["date"]
    moment = datetime.fromisoformat(value["dateTime"]).astimezone(PARIS)
    return moment.strftime("%m-%d %H:%M")


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

    def google_instances(self, recurrence):
        """Google's instances of a series, cancelled ones too: (original start,
        start or None, status, summary or None), in Paris time."""
        master = self.event_of("s%d" % recurrence.id)
        page = self.emulator.service.instances(
            self.jean.email, self.calendar(), master["id"], show_deleted=True, max_results=2500
        )
        return sorted(
            (
                _paris(item["originalStartTime"]),
                _paris(item.get("start")) if item["status"] != "cancelled" else None,
                item["status"],
                item.get("summary") if item["status"] != "cancelled" else None,
            )
            for item in page["items"]
        )

    def agenda(self):
        """What the phone shows: live events, occurrences expanded."""
        return sorted(
            (_paris(event["start"]), event.get("summary"))
            for event in self.events(single_events=True)
            if event["status"] != "cancelled"
        )

    def link_of(self, rdv):
        return self.env["of.google.event.link"].search(
            [("account_id", "=", self.jean_account.id), ("rdv_key", "=", str(rdv.id))]
        )

    def series_with_exceptions(self, **values):
        """Five Mondays from 2 March 2026, 09:00 Paris (the 30th after the DST
        change), the 2nd moved to Tuesday 13:00, the 3rd cancelled; synced."""
        first = self.make_rdv(
            recurrency=True,
            rrule_type="weekly",
            interval=1,
            mo=True,
            end_type="count",
            count=5,
            **values,
        )
        rdvs = first.recurrence_id.intervention_ids.sorted("date")
        moved, cancelled = rdvs[1], rdvs[2]
        moved.write({"date": datetime(2026, 3, 10, 12, 0), "name": "Entretien (mardi)"})
        cancelled.write({"state": "cancel"})
        self.sync()
        return first, moved, cancelled

    def test_series_moved_in_odoo_keeps_its_exceptions(self):
        """The whole series moved one hour later in Odoo: in Google each exception
        is at the occurrence it belongs to (the moved one where it was put, the
        cancelled one still cancelled) and nothing shows at the old times."""
        first, moved, cancelled = self.series_with_exceptions()
        series = first.recurrence_id
        first.write({"date": datetime(2026, 3, 2, 9, 0), "recurrence_update": "all_events"})
        self.assertEqual(moved.recurrence_original_date, datetime(2026, 3, 9, 9, 0))
        self.assertEqual(cancelled.recurrence_original_date, datetime(2026, 3, 16, 9, 0))
        self.sync()
        title = self.event_of("s%d" % series.id)["summary"]
        self.assertEqual(
            self.google_instances(series),
            [
                ("03-02 10:00", "03-02 10:00", "confirmed", title),
                ("03-09 09:00", None, "cancelled", None),  # left, hides nothing
                ("03-09 10:00", "03-10 13:00", "confirmed", "Entretien (mardi)"),
                ("03-16 09:00", None, "cancelled", None),  # left, hides nothing
                ("03-16 10:00", None, "cancelled", None),
                ("03-23 10:00", "03-23 10:00", "confirmed", title),
                ("03-30 10:00", "03-30 10:00", "confirmed", title),
            ],
        )
        self.assertEqual(
            self.agenda(),
            [
                ("03-02 10:00", title),
                ("03-10 13:00", "Entretien (mardi)"),
                ("03-23 10:00", title),
                ("03-30 10:00", title),
            ],
        )
        master_id = self.event_of("s%d" % series.id)["id"]
        self.assertEqual(self.link_of(moved).google_event_id, master_id + "_20260309T090000Z")
        self.assertEqual(self.link_of(cancelled).google_event_id, master_id + "_20260316T090000Z")
        # The next sync reads its own writes back and has nothing to do.
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)
        self.assertEqual(len(series.intervention_ids), 5)
        self.assertEqual(moved.date, datetime(2026, 3, 10, 12, 0))
        self.assertEqual(cancelled.state, "cancel")

    def test_series_moved_by_its_period_hands_the_left_occurrence_to_its_rdv(self):
        """Moved a week later, the exceptions land on occurrences that held
        others, and the first one leaves an occurrence the moved series has a
        regular RDV at: Google shows that RDV there, and keeps following it."""
        first, moved, cancelled = self.series_with_exceptions()
        series = first.recurrence_id
        first.write({"date": datetime(2026, 3, 9, 8, 0), "recurrence_update": "all_events"})
        self.sync()
        title = self.event_of("s%d" % series.id)["summary"]
        self.assertEqual(
            self.google_instances(series),
            [
                ("03-09 09:00", "03-09 09:00", "confirmed", title),
                ("03-16 09:00", "03-10 13:00", "confirmed", "Entretien (mardi)"),
                ("03-23 09:00", None, "cancelled", None),
                ("03-30 09:00", "03-30 09:00", "confirmed", title),  # summer time, 09:00
                ("04-06 09:00", "04-06 09:00", "confirmed", title),
            ],
        )
        master_id = self.event_of("s%d" % series.id)["id"]
        self.assertEqual(first.recurrence_original_date, datetime(2026, 3, 9, 8, 0))
        self.assertFalse(first.recurrence_exception)  # still a regular RDV in Odoo
        self.assertEqual(self.link_of(first).google_event_id, master_id + "_20260309T080000Z")
        self.assertEqual(self.link_of(moved).google_event_id, master_id + "_20260316T080000Z")
        self.assertEqual(self.link_of(cancelled).google_event_id, master_id + "_20260323T080000Z")
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)
        # Renamed as a series in Odoo: that RDV follows in Google as in Odoo.
        first.write({"name": "Contrat d'entretien", "recurrence_update": "all_events"})
        self.sync()
        renamed = self.event_of("s%d" % series.id)["summary"]
        self.assertIn("Contrat d'entretien", renamed)
        self.assertEqual(
            self.agenda(),
            [
                ("03-09 09:00", renamed),
                ("03-10 13:00", "Entretien (mardi)"),
                ("03-30 09:00", renamed),
                ("04-06 09:00", renamed),
            ],
        )

    def test_series_moved_on_the_phone_keeps_its_exceptions(self):
        """Moved one hour later on the phone: Odoo moves the series and its
        exceptions with it, and the next sync puts Google's exceptions at the
        same occurrences (the cancelled one stays cancelled)."""
        first, moved, cancelled = self.series_with_exceptions()
        series = first.recurrence_id
        master = self.event_of("s%d" % series.id)
        self.phone().patch_event(
            self.calendar(),
            master["id"],
            {
                "start": {"dateTime": "2026-03-02T10:00:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": "2026-03-02T11:30:00", "timeZone": "Europe/Paris"},
            },
        )
        self.sync()
        self.assertEqual(first.date, datetime(2026, 3, 2, 9, 0))
        self.assertEqual(moved.recurrence_original_date, datetime(2026, 3, 9, 9, 0))
        self.assertEqual(cancelled.recurrence_original_date, datetime(2026, 3, 16, 9, 0))
        self.sync()
        self.assertEqual(
            self.agenda(),
            [
                ("03-02 10:00", master["summary"]),
                ("03-10 13:00", "Entretien (mardi)"),
                ("03-23 10:00", master["summary"]),
                ("03-30 10:00", master["summary"]),
            ],
        )
        master_id = master["id"]
        self.assertEqual(self.link_of(moved).google_event_id, master_id + "_20260309T090000Z")
        self.assertEqual(self.link_of(cancelled).google_event_id, master_id + "_20260316T090000Z")
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)

    def test_all_day_series_moved_in_odoo_keeps_its_exceptions(self):
        first = self.make_rdv(
            all_day=True,
            duree=10,
            recurrency=True,
            rrule_type="weekly",
            interval=1,
            mo=True,
            end_type="count",
            count=4,
        )
        series = first.recurrence_id
        rdvs = series.intervention_ids.sorted("date")
        rdvs[1].write({"name": "Astreinte (Sophie)"})
        rdvs[2].write({"state": "cancel"})
        self.sync()
        first.write({"date": datetime(2026, 3, 3, 8, 0), "recurrence_update": "all_events"})
        self.sync()
        title = self.event_of("s%d" % series.id)["summary"]
        self.assertEqual(
            self.google_instances(series),
            [
                ("2026-03-03", "2026-03-03", "confirmed", title),
                ("2026-03-09", None, "cancelled", None),  # left
                ("2026-03-10", "2026-03-09", "confirmed", "Astreinte (Sophie)"),
                ("2026-03-16", None, "cancelled", None),  # left
                ("2026-03-17", None, "cancelled", None),
                ("2026-03-24", "2026-03-24", "confirmed", title),
            ],
        )
        self.assertEqual(
            [(day, name) for day, name in self.agenda()],
            [("2026-03-03", title), ("2026-03-09", "Astreinte (Sophie)"), ("2026-03-24", title)],
        )
        self.assertEqual(rdvs[1].recurrence_original_date.date(), date(2026, 3, 10))
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)

    def test_an_rdv_deleted_from_a_series_in_odoo_leaves_it_in_google(self):
        """Deleted in Odoo, an occurrence becomes an EXDATE of its series, in
        Google's own lines for a series from Google, and stays deleted."""
        self.sync()
        phone, calendar = self.phone(), self.calendar()
        google = phone.insert_event(
            calendar,
            {
                "summary": "Tournée",
                "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=TU"],
                "start": {"dateTime": "2026-03-03T10:00:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": "2026-03-03T11:00:00", "timeZone": "Europe/Paris"},
            },
        )
        first = self.make_rdv(
            recurrency=True, rrule_type="weekly", interval=1, mo=True, end_type="count", count=4
        )
        self.sync()
        from_google = self.Rdv.search([("name", "=", "Tournée")]).recurrence_id
        for recurrence in (from_google, first.recurrence_id):
            with self.subTest(rule=recurrence.rrule):
                second = recurrence.intervention_ids.sorted("date")[1]
                day = second.date
                second.unlink()
                self.sync()
                master = self.event_of("s%d" % recurrence.id)
                self.assertIn("EXDATE:%s" % day.strftime("%Y%m%dT%H%M%SZ"), master["recurrence"])
                starts = [
                    datetime.fromisoformat(item["start"]["dateTime"])
                    .astimezone(pytz.utc)
                    .replace(tzinfo=None)
                    for item in self.emulator.service.instances(
                        self.jean.email, calendar, master["id"]
                    )["items"]
                ]
                self.assertEqual(len(starts), 3)
                self.assertNotIn(day, starts)
                self.assertEqual(sorted(recurrence.intervention_ids.mapped("date")), sorted(starts))
        self.assertEqual(google["id"], self.event_of("s%d" % from_google.id)["id"])
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)

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
