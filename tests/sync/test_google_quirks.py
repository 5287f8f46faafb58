"""Google's quirks as real accounts send them: an RDATE list labelled ``RRULE:DATE``.

The payload is the one ``allenporter/gcal_sync`` (Home Assistant's Google Calendar
library) records as seen from the Google API, ``tests/test_timeline.py``
``test_invalid_rrule_until_spurious_date``: an all-day event whose end is before its
start and whose only recurrence line is a list of dates named ``RRULE:DATE``. That
library reads it as the RDATE list it is and shows the five dates listed, nothing on
the event's own start date."""

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.rrule import rruleset
from sync.actions import Kind
from sync.content_hash import content_hash
from sync.mapping import event_to_rdv, rdv_to_event
from sync.plan import plan_sync
from sync.state import PairState
from sync_helpers import DB, settings

LISTED = "20230818T020000,20230915T020000,20231013T020000,20231110T010000,20231208T010000"
PAYLOAD = {
    "id": "event-id",
    "etag": '"7"',
    "updated": "2023-08-01T10:00:00Z",
    "status": "confirmed",
    "summary": "Summary",
    "start": {"date": "2023-08-02"},
    "end": {"date": "2023-08-01"},
    "recurrence": ["RRULE:DATE;TZID=Europe/Warsaw:" + LISTED],
}
DATES = [date(2023, 8, 18), date(2023, 9, 15), date(2023, 10, 13), date(2023, 11, 10)]
DATES.append(date(2023, 12, 8))


def occurrences(rdv):
    """The days of an all-day series as RFC 5545 expands it (DTSTART, then RDATE
    values at their wall date, as the planning reads an all-day series' dates)."""
    days = rruleset()
    days.rdate(datetime(rdv.start.year, rdv.start.month, rdv.start.day))
    for line in rdv.recurrence:
        name, _, values = line.partition(":")
        assert name.split(";")[0] == "RDATE", line
        for value in values.split(","):
            days.rdate(datetime.strptime(value[:8], "%Y%m%d"))
    return [moment.date() for moment in days]


def test_rrule_date_is_read_as_the_dates_it_lists():
    rdv, problems = event_to_rdv(PAYLOAD)
    assert rdv.recurrence == ("RDATE;TZID=Europe/Warsaw:" + LISTED,)
    assert rdv.all_day and rdv.start == rdv.end == date(2023, 8, 18)
    assert occurrences(rdv) == DATES  # not one on 2023-08-02, the event's own start
    assert problems == ["end: before the start, the start used"]


def test_rrule_date_is_never_pushed_back_broken():
    rdv, _problems = event_to_rdv(PAYLOAD)
    body = rdv_to_event(replace(rdv, key="S1"), DB)
    assert body["recurrence"] == ["RDATE;TZID=Europe/Warsaw:" + LISTED]
    assert body["start"] == {"date": "2023-08-18"} and body["end"] == {"date": "2023-08-19"}
    again, problems = event_to_rdv(dict(body, id="event-id"))
    assert problems == [] and content_hash(again) == content_hash(rdv)


def test_rrule_date_plans_one_series_at_the_listed_dates_then_nothing():
    plan = plan_sync({}, {}, [PAYLOAD], settings())
    assert plan.stopped is None and len(plan.actions) == 1
    action = plan.actions[0]
    assert action.kind == Kind.CREATE_LOCAL
    assert occurrences(action.rdv) == DATES
    # stored, the same listing again plans nothing: no push of a "fixed" version
    stored = action.state_after(key="S1")
    assert isinstance(stored, PairState)
    local = replace(action.rdv, key="S1")
    again = plan_sync({"S1": stored}, {"S1": local}, [PAYLOAD], settings())
    assert again.stopped is None and again.actions == ()


def test_a_timed_rrule_date_starts_at_its_first_listed_moment():
    timed = dict(
        PAYLOAD,
        start={"dateTime": "2023-08-02T10:00:00+02:00", "timeZone": "Europe/Warsaw"},
        end={"dateTime": "2023-08-02T11:00:00+02:00", "timeZone": "Europe/Warsaw"},
    )
    rdv, _problems = event_to_rdv(timed)
    warsaw = ZoneInfo("Europe/Warsaw")
    assert rdv.start == datetime(2023, 8, 18, 2, 0, tzinfo=warsaw)
    assert rdv.end == datetime(2023, 8, 18, 3, 0, tzinfo=warsaw)


def test_a_real_rule_beside_rdates_keeps_the_event_start():
    series = dict(PAYLOAD, recurrence=["RRULE:FREQ=WEEKLY;COUNT=2", "RDATE;VALUE=DATE:20230901"])
    rdv, _problems = event_to_rdv(series)
    assert rdv.start == date(2023, 8, 2)
    assert rdv.recurrence == ("RDATE;VALUE=DATE:20230901", "RRULE:FREQ=WEEKLY;COUNT=2")
