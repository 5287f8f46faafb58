"""'Trouver un créneau': find_slots and conflicts (sync/slots.py).

Examples of each rule, the changes of time (Europe/Paris, and Lord Howe's
half-hour change), bad input, a brute-force oracle on a minute grid compared
with find_slots on random small inputs, and a loose timing of a large case."""

import random
import time
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sync.slots import (
    Availability,
    Busy,
    BusyKind,
    Clash,
    Code,
    Interval,
    Reason,
    Slot,
    conflicts,
    find_slots,
)

UTC = timezone.utc
PARIS = ZoneInfo("Europe/Paris")
HOUR = timedelta(hours=1)
MIN = timedelta(minutes=1)


def at(hour, minute=0, day=3, month=6, fold=0, tz=PARIS):
    """A Paris time (June 2024 by default: no change of time)."""
    return datetime(2024, month, day, hour, minute, fold=fold, tzinfo=tz)


def iv(start, end):
    return Interval(start, end)


def tech(key="1", working=((8, 12), (14, 18)), busy=(), known=None, day=3):
    """A technician working the given hours of June ``day``."""
    return Availability(
        key,
        tuple(iv(at(a, day=day), at(b, day=day)) for a, b in working),
        tuple(busy),
        known,
    )


def starts(search):
    return [(s.start.hour, s.start.minute) for s in search.slots]


def utc(value):
    return value.astimezone(UTC)


# -- the rules, by example ------------------------------------------------------
def test_earliest_free_slots_of_two_technicians():
    first = tech("1", busy=[Busy(at(9), at(10), BusyKind.RDV, ref="42")])
    second = tech("2", working=[(8, 18)], busy=[Busy(at(14), at(15), "absence")])
    search = find_slots([first, second], HOUR, at(7, 52), at(23))
    assert starts(search) == [(8, 0), (10, 0), (11, 0), (15, 0), (16, 0)]
    assert all(s.end - s.start == HOUR for s in search.slots)
    assert search.reasons == ()
    assert all(s.start.tzinfo is PARIS for s in search.slots)  # the search's zone


def test_touching_busy_time_is_no_overlap():
    busy = [Busy(at(9), at(10)), Busy(at(11), at(12))]
    search = find_slots([tech(working=[(8, 18)], busy=busy)], HOUR, at(9), at(12))
    assert starts(search) == [(10, 0)]  # 10-11 between 9-10 and 11-12


def test_touching_working_intervals_are_one_stretch_a_gap_is_not():
    touching = tech(working=[(8, 10), (10, 12)])
    assert starts(find_slots([touching], 2 * HOUR, at(9), at(12), count=1)) == [(9, 0)]
    gap = Availability("1", (iv(at(8), at(9, 45)), iv(at(10), at(12)), iv(at(13), at(15, 15))), ())
    search = find_slots([gap], 2 * HOUR, at(8), at(20))
    assert starts(search) == [(10, 0), (13, 0)]  # never over the gap 9:45-10:00
    overlapping = Availability("1", (iv(at(8), at(11)), iv(at(9), at(10)), iv(at(10), at(12))))
    assert starts(find_slots([overlapping], 4 * HOUR, at(8), at(20))) == [(8, 0)]


def test_start_rounded_up_to_the_step():
    one = tech(working=[(8, 18)])
    assert starts(find_slots([one], HOUR, at(8, 7), at(18), count=1)) == [(8, 15)]
    assert starts(find_slots([one], HOUR, at(8, 15), at(18), count=1)) == [(8, 15)]
    half = timedelta(minutes=30)
    assert starts(find_slots([one], HOUR, at(8, 7), at(18), count=1, step=half)) == [(8, 30)]
    late = Availability("1", (iv(at(8, 5), at(18)),))  # working starts off the grid
    assert starts(find_slots([late], HOUR, at(6), at(18), count=1)) == [(8, 15)]
    seconds = at(8).replace(second=1)
    assert starts(find_slots([one], HOUR, seconds, at(18), count=1)) == [(8, 15)]


