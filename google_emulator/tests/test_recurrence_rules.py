"""Recurrence rules expanded like Google and RFC 5545, one family at a time.

The rule sets of ``data/rrules.json`` are real ones (Google's guides, RFC 5545's
examples, other projects' recorded Google payloads; each entry names its source);
where the source states the occurrences ("published"), events.instances must give
exactly those, all-day series in a calendar east and one west of UTC."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import json
import os

import pytest
from googleapiclient.errors import HttpError

from google_emulator.tests.helpers import ALICE, error_of

with open(
    os.path.join(os.path.dirname(__file__), "data", "rrules.json"), encoding="utf-8"
) as _file:
    SETS = {entry["id"]: entry for entry in json.load(_file)["sets"]}
PUBLISHED = sorted(name for name, entry in SETS.items() if entry.get("published"))


def _calendar(emu, zone):
    return emu.add_calendar(ALICE, "Zone %s" % zone, time_zone=zone)


def _series(service, calendar_id, recurrence, start, end, **extra):
    body = dict(start=start, end=end, recurrence=recurrence, summary="série", **extra)
    return service.events().insert(calendarId=calendar_id, body=body).execute()


def _starts(service, calendar_id, event_id, first=None, **params):
    """Occurrence starts (dates, or local wall clock "YYYY-MM-DDTHH:MM[:SS]") of every
    page, or of the ``first`` ones only."""
    if first is not None:
        page = (
            service.events()
            .instances(calendarId=calendar_id, eventId=event_id, maxResults=first, **params)
            .execute()
        )
        return [i["start"].get("date") or i["start"]["dateTime"][:19] for i in page["items"]]
    starts, token = [], None
    while True:
        page = (
            service.events()
            .instances(
                calendarId=calendar_id, eventId=event_id, pageToken=token, maxResults=250, **params
            )
            .execute()
        )
        for item in page["items"]:
            start = item["start"]
            starts.append(start.get("date") or start["dateTime"][:19])
        token = page.get("nextPageToken")
        if not token:
            return starts


def _same(published, found):
    """Published wall-clock starts (minutes or seconds) against found ones."""
    return [
        p if len(p) == 10 else found_item[: len(p)]
        for p, found_item in zip(published, found, strict=False)
    ] == published and len(found) >= len(published)


@pytest.mark.parametrize("name", PUBLISHED)
def test_published_occurrences(emu, service, name):
    entry = SETS[name]
    all_day = "date" in entry["start"]
    zones = ["Europe/Paris", "America/Los_Angeles"] if all_day else [entry["start"]["timeZone"]]
    for zone in zones:
        calendar_id = _calendar(emu, zone)
        master = _series(service, calendar_id, entry["recurrence"], entry["start"], entry["end"])
        published = entry["published"]
        found = _starts(service, calendar_id, master["id"], first=len(published))
        assert _same(published, found[: len(published)]), (zone, published, found[:20])


def test_yearly_bymonthday_without_bymonth_is_yearly_in_the_start_month(emu, service):
    for name in (
        "gcal_sync.yearly_bymonthday.all_day",
        "magicmirror.google_yearly_bymonthday.all_day",
        "php_rrule.google_api_yearly_bymonthday.all_day",
    ):
        entry = SETS[name]
        master = _series(service, "primary", entry["recurrence"], entry["start"], entry["end"])
        found = _starts(service, "primary", master["id"], timeMax="2026-01-01T00:00:00Z")
        assert {day[5:] for day in found} == {entry["start"]["date"][5:]}, name
    # BYDAY still narrows the whole year: Friday the 13th, yearly.
    master = _series(
        service,
        "primary",
        ["RRULE:FREQ=YEARLY;BYDAY=FR;BYMONTHDAY=13;COUNT=3"],
        {"date": "2026-02-13"},
        {"date": "2026-02-14"},
    )
    assert _starts(service, "primary", master["id"]) == ["2026-02-13", "2026-03-13", "2026-11-13"]


def test_wkst_changes_biweekly_series(emu, service):
    monday = SETS["rfc.biweekly_tu_su_wkst_mo"]
    sunday = SETS["rfc.biweekly_tu_su_wkst_su"]
    found = []
    for entry in (monday, sunday):
        master = _series(service, "primary", entry["recurrence"], entry["start"], entry["end"])
        found.append(_starts(service, "primary", master["id"]))
    assert found[0] != found[1]
    assert [f[:16] for f in found[1]] == sunday["published"]


def test_exrule_is_accepted_and_removes_occurrences(emu, service):
    entry = SETS["gcsa.daily_exrule_exdate_date"]
    master = _series(service, "primary", entry["recurrence"], entry["start"], entry["end"])
    found = _starts(service, "primary", master["id"], timeMax="2019-06-01T00:00:00Z")
    assert found[:3] == ["2019-01-01T11:22:33", "2019-01-02T11:22:33", "2019-01-03T11:22:33"]
    assert "2019-01-07T11:22:33" not in found  # a Monday: EXRULE
    assert "2019-04-19T11:22:33" not in found  # EXDATE;VALUE=DATE
    assert "2019-04-18T11:22:33" in found


@pytest.mark.parametrize("zone", ["Europe/Helsinki", "Europe/Paris", "America/Los_Angeles"])
def test_all_day_exdate_and_rdate_with_tzid_date_times(emu, service, zone):
    """Google writes an all-day series' EXDATE/RDATE as TZID=...:YYYYMMDDT000000: the
    day named is removed or added, in any zone (not one day early east of UTC)."""
    calendar_id = _calendar(emu, zone)
    removed = SETS["gcal_sync.exdate_tzid_datetime_on_all_day"]
    added = SETS["gcal_sync.rdate_tzid_datetime_on_all_day"]
    master = _series(service, calendar_id, removed["recurrence"], removed["start"], removed["end"])
    assert _starts(service, calendar_id, master["id"])[:3] == [
        "2012-11-27",
        "2012-12-11",
        "2012-12-18",
    ]
    master = _series(service, calendar_id, added["recurrence"], added["start"], added["end"])
    found = _starts(service, calendar_id, master["id"])
    assert found[:4] == ["2012-11-27", "2012-12-03", "2012-12-04", "2012-12-11"]
    assert found[-1] == "2013-02-19"  # UNTIL=20130225T000000Z
    tzid_date = SETS["odoo.exdate_tzid_date_value.all_day"]
    master = _series(
        service, calendar_id, tzid_date["recurrence"], tzid_date["start"], tzid_date["end"]
    )
    assert _starts(service, calendar_id, master["id"]) == ["2020-01-06", "2020-01-20"]


def test_all_day_exdate_in_utc_is_read_in_the_calendars_zone(emu, service):
    calendar_id = _calendar(emu, "Europe/Paris")
    master = _series(
        service,
        calendar_id,
        ["RRULE:FREQ=DAILY;COUNT=5", "EXDATE:20240102T230000Z"],
        {"date": "2024-01-01"},
        {"date": "2024-01-02"},
    )
    # 2 January 23:00 UTC is 3 January in Paris.
    assert _starts(service, calendar_id, master["id"]) == [
        "2024-01-01",
        "2024-01-02",
        "2024-01-04",
        "2024-01-05",
    ]


def test_until_is_inclusive_in_utc(emu, service):
    start = {"dateTime": "2024-01-01T10:00:00", "timeZone": "Europe/Paris"}  # 09:00Z
    end = {"dateTime": "2024-01-01T11:00:00", "timeZone": "Europe/Paris"}
    exact = _series(service, "primary", ["RRULE:FREQ=DAILY;UNTIL=20240105T090000Z"], start, end)
    before = _series(service, "primary", ["RRULE:FREQ=DAILY;UNTIL=20240105T085959Z"], start, end)
    assert _starts(service, "primary", exact["id"])[-1] == "2024-01-05T10:00:00"
    assert _starts(service, "primary", before["id"])[-1] == "2024-01-04T10:00:00"
    # A date UNTIL on a timed series includes that day; a floating one is local time.
    entry = SETS["gcal_sync.until_date_on_timed"]
    master = _series(service, "primary", entry["recurrence"], entry["start"], entry["end"])
    assert _starts(service, "primary", master["id"])[-1] == "2020-09-15T18:00:00"
    # Google's older guide wrote UNTIL with an offset.
    entry = SETS["google.recurring_guide_old.until_with_offset"]
    master = _series(service, "primary", entry["recurrence"], entry["start"], entry["end"])
    assert _starts(service, "primary", master["id"])[-1] == "2011-07-01T10:00:00"


def test_rdates_before_the_start_and_x_parameters(emu, service):
    entry = SETS["gcal_sync.rdate_tzid_plus_monthly_2th"]
    master = _series(service, "primary", entry["recurrence"], entry["start"], entry["end"])
    found = _starts(service, "primary", master["id"])
    assert found[:5] == [
        "2022-02-10T13:00:00",
        "2022-03-10T13:00:00",
        "2022-04-14T13:00:00",
        "2022-07-14T13:00:00",
        "2022-08-11T13:00:00",
    ]
    assert found[-1] == "2023-03-09T13:00:00"  # = UNTIL=20230309T110000Z: inclusive


def test_outlook_style_gmt_offset_zones(emu, service):
    """Invitations from Outlook/Exchange carry ``GMT+02:00``: a fixed offset (no DST),
    never the calendar's zone."""
    calendar_id = _calendar(emu, "Europe/Paris")
    single = (
        service.events()
        .insert(
            calendarId=calendar_id,
            body={
                "summary": "Summary",
                "start": {"dateTime": "2022-11-12T10:00:00", "timeZone": "GMT+02:00"},
                "end": {"dateTime": "2022-11-12T11:00:00", "timeZone": "GMT+02:00"},
            },
        )
        .execute()
    )
    assert single["start"] == {"dateTime": "2022-11-12T10:00:00+02:00", "timeZone": "GMT+02:00"}
    master = _series(
        service,
        calendar_id,
        ["RRULE:FREQ=WEEKLY;COUNT=4", "EXDATE;TZID=GMT+02:00:20221019T100000"],
        {"dateTime": "2022-10-12T10:00:00", "timeZone": "GMT+02:00"},
        {"dateTime": "2022-10-12T11:00:00", "timeZone": "GMT+02:00"},
    )
    items = (
        service.events().instances(calendarId=calendar_id, eventId=master["id"]).execute()["items"]
    )
    # Across Paris' change to winter time (30 October) it stays 10:00+02:00.
    assert [i["start"]["dateTime"] for i in items] == [
        "2022-10-12T10:00:00+02:00",
        "2022-10-26T10:00:00+02:00",
        "2022-11-02T10:00:00+02:00",
    ]
    with pytest.raises(HttpError) as info:  # a calendar's zone stays an IANA name
        service.calendars().insert(body={"summary": "x", "timeZone": "GMT+02:00"}).execute()
    assert error_of(info.value)[0] == 400


def test_infinite_series_instances_page_past_two_years(emu, service):
    entry = SETS["rfc.friday_13th"]
    master = _series(service, "primary", entry["recurrence"], entry["start"], entry["end"])
    found = _starts(service, "primary", master["id"])
    assert [f[:16] for f in found[:5]] == entry["published"]
    assert len(found) == emu.service.max_instances
