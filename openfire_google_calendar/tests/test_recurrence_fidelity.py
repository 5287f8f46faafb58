# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Recurrence fidelity: every series Google can hold lands in the
planning with Google's dates, and is never rewritten unasked.

The reference is the emulator's events.instances (google_emulator expands as
Google and RFC 5545 do): the planning's RDVs must start where its instances
do. Rule sets: google_emulator/tests/data/rrules.json (Google's recurring
events guide, RFC 5545 section 3.8.5.3, other projects' recorded Google
payloads) and a few more below; one sync per account for all of them.
"""

import json
import os
from datetime import date, datetime

import pytz

from odoo.tests import new_test_user, tagged

from ..services.google_oauth import SCOPES
from .common import CLIENT_ID
from .sync_common import SyncCase

FIRST = 20
WEST = "America/New_York"
_HERE = os.path.dirname(os.path.abspath(__file__))
_DATA = os.path.join("tests", "data", "rrules.json")


def _data_path():
    """rrules.json beside this addon in the repository, else in the
    google_emulator the tests run against (series trees hold the addons only)."""
    path = os.path.join(_HERE, "..", "..", "google_emulator", _DATA)
    if os.path.exists(path):
        return path
    # The tests' own requirement (test-requirements.txt), not the addon's.
    import google_emulator  # pylint: disable=import-outside-toplevel,import-error

    return os.path.join(os.path.dirname(google_emulator.__file__), _DATA)


# More sets: Outlook-style zones, all-day series with TZID date-time EXDATE/RDATE
# as Google sends them (the days removed and added are checked one by one).
EXTRA_SETS = [
    {
        "id": "outlook.gmt_plus_2_weekly",
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=6;BYDAY=MO,TH"],
        "start": {"dateTime": "2026-01-05T09:00:00", "timeZone": "GMT+02:00"},
        "end": {"dateTime": "2026-01-05T10:00:00", "timeZone": "GMT+02:00"},
    },
    # Offsets that are not whole hours: no Etc/GMT zone, a fixed UTC+05:30.
    {
        "id": "outlook.gmt_plus_0530_weekly",
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=5;BYDAY=TU"],
        "start": {"dateTime": "2026-03-24T09:00:00", "timeZone": "GMT+05:30"},
        "end": {"dateTime": "2026-03-24T10:00:00", "timeZone": "GMT+05:30"},
    },
    {
        "id": "outlook.utc_minus_0330_monthly",
        "recurrence": ["RRULE:FREQ=MONTHLY;COUNT=4;BYMONTHDAY=-1"],
        "start": {"dateTime": "2026-01-31T08:30:00", "timeZone": "UTC-03:30"},
        "end": {"dateTime": "2026-01-31T09:00:00", "timeZone": "UTC-03:30"},
    },
    {
        "id": "google.all_day_tzid_exdate_rdate",
        "recurrence": [
            "EXDATE;TZID=Europe/Paris:20260112T000000",
            "RDATE;TZID=Europe/Paris:20260114T000000",
            "RRULE:FREQ=WEEKLY;COUNT=4;BYDAY=MO",
        ],
        "start": {"date": "2026-01-05"},
        "end": {"date": "2026-01-06"},
    },
    {
        "id": "google.last_weekday_of_month",
        "recurrence": ["RRULE:FREQ=MONTHLY;COUNT=8;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"],
        "start": {"dateTime": "2026-01-30T14:00:00", "timeZone": "Europe/Paris"},
        "end": {"dateTime": "2026-01-30T15:00:00", "timeZone": "Europe/Paris"},
    },
    {
        "id": "google.monthly_1_15_until_z",
        "recurrence": ["RRULE:FREQ=MONTHLY;UNTIL=20260601T000000Z;BYMONTHDAY=1,15"],
        "start": {"dateTime": "2026-01-01T08:00:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2026-01-01T09:00:00", "timeZone": "America/Los_Angeles"},
    },
]


def rule_sets():
    with open(_data_path(), encoding="utf-8") as handle:
        return json.load(handle)["sets"] + EXTRA_SETS


def is_all_day(rule_set):
    return "date" in rule_set["start"]


@tagged("post_install", "-at_install")
class TestRecurrenceFidelity(SyncCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A technician west of UTC: his calendar and his user in New York.
        email = "marc@example.com"
        cls.emulator.add_account(email, WEST)
        cls.marc = new_test_user(
            cls.env,
            login="marc_sync",
            email=email,
            tz=WEST,
            groups="base.group_user,openfire_planning.group_of_planning_user",
        )
        cls.env["hr.employee"].create({"name": "Marc", "user_id": cls.marc.id, "work_email": email})
        cls.marc_account = cls.env["of.google.account"]._for_user(cls.marc)

    def setUp(self):
        super().setUp()
        self.marc_account._store_tokens(
            self.emulator.mint_token(self.marc.email, client_id=CLIENT_ID, scopes=list(SCOPES))
        )

    # ------------------------------------------------------------ helpers

    def insert(self, account, rule_set, summary=None):
        if not self.calendar(account):
            self.sync(account)  # the first sync picks the calendar
        body = {
            "summary": summary or rule_set["id"],
            "recurrence": rule_set["recurrence"],
            "start": rule_set["start"],
            "end": rule_set["end"],
        }
        return self.phone(account).insert_event(self.calendar(account), body)

    def google_starts(self, account, event, all_day, _zone):
        """The first instances' original starts: UTC naive, or local dates."""
        page = self.emulator.service.instances(
            account.user_id.email, self.calendar(account), event["id"], max_results=FIRST
        )
        starts = []
        for instance in page["items"][:FIRST]:
            moment = instance["originalStartTime"]
            if all_day:
                starts.append(date.fromisoformat(moment["date"]))
            else:
                value = datetime.fromisoformat(moment["dateTime"])
                starts.append(value.astimezone(pytz.utc).replace(tzinfo=None))
        return starts

    def planning_starts(self, recurrence, all_day):
        originals = sorted(recurrence.intervention_ids.mapped("recurrence_original_date"))
        if not all_day:
            return originals[:FIRST]
        zone = pytz.timezone(recurrence.tz)
        return [pytz.utc.localize(value).astimezone(zone).date() for value in originals][:FIRST]

    def series_named(self, name, account):
        rdvs = self.Rdv.search([("name", "=", name), ("user_id", "=", account.user_id.id)])
        self.assertEqual(len(rdvs.recurrence_id), 1, "one series for %s" % name)
        return rdvs.recurrence_id

    # ---------------------------------------------------------------- tests

    def test_rule_sets_land_on_google_instances(self):
        """Every rule set, timed in its own zone and all-day in Paris and in New
        York: the planning's first 20 RDVs start where Google's instances do,
        Google's lines are kept verbatim, and a second sync only lists."""
        sets = rule_sets()
        self.assertGreaterEqual(len(sets), 40)
        inserted = []
        for rule_set in sets:
            inserted.append((self.jean_account, rule_set, self.insert(self.jean_account, rule_set)))
            if is_all_day(rule_set):
                inserted.append(
                    (self.marc_account, rule_set, self.insert(self.marc_account, rule_set))
                )
        self.sync(self.jean_account)
        self.sync(self.marc_account)
        checked = 0
        for account, rule_set, event in inserted:
            all_day = is_all_day(rule_set)
            with self.subTest(rule_set=rule_set["id"], user=account.user_id.login):
                recurrence = self.series_named(rule_set["id"], account)
                self.assertEqual(
                    sorted(recurrence.rule_lines.splitlines()), sorted(rule_set["recurrence"])
                )
                self.assertFalse(recurrence.rule_error)
                expected = self.google_starts(account, event, all_day, recurrence.tz)
                self.assertTrue(expected)
                self.assertEqual(self.planning_starts(recurrence, all_day), expected)
                checked += 1
        self.assertEqual(checked, len(inserted))
        # All-day series with TZID date-time EXDATE/RDATE: the 12th removed, the
        # 14th added, in Paris and in New York alike.
        for account in (self.jean_account, self.marc_account):
            recurrence = self.series_named("google.all_day_tzid_exdate_rdate", account)
            self.assertEqual(
                self.planning_starts(recurrence, True),
                [date(2026, 1, 5), date(2026, 1, 14), date(2026, 1, 19), date(2026, 1, 26)],
            )
        # GMT+02:00 is a fixed offset (09:00 there is 07:00 UTC, winter or not).
        outlook = self.series_named("outlook.gmt_plus_2_weekly", self.jean_account)
        self.assertEqual(outlook.tz, "Etc/GMT-2")
        self.assertEqual(outlook.dtstart, datetime(2026, 1, 5, 7, 0))
        # Rules the form cannot edit are shown as text with their next RDVs.
        last_weekday = self.series_named("google.last_weekday_of_month", self.jean_account)
        self.assertFalse(last_weekday.rule_editable)
        self.assertTrue(last_weekday.next_occurrences)
        self.assertTrue(
            self.series_named("rfc.monthly_2nd_and_15th", self.jean_account).rule_editable
        )
        # Nothing goes back to Google: the next syncs only list.
        for account in (self.jean_account, self.marc_account):
            self.emulator.clear_log()
            self.sync(account)
            self.assertEqual(self.emulator.http_round_trips(), 1, account.user_id.login)

    def test_zones_of_other_programs_are_kept_and_sent_back(self):
        """GMT+05:30, UTC-03:30, GMT+05:45 (Outlook's): fixed offsets an RDV
        stores and shows as such, and sends back with the same times; a zone
        nobody knows: the offset of the event's own time (not the technician's
        Paris), noted on the RDV."""
        zones = {"GMT+05:30": "UTC+05:30", "UTC-03:30": "UTC-03:30", "GMT+05:45": "UTC+05:45"}
        if not self.calendar():
            self.sync()  # the first sync picks the calendar
        phone, calendar = self.phone(), self.calendar()
        for name in zones:
            phone.insert_event(
                calendar,
                {
                    "summary": "Visite " + name,
                    "start": {"dateTime": "2026-01-15T09:00:00", "timeZone": name},
                    "end": {"dateTime": "2026-01-15T10:00:00", "timeZone": name},
                },
            )
        elsewhere = phone.insert_event(
            calendar,
            {
                "summary": "Visite ailleurs",
                "start": {"dateTime": "2026-01-15T09:00:00+02:00", "timeZone": "Africa/Cairo"},
                "end": {"dateTime": "2026-01-15T10:00:00+02:00", "timeZone": "Africa/Cairo"},
            },
        )
        # A zone another program wrote, which Google passed on and nobody knows.
        with self.emulator.service.lock:
            stored = self.emulator.service.calendar(self.jean.email, calendar, "owner")
            for field in ("start", "end"):
                stored.events[elsewhere["id"]][field]["timeZone"] = "Mars/Olympus"
        self.sync()
        labels = dict(self.Rdv.fields_get(["tz"])["tz"]["selection"])
        for name, stored in zones.items():
            with self.subTest(zone=name):
                rdv = self.Rdv.search([("name", "=", "Visite " + name)])
                self.assertEqual(rdv.tz, stored)
                self.assertEqual(labels[stored], stored)
                offset = datetime.fromisoformat("2026-01-15T09:00:00" + stored[3:]).utcoffset()
                self.assertEqual(rdv.date, datetime(2026, 1, 15, 9) - offset)
        elsewhere = self.Rdv.search([("name", "=", "Visite ailleurs")])
        self.assertEqual(elsewhere.tz, "Etc/GMT-2")  # +02:00, winter or not
        self.assertEqual(labels["Etc/GMT-2"], "Etc/GMT-2 (UTC+02:00)")
        self.assertEqual(elsewhere.date, datetime(2026, 1, 15, 7))
        self.assertIn("Mars/Olympus", " ".join(elsewhere.message_ids.mapped("body")))
        # Edited in Odoo: sent back in the same zone, at the same time.
        for name in zones:
            rdv = self.Rdv.search([("name", "=", "Visite " + name)])
            rdv.write({"name": "Visite (modifiée) " + name})
        self.sync()
        sent = {
            event["summary"].rsplit(" ", 1)[1]: event["start"]
            for event in self.events()
            if event.get("summary", "").startswith("Visite (modifiée)")
        }
        self.assertEqual(sorted(sent), sorted(zones))
        for name, start in sent.items():
            self.assertEqual(start["timeZone"], zones[name])
            self.assertEqual(
                datetime.fromisoformat(start["dateTime"]),
                datetime.fromisoformat("2026-01-15T09:00:00" + zones[name][3:]),
            )
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)

    def test_series_edited_in_odoo_is_written_back_with_that_edit(self):
        """An edit in Odoo changes only the part edited in Google's own lines;
        a rule the form cannot edit stays verbatim through an edit of all RDVs."""
        weekly = {
            "id": "edit.weekly",
            "recurrence": [
                "EXDATE;TZID=Europe/Paris:20260316T090000",
                "RRULE:FREQ=WEEKLY;WKST=SU;UNTIL=20260420T000000Z;BYDAY=MO",
            ],
            "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": "2026-03-02T10:00:00", "timeZone": "Europe/Paris"},
        }
        custom = {
            "id": "edit.custom",
            "recurrence": ["RRULE:FREQ=MONTHLY;COUNT=5;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1"],
            "start": {"dateTime": "2026-03-31T14:00:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": "2026-03-31T15:00:00", "timeZone": "Europe/Paris"},
        }
        weekly_event = self.insert(self.jean_account, weekly)
        custom_event = self.insert(self.jean_account, custom)
        self.sync()
        series = self.series_named("edit.weekly", self.jean_account)
        self.assertEqual(series.until, date(2026, 4, 19))  # 20th 02:00 Paris: not the 20th
        first = series.intervention_ids.sorted("date")[0]
        first.write({"interval": 2, "recurrence_update": "all_events"})
        other = self.series_named("edit.custom", self.jean_account)
        other.intervention_ids.sorted("date")[0].write(
            {"name": "Relevé mensuel", "recurrence_update": "all_events"}
        )
        self.sync()
        master = self.phone().get_event(self.calendar(), weekly_event["id"])
        self.assertEqual(
            sorted(master["recurrence"]),
            [
                "EXDATE;TZID=Europe/Paris:20260316T090000",
                "RRULE:FREQ=WEEKLY;WKST=SU;UNTIL=20260420T000000Z;BYDAY=MO;INTERVAL=2",
            ],
        )
        self.assertEqual(
            self.planning_starts(series, False),
            self.google_starts(self.jean_account, master, False, series.tz),
        )
        self.assertEqual(
            self.planning_starts(series, False),
            [datetime(2026, 3, 2, 8), datetime(2026, 3, 30, 7), datetime(2026, 4, 13, 7)],
        )
        custom_master = self.phone().get_event(self.calendar(), custom_event["id"])
        self.assertEqual(custom_master["summary"], "Relevé mensuel")
        self.assertEqual(custom_master["recurrence"], custom["recurrence"])
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)

    def test_invalid_rule_is_reported_on_the_rdv_and_the_rest_syncs(self):
        broken = self.insert(
            self.jean_account,
            {
                "id": "broken",
                "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"],
                "start": {"dateTime": "2026-03-03T10:00:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": "2026-03-03T11:00:00", "timeZone": "Europe/Paris"},
            },
        )
        # Another program wrote a rule Google stored but nobody can read.
        with self.emulator.service.lock:
            calendar = self.emulator.service.calendar(self.jean.email, self.calendar(), "owner")
            calendar.events[broken["id"]]["recurrence"] = ["RRULE:FREQ=WEEKLY;BYDAY=XX"]
        self.phone().insert_event(
            self.calendar(),
            {
                "summary": "Visite simple",
                "start": {"dateTime": "2026-03-04T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-04T11:00:00+01:00"},
            },
        )
        self.sync()
        self.assertTrue(self.Rdv.search([("name", "=", "Visite simple")]))
        rdvs = self.Rdv.search([("name", "=", "broken")])
        self.assertEqual(len(rdvs), 1)
        self.assertIn("XX", rdvs.recurrence_id.rule_error)
        self.assertIn("cannot be read", " ".join(rdvs.message_ids.mapped("body")))
        # Its lines stay Google's: nothing is written back.
        self.assertEqual(rdvs.recurrence_id.rule_lines, "RRULE:FREQ=WEEKLY;BYDAY=XX")
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)