def test_proposals_do_not_overlap_each_other():
    one = tech(working=[(8, 12)])
    fifty = timedelta(minutes=50)
    search = find_slots([one], fifty, at(8), at(12))
    # 8:00-8:50, then the next quarter hour after 8:50...
    assert starts(search) == [(8, 0), (9, 0), (10, 0), (11, 0)]
    for before, after in zip(search.slots, search.slots[1:], strict=False):
        assert after.start >= before.end


def test_count_and_horizon():
    one = tech(working=[(8, 18)])
    assert len(find_slots([one], HOUR, at(8), at(18)).slots) == 5
    assert len(find_slots([one], HOUR, at(8), at(18), count=10).slots) == 10
    assert len(find_slots([one], HOUR, at(8), at(18), count=11).slots) == 10
    # the last slot ends by the horizon, exactly at it if need be
    search = find_slots([one], HOUR, at(8), at(10, 30), count=9)
    assert starts(search) == [(8, 0), (9, 0)]
    assert find_slots([one], 3 * HOUR, at(8), at(10)).slots == ()


def test_the_grid_is_the_wall_clock_of_tz():
    kolkata = ZoneInfo("Asia/Kolkata")  # +05:30
    working = Availability("1", (iv(at(0, tz=UTC), at(23, tz=UTC)),))
    earliest = at(8, 10, tz=UTC)  # 13:40 in Kolkata
    local = find_slots([working], HOUR, earliest, at(23, tz=UTC), step=HOUR, tz="Asia/Kolkata")
    assert local.slots[0].start == datetime(2024, 6, 3, 14, 0, tzinfo=kolkata)
    assert local.slots[0].start.tzinfo == kolkata
    plain = find_slots([working], HOUR, earliest, at(23, tz=UTC), step=HOUR)  # UTC's hours
    assert plain.slots[0].start == at(9, tz=UTC)
    same = find_slots([working], HOUR, earliest, at(23, tz=UTC), step=HOUR, tz=kolkata)
    assert same == local


def test_empty_intervals_cover_nothing():
    zero = Busy(at(10), at(10), BusyKind.RDV)  # a zero-length RDV at 10:00
    empty_work = iv(at(12), at(12))
    one = Availability("1", (iv(at(8), at(12)), empty_work, iv(at(12, 15), at(14))), (zero,))
    search = find_slots([one], HOUR, at(9, 30), at(14), count=2)
    assert starts(search) == [(9, 30), (10, 30)]
    assert conflicts([one], at(9, 30), at(10, 30)) == []
    # and the empty working interval bridges nothing: 12:00-12:15 is a gap
    assert find_slots([one], 2 * HOUR, at(11), at(14)).slots == ()


def test_intervals_compare_in_utc_and_across_zones():
    # 02:30 CEST then 02:10 CET: 40 minutes, although the wall clock went back
    span = Interval(at(2, 30, day=27, month=10), at(2, 10, day=27, month=10, fold=1))
    assert utc(span.end) - utc(span.start) == timedelta(minutes=40)
    with pytest.raises(ValueError, match="before it starts"):
        Interval(at(2, 10, day=27, month=10, fold=1), at(2, 30, day=27, month=10))
    # busy time in UTC against working hours in Paris
    one = Availability("1", (iv(at(8), at(12)),), (Busy(at(6, tz=UTC), at(8, tz=UTC)),))
    assert starts(find_slots([one], HOUR, at(8), at(12), count=1)) == [(10, 0)]


# -- Google availability known or not ----------------------------------------------
def test_known_none_requires_nothing():
    search = find_slots([tech(working=[(8, 10)], known=None)], HOUR, at(8), at(10))
    assert starts(search) == [(8, 0), (9, 0)] and search.reasons == ()


