"""A technician's busy time from Google's answers: freeBusy periods (never
what they are), out-of-office events as absences, working locations as
places; all-day events busy or free; Google's refusals are reasons, never
"free"; long windows asked in ranges Google accepts."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sync.busy_time import (
    ABSENCE,
    BUSY,
    LOCATION,
    MAX_RANGE,
    BusyBlock,
    chunks,
    from_free_busy,
    from_typed_events,
    ranges,
    without_absences,
)

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")


def utc(day, hour=0):
    return datetime(2026, 3, day, hour, tzinfo=UTC)


def test_a_long_window_is_asked_in_ranges():
    start = utc(1)
    cuts = ranges(start, start + timedelta(weeks=10))
    assert cuts[0] == (start, start + MAX_RANGE)
    assert all(b - a <= MAX_RANGE for a, b in cuts)
    assert [a for a, _b in cuts[1:]] == [b for _a, b in cuts[:-1]]  # consecutive
    assert cuts[-1][1] == start + timedelta(weeks=10)
    with pytest.raises(ValueError):
        ranges(start, start)


def test_free_busy_periods_and_errors():
    answer = {
        "busy": [
            {"start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"},
            {"start": "2026-03-02T11:00:00+01:00", "end": "2026-03-02T12:00:00+01:00"},
            {"start": "bad", "end": "2026-03-02T12:00:00Z"},
            "junk",
        ]
    }
    blocks, reasons = from_free_busy(answer)
    assert reasons == ()
    assert blocks == [BusyBlock(utc(2, 9), utc(2, 10)), BusyBlock(utc(2, 10), utc(2, 11))]
    # an unshared calendar: a reason, never an empty (free) answer
    blocks, reasons = from_free_busy({"errors": [{"domain": "global", "reason": "notFound"}]})
    assert (blocks, reasons) == ([], ("notFound",))
    assert from_free_busy(None) == ([], ())


def test_all_day_events_busy_or_free_in_the_calendars_zone():
    day = {"start": "2026-03-02T23:00:00Z", "end": "2026-03-03T23:00:00Z"}  # 3 March, Paris
    timed = {"start": "2026-03-04T08:00:00Z", "end": "2026-03-04T09:00:00Z"}
    answer = {"busy": [day, timed]}
    assert len(from_free_busy(answer, all_day_busy=True, tz="Europe/Paris")[0]) == 2
    kept, _reasons = from_free_busy(answer, all_day_busy=False, tz="Europe/Paris")
    assert kept == [BusyBlock(utc(4, 8), utc(4, 9))]
    # in another zone the same period is not a whole day: kept
    assert len(from_free_busy(answer, all_day_busy=False, tz="UTC")[0]) == 2


def test_typed_events_absences_and_places():
    events = [
        {
            "eventType": "outOfOffice",
            "start": {"dateTime": "2026-03-05T00:00:00+01:00"},
            "end": {"dateTime": "2026-03-06T00:00:00+01:00"},
        },
        {
            "eventType": "workingLocation",
            "start": {"date": "2026-03-09"},
            "end": {"date": "2026-03-10"},
            "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}},
        },
        {
            "eventType": "workingLocation",
            "start": {"dateTime": "2026-03-10T08:00:00+01:00"},
            "end": {"dateTime": "2026-03-10T12:00:00+01:00"},
            "workingLocationProperties": {
                "type": "customLocation",
                "customLocation": {"label": "Chantier"},
            },
        },
        {"eventType": "outOfOffice", "status": "cancelled", "start": {}, "end": {}},
        {"eventType": "default", "start": {"dateTime": "2026-03-11T08:00:00Z"}},
    ]
    blocks = from_typed_events(events, tz="Europe/Paris")
    assert blocks == [
        BusyBlock(utc(4, 23), utc(5, 23), ABSENCE),
        BusyBlock(utc(8, 23), utc(9, 23), LOCATION, "home"),
        BusyBlock(utc(10, 7), utc(10, 11), LOCATION, "Chantier"),
    ]


def test_an_absence_shows_once_as_an_absence():
    absence = BusyBlock(utc(5), utc(6), ABSENCE)
    inside = BusyBlock(utc(5, 8), utc(5, 9), BUSY)
    across = BusyBlock(utc(5, 23), utc(6, 1), BUSY)
    assert without_absences([inside, across], [absence]) == [across]


def test_chunks_of_at_most_fifty_calendars_each_once():
    ids = ["c%d@x" % n for n in range(120)] + ["c0@x", "c7@x"]
    cut = chunks(ids)
    assert [len(chunk) for chunk in cut] == [50, 50, 20]
    assert sum(cut, []) == ["c%d@x" % n for n in range(120)]
    assert chunks([]) == []
    assert chunks(["a", "b", "c"], size=2) == [["a", "b"], ["c"]]