def test_known_nowhere_gives_no_slot():
    search = find_slots([tech(known=())], HOUR, at(8), at(18))
    assert search.slots == ()
    assert search.reasons == (Reason("1", Code.AVAILABILITY_UNKNOWN),)
    # ignored when the caller says so
    ignored = find_slots([tech(known=())], HOUR, at(8), at(18), require_known=False)
    assert starts(ignored) == [(8, 0), (9, 0), (10, 0), (11, 0), (14, 0)]
    assert ignored.reasons == ()


def test_known_partly_slots_only_where_known():
    known = (iv(at(0), at(10, 30)),)  # synced until 10:30
    search = find_slots([tech(known=known), tech("2", working=[(8, 18)])], HOUR, at(8), at(18))
    assert starts(search) == [(8, 0), (9, 0)]
    assert search.reasons == (Reason("1", Code.AVAILABILITY_PARTLY_UNKNOWN),)
    # known time outside working hours does not count as "partly"
    whole = find_slots([tech(known=(iv(at(6), at(20)),))], HOUR, at(8), at(18))
    assert whole.reasons == () and len(whole.slots) == 5


# -- reasons -------------------------------------------------------------------------
def test_no_working_hours_gives_no_slot_and_says_so():
    search = find_slots([tech("1", working=()), tech("2")], HOUR, at(8), at(18))
    assert search.slots == ()
    assert search.reasons == (Reason("1", Code.NO_WORKING_HOURS),)
    outside = find_slots([tech("1", working=[(8, 12)])], HOUR, at(13), at(18))
    assert outside.reasons == (Reason("1", Code.NO_WORKING_HOURS),)


def test_working_too_short_and_no_free_slot():
    short = find_slots([tech(working=[(8, 12), (14, 18)])], 5 * HOUR, at(8), at(18))
    assert short.slots == () and short.reasons == (Reason("1", Code.WORKING_TOO_SHORT),)
    booked = tech("2", working=[(8, 12)], busy=[Busy(at(8), at(11, 30), BusyKind.BUSY)])
    search = find_slots([booked, tech("3")], HOUR, at(8), at(12))
    assert search.slots == ()
    assert search.reasons == (Reason("2", Code.NO_FREE_SLOT),)


def test_no_common_time():
    morning = tech("1", working=[(8, 12)])
    afternoon = tech("2", working=[(12, 18)])
    search = find_slots([morning, afternoon], HOUR, at(8), at(18))
    assert search.slots == () and search.reasons == (Reason(None, Code.NO_COMMON_TIME),)


# -- changes of time ---------------------------------------------------------------------
def test_spring_forward_paris():
    day = dict(day=31, month=3)  # 02:00 CET -> 03:00 CEST: the night has 5 hours to 06:00
    night = Availability("1", (iv(at(0, **day), at(6, **day)),))
    search = find_slots([night], HOUR, at(0, **day), at(6, **day), count=9)
    assert starts(search) == [(0, 0), (1, 0), (3, 0), (4, 0), (5, 0)]
    assert all(utc(s.end) - utc(s.start) == HOUR for s in search.slots)
    assert search.slots[1].end == at(3, **day)  # 01:00 + 1 h shows 03:00
    # rounding up from before the gap lands after it
    assert starts(find_slots([night], HOUR, at(1, 50, **day), at(6, **day), count=1)) == [(3, 0)]
    # 90 minutes from 01:15: ends 03:45 CEST
    long = find_slots([night], timedelta(minutes=90), at(1, 15, **day), at(6, **day), count=1)
    assert (long.slots[0].end.hour, long.slots[0].end.minute) == (3, 45)


def test_fall_back_paris():
    day = dict(day=27, month=10)  # 03:00 CEST -> 02:00 CET: 02:00-03:00 happens twice
    night = Availability("1", (iv(at(0, **day), at(6, **day)),))  # 7 real hours
    search = find_slots([night], HOUR, at(0, **day), at(6, **day), count=9)
    assert starts(search) == [(0, 0), (1, 0), (2, 0), (2, 0), (3, 0), (4, 0), (5, 0)]
    assert [s.start.fold for s in search.slots][2:4] == [0, 1]
    assert [s.start.utcoffset() for s in search.slots][2:4] == [2 * HOUR, HOUR]
    assert all(utc(s.end) - utc(s.start) == HOUR for s in search.slots)
    # after 02:50 CEST the next quarter hour is 02:00 CET (not 03:00)
    first = find_slots([night], HOUR, at(2, 50, **day), at(6, **day), count=1).slots[0]
    assert utc(first.start) == datetime(2024, 10, 27, 1, 0, tzinfo=UTC)
    # 02:10 CET (the second time) rounds to 02:15 CET, not to 02:15 CEST
    first = find_slots([night], HOUR, at(2, 10, fold=1, **day), at(6, **day), count=1).slots[0]
    assert utc(first.start) == datetime(2024, 10, 27, 1, 15, tzinfo=UTC)
    # a busy hour given in UTC (01:00-02:00 UTC = the second 02:00-03:00)
    busy = Busy(datetime(2024, 10, 27, 1, tzinfo=UTC), datetime(2024, 10, 27, 2, tzinfo=UTC))
    taken = Availability("1", night.working, (busy,))
    search = find_slots([taken], HOUR, at(0, **day), at(6, **day), count=9)
    assert [utc(s.start).hour for s in search.slots] == [22, 23, 0, 2, 3, 4]
    assert conflicts([taken], at(2, **day), at(2, fold=1, **day)) == []  # 00:00-01:00 UTC
    assert conflicts([taken], at(2, 30, fold=1, **day), at(3, 30, **day))[0].interval == busy


def test_half_hour_change_lord_howe():
    howe = ZoneInfo("Australia/Lord_Howe")  # +10:30 / +11:00
    end = at(0, tz=UTC, day=1, month=11)
    all_day = Availability("1", (iv(at(0, tz=UTC, day=1, month=3), end),))
    # 2024-10-06 02:00 -> 02:30: wall hours are 03:00 after 01:50, half hours 02:30
    earliest = datetime(2024, 10, 6, 1, 50, tzinfo=howe)
    hourly = find_slots([all_day], HOUR, earliest, end, count=1, step=HOUR).slots[0].start
    assert hourly.replace(tzinfo=None) == datetime(2024, 10, 6, 3, 0)
    half = find_slots([all_day], HOUR, earliest, end, count=1, step=30 * MIN).slots[0].start
    assert half.replace(tzinfo=None) == datetime(2024, 10, 6, 2, 30)
    assert utc(half) - utc(earliest) == 10 * MIN
    # 2024-04-07 02:00 -> 01:30: after 01:50 (+11) comes 01:30 (+10:30), 10 minutes later
    earliest = datetime(2024, 4, 7, 1, 50, tzinfo=howe)
    again = find_slots([all_day], HOUR, earliest, end, count=1, step=30 * MIN).slots[0].start
    assert (again.hour, again.minute, again.fold) == (1, 30, 1)
    assert utc(again) - utc(earliest) == 10 * MIN


# Around the changes of time of 2024 in zones with whole-hour, half-hour
# (Lord Howe) and midnight (Havana: 00:00 -> 01:00 in March) changes.
CHANGES = {
    "Europe/Paris": ("2024-03-31T01:00", "2024-10-27T01:00"),
    "Australia/Lord_Howe": ("2024-04-06T15:00", "2024-10-05T15:30"),
    "America/Havana": ("2024-03-10T05:00", "2024-11-03T05:00"),
    "America/New_York": ("2024-03-10T07:00", "2024-11-03T06:00"),
}


@hyp_settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(CHANGES)),
    st.integers(0, 1),
    st.integers(-3 * 3600, 3 * 3600),
    st.sampled_from((1, 5, 15, 30, 60, 120, 1440)),
)
def test_rounding_is_the_next_wall_clock_multiple(name, which, seconds, step):
    zone = ZoneInfo(name)
    change = datetime.fromisoformat(CHANGES[name][which]).replace(tzinfo=UTC)
    earliest = (change + timedelta(seconds=seconds)).astimezone(zone)
    always = Availability("1", (iv(change - 10 * 24 * HOUR, change + 10 * 24 * HOUR),))
    got = find_slots([always], MIN, earliest, change + 9 * 24 * HOUR, count=1, step=step * MIN)
    # brute force: minute after minute (every offset here is whole minutes)
    candidate = utc(earliest).replace(second=0)
    if candidate < utc(earliest):
        candidate += MIN
    while True:
        local = candidate.astimezone(zone)
        if (local.hour * 60 + local.minute) % step == 0:
            break
        candidate += MIN
    assert utc(got.slots[0].start) == candidate
    assert got.slots[0].start.tzinfo is zone


# -- bad input ---------------------------------------------------------------------------
NAIVE = datetime(2024, 6, 3, 8)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(earliest=NAIVE), "earliest must be an aware datetime"),
        (dict(horizon=NAIVE), "horizon must be an aware datetime"),
        (dict(earliest=date(2024, 6, 3)), "earliest must be an aware datetime"),
        (dict(duration=timedelta(0)), "duration must be a positive"),
        (dict(duration=-HOUR), "duration must be a positive"),
        (dict(duration=60), "duration must be a positive"),
        (dict(horizon=at(7)), "horizon .* must be after earliest"),
        (dict(horizon=at(8)), "horizon .* must be after earliest"),
        (dict(count=0), "count must be a positive integer"),
        (dict(count=-1), "count must be a positive integer"),
        (dict(count=2.0), "count must be a positive integer"),
        (dict(step=timedelta(0)), "step must be a positive timedelta dividing a day"),
        (dict(step=timedelta(minutes=7)), "step must be a positive timedelta dividing a day"),
        (dict(tz="Europe/Nowhere"), "unknown time zone"),
        (dict(availabilities=[]), "at least one technician"),
        (dict(availabilities=[tech("1"), tech("1")]), "technician 1 is given twice"),
        (dict(availabilities=["1"]), "expected Availability"),
    ],
)
def test_bad_search_input(kwargs, message):
    args = dict(availabilities=[tech()], duration=HOUR, earliest=at(8), horizon=at(18))
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        find_slots(**args)


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Interval(NAIVE, at(9)), "start must be an aware datetime"),
        (lambda: Interval(at(9), NAIVE), "end must be an aware datetime"),
        (lambda: Interval(at(9), at(8)), "ends .* before it starts"),
        (lambda: Busy(at(9), at(8), BusyKind.RDV), "ends .* before it starts"),
        (lambda: Busy(at(8), at(9), "workingLocation"), "busy kind must be one of"),
        (lambda: Availability("1", busy=(iv(at(8), at(9)),)), "busy holds Busy"),
        (lambda: Availability("1", working=((at(8), at(9)),)), "working holds Interval"),
        (lambda: Availability("1", known=[None]), "known holds Interval"),
        (lambda: Availability(""), "technician must be a non-empty string"),
        (lambda: Availability(7), "technician must be a non-empty string"),
    ],
)
def test_bad_intervals(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_lists_are_kept_as_tuples_and_kinds_as_enums():
    one = Availability("1", [iv(at(8), at(9))], [Busy(at(8), at(9), "absence")], [])
    assert one.working == (iv(at(8), at(9)),) and one.known == ()
    assert one.busy[0].kind is BusyKind.ABSENCE and one.busy[0].kind == "absence"
    assert Code.NO_FREE_SLOT == "no_free_slot"  # codes compare as their strings


# -- conflicts ---------------------------------------------------------------------------
def test_conflicts_busy_and_absence_per_technician():
    rdv = Busy(at(9), at(10), BusyKind.RDV, ref="42")
    google = Busy(at(10, 30), at(11), ref="evt1")
    away = Busy(at(8), at(18), BusyKind.ABSENCE)
    first = tech("1", busy=[google, rdv])
    second = tech("2", busy=[away])
    found = conflicts([first, second], at(9, 30), at(11))
    assert found == [
        Clash("1", BusyKind.RDV, rdv),
        Clash("1", BusyKind.BUSY, google),
        Clash("2", BusyKind.ABSENCE, away),
    ]
    assert [c.interval.ref for c in found] == ["42", "evt1", None]


def test_conflicts_touching_is_free():
    one = tech(busy=[Busy(at(9), at(10)), Busy(at(11), at(12))])
    assert conflicts([one], at(10), at(11)) == []
    assert conflicts([one], at(8), at(9)) == []


def test_conflicts_outside_working_hours_and_unknown():
    known = (iv(at(0), at(15)),)
    one = tech(working=[(8, 12), (14, 18)], known=known)
    found = conflicts([one], at(11), at(16))
    assert found == [
        Clash("1", Code.OUTSIDE_WORKING_HOURS, iv(at(12), at(14))),
        Clash("1", Code.AVAILABILITY_UNKNOWN, iv(at(15), at(16))),
    ]
    assert conflicts([one], at(11), at(16), require_known=False) == found[:1]
    assert conflicts([one], at(19), at(20)) == [
        Clash("1", Code.OUTSIDE_WORKING_HOURS, iv(at(19), at(20)))
    ]  # unknown is only said of working time
    # the parts come in the zone of the RDV's start
    part = conflicts([one], at(10, tz=UTC), at(13, tz=UTC))[0].interval
    assert part.start.tzinfo is UTC and part.start == at(12)


def test_conflicts_bad_input():
    with pytest.raises(ValueError, match="end .* must be after start"):
        conflicts([tech()], at(9), at(9))
    with pytest.raises(ValueError, match="start must be an aware datetime"):
        conflicts([tech()], NAIVE, at(9))
    with pytest.raises(ValueError, match="at least one technician"):
        conflicts([], at(8), at(9))


# -- properties ---------------------------------------------------------------------------
# Small random cases on a minute grid: minute m is BASE + m minutes (BASE: a local
# midnight in Paris, a plain day or the night of a change of time), each instant
# given in a random zone.
SPAN = 600
DAYS = (date(2024, 6, 3), date(2024, 3, 31), date(2024, 10, 27))
ZONES = (UTC, PARIS, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata"))
STEPS = (1, 5, 15, 30, 60)


def _minute_pairs(max_size, max_length):
    return st.lists(
        st.tuples(st.integers(0, SPAN), st.integers(0, max_length)), max_size=max_size
    ).map(lambda pairs: [(a, min(a + n, SPAN)) for a, n in pairs])


@st.composite
def scenarios(draw):
    day = draw(st.sampled_from(DAYS))
    base = datetime(day.year, day.month, day.day, tzinfo=PARIS).astimezone(UTC)

    def instant(minute):
        return (base + minute * MIN).astimezone(draw(st.sampled_from(ZONES)))

    techs = []
    for number in range(draw(st.integers(1, 3))):
        working = draw(_minute_pairs(4, 300))
        busy = [
            (a, b, draw(st.sampled_from(list(BusyKind)))) for a, b in draw(_minute_pairs(6, 120))
        ]
        known = draw(st.none() | _minute_pairs(3, SPAN))
        techs.append((str(number + 1), working, busy, known))
    earliest = draw(st.integers(0, SPAN - 1))
    horizon = draw(st.integers(earliest + 1, SPAN))
    availabilities = [
        Availability(
            key,
            tuple(Interval(instant(a), instant(b)) for a, b in working),
            tuple(Busy(instant(a), instant(b), kind) for a, b, kind in busy),
            None if known is None else tuple(Interval(instant(a), instant(b)) for a, b in known),
        )
        for key, working, busy, known in techs
    ]
    return dict(
        base=base,
        techs=techs,
        availabilities=availabilities,
        duration=draw(st.integers(1, 180)),
        step=draw(st.sampled_from(STEPS)),
        earliest=earliest,
        horizon=horizon,
        earliest_at=instant(earliest),
        horizon_at=instant(horizon),
        count=draw(st.integers(1, 6)),
        require_known=draw(st.booleans()),
    )


def _mask(pairs):
    mask = [False] * SPAN
    for a, b in pairs:
        mask[a:b] = [True] * (b - a)
    return mask


def _on_grid(base, minute, step):
    local = (base + minute * MIN).astimezone(PARIS)
    return (local.hour * 60 + local.minute) % step == 0


def _greedy(case, free, count):
    """Brute force: every grid minute in turn, a slot where all its minutes are free."""
    found, minute = [], case["earliest"]
    duration, step = case["duration"], case["step"]
    while minute + duration <= case["horizon"] and len(found) < count:
        if _on_grid(case["base"], minute, step) and all(free[minute : minute + duration]):
            found.append(minute)
            minute += duration
        else:
            minute += 1
    return found


def _solo(case, working, busy, known):
    """(working, known working, free) minute masks of one technician in the range."""
    inside = _mask([(case["earliest"], case["horizon"])])
    work = [w and i for w, i in zip(_mask(working), inside, strict=True)]
    sure = work
    if case["require_known"] and known is not None:
        sure = [w and k for w, k in zip(work, _mask(known), strict=True)]
    taken = _mask((a, b) for a, b, _kind in busy)
    return work, sure, [s and not t for s, t in zip(sure, taken, strict=True)]


def _oracle_reasons(case):
    reasons, blocked = [], False
    for key, working, busy, known in case["techs"]:
        work, sure, free = _solo(case, working, busy, known)
        codes = []
        if not any(work):
            codes.append(Code.NO_WORKING_HOURS)
        elif not _greedy(case, work, 1):
            codes.append(Code.WORKING_TOO_SHORT)
        else:
            if not any(sure):
                codes.append(Code.AVAILABILITY_UNKNOWN)
            elif sure != work:
                codes.append(Code.AVAILABILITY_PARTLY_UNKNOWN)
            if any(sure) and not _greedy(case, free, 1):
                codes.append(Code.NO_FREE_SLOT)
        blocked = blocked or any(c != Code.AVAILABILITY_PARTLY_UNKNOWN for c in codes)
        reasons.extend(Reason(key, code) for code in codes)
    return reasons, blocked


def _search(case):
    return find_slots(
        case["availabilities"],
        case["duration"] * MIN,
        case["earliest_at"],
        case["horizon_at"],
        count=case["count"],
        step=case["step"] * MIN,
        require_known=case["require_known"],
        tz="Europe/Paris",
    )


@hyp_settings(max_examples=400, deadline=None)
@given(scenarios())
def test_find_slots_is_the_brute_force_greedy(case):
    search = _search(case)
    common = [True] * SPAN
    for _key, working, busy, known in case["techs"]:
        free = _solo(case, working, busy, known)[2]
        common = [c and f for c, f in zip(common, free, strict=True)]
    expected = _greedy(case, common, case["count"])
    assert [utc(s.start) for s in search.slots] == [case["base"] + m * MIN for m in expected]
    reasons, blocked = _oracle_reasons(case)
    if not expected and not blocked:
        reasons.append(Reason(None, Code.NO_COMMON_TIME))
    assert list(search.reasons) == reasons


@hyp_settings(max_examples=300, deadline=None)
@given(scenarios())
def test_a_slot_never_overlaps_what_it_must_avoid(case):
    search = _search(case)
    low, high = utc(case["earliest_at"]), utc(case["horizon_at"])
    previous_end = None
    for slot in search.slots:
        start, end = utc(slot.start), utc(slot.end)
        assert low <= start and end <= high and end - start == case["duration"] * MIN
        local = slot.start.astimezone(PARIS)
        assert (local.hour * 60 + local.minute) % case["step"] == 0 and local.second == 0
        assert previous_end is None or start >= previous_end
        previous_end = end
        for availability in case["availabilities"]:
            # inside one working interval, or a chain of touching ones
            cover = start
            for work in sorted((w.utc() for w in availability.working), key=lambda p: p[0]):
                if work[0] <= cover < work[1]:
                    cover = work[1]
            assert cover >= end
            for busy in availability.busy:
                busy_start, busy_end = busy.utc()
                assert busy_end <= start or busy_start >= end or busy_start == busy_end
            if case["require_known"] and availability.known is not None:
                cover = start
                for part in sorted((k.utc() for k in availability.known), key=lambda p: p[0]):
                    if part[0] <= cover < part[1]:
                        cover = part[1]
                assert cover >= end
        # and conflicts agrees
        assert conflicts(case["availabilities"], slot.start, slot.end, case["require_known"]) == []


@hyp_settings(max_examples=200, deadline=None)
@given(scenarios(), st.integers(0, SPAN - 1), st.integers(1, 180))
def test_conflicts_is_empty_exactly_when_everyone_is_free(case, start, length):
    end = min(start + length, SPAN)
    found = conflicts(
        case["availabilities"],
        case["base"] + start * MIN,
        case["base"] + end * MIN,
        case["require_known"],
    )
    free = True
    for key, working, busy, known in case["techs"]:
        case_all = dict(case, earliest=0, horizon=SPAN)
        mine = _solo(case_all, working, busy, known)[2]
        alone = all(mine[start:end])
        free = free and alone
        assert alone == (not [c for c in found if c.technician == key])
    assert free == (found == [])


# -- speed -------------------------------------------------------------------------------
def _large_team(technicians=10, days=28, busy_per_technician=600, seed=7):
    """Worst case: 10 technicians over 4 weeks (over the change of time of March),
    working two half-days a day, hundreds of short busy intervals each in
    UTC (fragmenting the free time), Google availability known with gaps."""
    rng = random.Random(seed)
    first = date(2024, 3, 18)
    team = []
    for number in range(technicians):
        working, known = [], []
        for offset in range(days):
            day = first + timedelta(days=offset)
            if day.weekday() == 6:
                continue
            for a, b in ((7, 12), (13, 19)):
                working.append(
                    Interval(
                        *(
                            datetime.combine(day, datetime.min.time(), PARIS).replace(hour=h)
                            for h in (a, b)
                        )
                    )
                )
            if rng.random() < 0.9:
                start = datetime(day.year, day.month, day.day, tzinfo=PARIS)
                known.append(Interval(start, start + timedelta(days=1)))
        low = datetime(2024, 3, 18, tzinfo=UTC)
        busy = []
        for _ in range(busy_per_technician):
            start = low + timedelta(minutes=15 * rng.randrange(days * 96))
            kind = rng.choice(list(BusyKind))
            busy.append(Busy(start, start + timedelta(minutes=rng.choice((15, 30, 45))), kind))
        team.append(Availability(str(number), tuple(working), tuple(busy), tuple(known)))
    return team, datetime(2024, 3, 18, tzinfo=PARIS), datetime(2024, 4, 15, tzinfo=PARIS)


def test_ten_technicians_four_weeks_is_fast():
    team, earliest, horizon = _large_team()
    assert sum(len(a.busy) + len(a.working) + len(a.known) for a in team) > 6000
    timings = {}
    for duration in (HOUR, 2 * HOUR, 3 * HOUR):  # 3 h: few or no slots, the whole sweep
        began = time.perf_counter()
        search = find_slots(team, duration, earliest, horizon)
        timings[duration] = time.perf_counter() - began
        assert timings[duration] < 1.0
        for slot in search.slots:
            assert conflicts(team, slot.start, slot.end) == []
    print(
        "find_slots, 10 technicians x 4 weeks: "
        + ", ".join("%s: %.1f ms" % (d, s * 1000) for d, s in timings.items())
    )


def test_slot_is_an_interval():
    slot = Slot(at(8), at(9))
    assert isinstance(slot, Interval) and slot.utc() == (utc(at(8)), utc(at(9)))
