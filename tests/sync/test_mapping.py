"""RDV <-> event mapping, both directions, and the content hash round trip."""

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sync.content_hash import CANCELLED_HASH, content_hash
from sync.event_ids import event_id_for, instance_id, master_of, original_start_of
from sync.mapping import (
    PROP_DATABASE,
    PROP_PUSHED,
    PROP_RDV,
    event_to_rdv,
    owner_of,
    pushed_hash,
    rdv_to_event,
    zone,
)
from sync.rdv import Rdv, state_of, status_of
from sync_helpers import DB, PARIS, at

UTC = timezone.utc


# -- event ids ------------------------------------------------------------------
def test_event_id_is_deterministic_base32hex():
    first = event_id_for(DB, "42")
    assert first == event_id_for(DB, "42")
    assert first != event_id_for(DB, "43") and first != event_id_for("other", "42")
    assert len(first) == 26 and set(first) <= set("0123456789abcdefghijklmnopqrstuv")


def test_instance_ids_follow_google():
    assert (
        instance_id("abc12", datetime(2024, 3, 31, 9, 0, tzinfo=PARIS)) == "abc12_20240331T070000Z"
    )
    assert instance_id("abc12", date(2024, 3, 31)) == "abc12_20240331"
    assert master_of("abc12_20240331") == "abc12" and master_of("abc12") is None
    with pytest.raises(ValueError):
        instance_id("abc12", datetime(2024, 3, 31, 9, 0))
    # and back: the original start an occurrence id names
    assert original_start_of("abc12_20240331T070000Z") == datetime(2024, 3, 31, 7, tzinfo=UTC)
    assert original_start_of("abc12_20240331") == date(2024, 3, 31)
    for plain in ("abc12", "abc12_2024033", "abc12_20241331", "abc12_20240331T070000"):
        assert original_start_of(plain) is None


# -- status ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "state, status",
    [
        ("draft", "tentative"),
        ("confirm", "confirmed"),
        ("done", "confirmed"),
        ("unfinished", "confirmed"),
        ("cancel", "cancelled"),
        ("postponed", "cancelled"),
    ],
)
def test_status_from_state_as_openfire(state, status):
    assert status_of(state) == status
    rdv = Rdv("1", start=at(3), end=at(3, 10), state=state)
    assert rdv_to_event(rdv, DB)["status"] == status


def test_state_from_status():
    assert [state_of(s) for s in ("confirmed", "tentative", "cancelled", "x")] == [
        "confirm",
        "draft",
        "cancel",
        "confirm",
    ]


# -- Odoo -> Google ----------------------------------------------------------------
def test_timed_rdv_to_event():
    rdv = Rdv(
        "42",
        summary="Pose chaudière",
        description="Apporter le joint",
        location="3 rue de la Paix, 75002 Paris",
        start=at(3, 9),
        end=at(3, 11),
        attendees=("Tech@Example.com", "b@example.com", "tech@example.com"),
    )
    body = rdv_to_event(rdv, DB, event_id="abcde")
    assert body["id"] == "abcde"
    assert body["summary"] == "Pose chaudière"
    assert body["location"] == "3 rue de la Paix, 75002 Paris"
    assert body["start"] == {"dateTime": "2024-06-03T09:00:00+02:00", "timeZone": "Europe/Paris"}
    assert body["end"]["dateTime"] == "2024-06-03T11:00:00+02:00"
    assert "attendees" not in body  # Google would copy the event to each of them
    assert body["extendedProperties"] == {
        "private": {PROP_DATABASE: DB, PROP_RDV: "42", PROP_PUSHED: content_hash(rdv)}
    }
    assert pushed_hash(body) == content_hash(rdv)
    assert body["recurrence"] == []
    assert owner_of(body) == (DB, "42")


def test_all_day_end_becomes_exclusive():
    rdv = Rdv("7", all_day=True, start=date(2024, 3, 30), end=date(2024, 3, 31))
    body = rdv_to_event(rdv, DB)
    assert body["start"] == {"date": "2024-03-30"}
    assert body["end"] == {"date": "2024-04-01"}
    back, problems = event_to_rdv(body)
    assert problems == []
    assert (back.start, back.end, back.all_day) == (date(2024, 3, 30), date(2024, 3, 31), True)


def test_patch_body_switches_between_all_day_and_timed():
    timed = rdv_to_event(Rdv("1", start=at(3), end=at(3, 10)), DB, for_patch=True)
    assert timed["start"]["date"] is None
    day = rdv_to_event(Rdv("1", all_day=True, start=date(2024, 6, 3)), DB, for_patch=True)
    assert day["start"] == {"date": "2024-06-03", "dateTime": None, "timeZone": None}


@pytest.mark.parametrize(
    "local, offset",
    [
        (datetime(2024, 3, 31, 1, 30), "+01:00"),  # before the spring jump (02:00 -> 03:00)
        (datetime(2024, 3, 31, 3, 30), "+02:00"),  # after it
        (datetime(2024, 10, 27, 2, 30), "+02:00"),  # the first 02:30 (fold 0) in October
        (datetime(2024, 10, 27, 3, 30), "+01:00"),  # after the autumn fallback
    ],
)
def test_dst_edges_in_paris(local, offset):
    start = local.replace(tzinfo=PARIS)
    rdv = Rdv("1", start=start, end=start + timedelta(hours=1))
    body = rdv_to_event(rdv, DB)
    assert body["start"]["dateTime"].endswith(offset)
    back, problems = event_to_rdv(body)
    assert problems == []
    assert back.start == start and content_hash(back) == content_hash(rdv)


def test_second_0230_on_fallback_day_is_distinct():
    first = datetime(2024, 10, 27, 2, 30, tzinfo=PARIS)
    second = first.replace(fold=1)
    one = rdv_to_event(Rdv("1", start=first, end=first + timedelta(minutes=30)), DB)
    two = rdv_to_event(Rdv("1", start=second, end=second + timedelta(minutes=30)), DB)
    assert one["start"]["dateTime"] == "2024-10-27T02:30:00+02:00"
    assert two["start"]["dateTime"] == "2024-10-27T02:30:00+01:00"


def test_series_and_exception_bodies():
    master = Rdv(
        "10",
        start=at(3),
        end=at(3, 10),
        recurrence=(
            "RRULE:FREQ=WEEKLY;COUNT=5",
            "EXDATE;TZID=Europe/Paris:20240610T090000",
            "RDATE;TZID=Europe/Paris:20240605T090000",
        ),
    )
    body = rdv_to_event(master, DB)
    assert sorted(body["recurrence"]) == body["recurrence"] and len(body["recurrence"]) == 3
    moved = Rdv("11", start=at(17, 14), end=at(17, 15), series_key="10", original_start=at(17))
    exception_body = rdv_to_event(moved, DB, for_patch=True)
    assert "recurrence" not in exception_body


def test_naive_datetime_is_a_programming_error():
    with pytest.raises(ValueError):
        rdv_to_event(Rdv("1", start=datetime(2024, 1, 1, 9), end=datetime(2024, 1, 1, 10)), DB)


# -- Google -> Odoo: whatever Google may send --------------------------------------
def test_minimal_event():
    rdv, problems = event_to_rdv(
        {"id": "x1", "start": {"date": "2024-06-03"}, "end": {"date": "2024-06-04"}}
    )
    assert problems == []
    assert (rdv.summary, rdv.description, rdv.location, rdv.state) == ("", "", "", "confirm")
    assert rdv.start == rdv.end == date(2024, 6, 3)


def test_tombstone_maps_to_cancelled():
    rdv, problems = event_to_rdv({"id": "x1", "status": "cancelled", "etag": '"1"'})
    assert problems == [] and rdv.state == "cancel" and content_hash(rdv) == CANCELLED_HASH


def test_cancelled_occurrence_keeps_its_original_start():
    rdv, _ = event_to_rdv(
        {
            "id": "m_20240603T070000Z",
            "status": "cancelled",
            "recurringEventId": "m",
            "originalStartTime": {
                "dateTime": "2024-06-03T09:00:00+02:00",
                "timeZone": "Europe/Paris",
            },
        }
    )
    assert rdv.is_exception and rdv.original_start == at(3)


@pytest.mark.parametrize(
    "offset, zone_used",
    [("+02:00", "Etc/GMT-2"), ("-03:30", "UTC-03:30"), ("+05:45", "UTC+05:45"), ("Z", "UTC")],
)
def test_unknown_time_zone_is_reported_and_the_offset_of_its_time_used(offset, zone_used):
    """Never the user's zone (Paris here): the event's own offset decides."""
    rdv, problems = event_to_rdv(
        {
            "start": {"dateTime": "2024-01-15T09:00:00" + offset, "timeZone": "Mars/Olympus"},
            "end": {"dateTime": "2024-01-15T10:00:00" + offset, "timeZone": "Mars/Olympus"},
        },
        default_tz="Europe/Paris",
    )
    assert rdv.tz == zone_used
    assert rdv.start == datetime.fromisoformat("2024-01-15T09:00:00" + offset)
    assert rdv.start.astimezone(zone(zone_used)).hour == 9
    assert any("Mars/Olympus" in p and "offset of its dateTime" in p for p in problems)


def test_unknown_time_zone_without_offset_is_utc_and_reported():
    rdv, problems = event_to_rdv(
        {
            "start": {"dateTime": "2024-01-15T09:00:00", "timeZone": "Mars/Olympus"},
            "end": {"dateTime": "2024-01-15T10:00:00", "timeZone": "Mars/Olympus"},
        },
        default_tz="Europe/Paris",
    )
    assert rdv.tz == "UTC" and rdv.start == datetime(2024, 1, 15, 9, tzinfo=UTC)
    assert any("no offset given" in p for p in problems)


@pytest.mark.parametrize(
    "name, zone_used, offset",
    [
        ("GMT+02:00", "Etc/GMT-2", timedelta(hours=2)),
        ("UTC-05:00", "Etc/GMT+5", timedelta(hours=-5)),
        ("GMT+05:30", "UTC+05:30", timedelta(hours=5, minutes=30)),
        ("UTC-03:30", "UTC-03:30", timedelta(hours=-3, minutes=-30)),
        ("GMT+05:45", "UTC+05:45", timedelta(hours=5, minutes=45)),
        ("GMT", "GMT", timedelta(0)),
    ],
)
def test_offset_zones_other_programs_write_are_fixed_offsets(name, zone_used, offset):
    """Outlook-style zones: fixed offsets, winter and summer alike, read without
    a problem and written back as a zone Google takes (the same offset)."""
    for day in ("2024-01-15", "2024-07-15"):
        rdv, problems = event_to_rdv(
            {
                "start": {"dateTime": day + "T09:00:00", "timeZone": name},
                "end": {"dateTime": day + "T10:00:00", "timeZone": name},
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=2"],
            },
            default_tz="Europe/Paris",
        )
        assert problems == [] and rdv.tz == zone_used
        assert rdv.start.utcoffset() == offset and rdv.start.hour == 9
        body = rdv_to_event(replace(rdv, key="7"), DB)
        assert body["start"]["timeZone"] == zone_used
        assert event_to_rdv(body, default_tz="Europe/Paris")[0].start == rdv.start


def test_datetime_without_offset_uses_its_zone():
    rdv, problems = event_to_rdv(
        {
            "start": {"dateTime": "2024-06-03T09:00:00", "timeZone": "America/New_York"},
            "end": {"dateTime": "2024-06-03T10:00:00", "timeZone": "America/New_York"},
        }
    )
    assert problems == [] and rdv.start.astimezone(UTC).hour == 13


@pytest.mark.parametrize(
    "event, fragment",
    [
        (
            {"start": {"date": "2024-06-03"}, "end": {"dateTime": "2024-06-03T10:00:00Z"}},
            "same kind",
        ),
        ({"start": {"dateTime": "2024-06-03T10:00:00Z"}}, "end: missing"),
        (
            {
                "start": {"dateTime": "2024-06-03T10:00:00Z"},
                "end": {"dateTime": "2024-06-03T09:00:00Z"},
            },
            "before the start",
        ),
        (
            {
                "start": {"dateTime": "2024-06-03T10:00:00Z", "date": "2024-06-03"},
                "end": {"dateTime": "2024-06-03T11:00:00Z"},
            },
            "both date and dateTime",
        ),
        (
            {"start": {"date": "2024-06-03"}, "end": {"date": "2024-06-04"}, "status": "weird"},
            "status",
        ),
        (
            {
                "start": {"date": "2024-06-03"},
                "end": {"date": "2024-06-04"},
                "attendees": [{"displayName": "no mail"}, "junk", {"email": "A@B.fr"}],
            },
            "attendees",
        ),
        (
            {
                "start": {"date": "2024-06-03"},
                "end": {"date": "2024-06-04"},
                "recurrence": ["RRULE:FREQ=DAILY", "X-FOO:1", 42],
            },
            "recurrence",
        ),
        (
            {"start": {"date": "2024-06-03"}, "end": {"date": "2024-06-04"}, "summary": 12},
            "summary",
        ),
    ],
)
def test_odd_fields_are_reported(event, fragment):
    rdv, problems = event_to_rdv(event)
    assert rdv is not None
    assert any(fragment in p for p in problems), problems


def test_attendees_and_recurrence_keep_what_is_usable():
    rdv, _ = event_to_rdv(
        {
            "start": {"date": "2024-06-03"},
            "end": {"date": "2024-06-04"},
            "attendees": [{"displayName": "x"}, {"email": "A@B.fr"}],
            "recurrence": ["RRULE:FREQ=DAILY", "X-FOO:1"],
        }
    )
    assert rdv.attendees == ("a@b.fr",) and rdv.recurrence == ("RRULE:FREQ=DAILY",)


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"start": "tomorrow"},
        {"start": {"dateTime": "not a date"}},
        {"start": {"date": "2024-02-30"}},
        {"start": None, "end": None},
        "junk",
        None,
        [],
    ],
)
def test_unusable_events_give_no_rdv(event):
    rdv, problems = event_to_rdv(event)
    assert rdv is None and problems


def test_huge_and_hostile_texts():
    event = {
        "start": {"date": "2024-06-03"},
        "end": {"date": "2024-06-04"},
        "summary": "nul\x00char \U0001f527 clé",
        "description": "x" * 200_000,
        "location": "lone \ud800 surrogate",
    }
    rdv, problems = event_to_rdv(event)
    assert rdv.summary == "nulchar \U0001f527 clé"
    assert len(rdv.description) == 65536
    rdv.location.encode("utf-8")
    assert len(problems) == 3
    # what we stored does not look like a change when hashed again
    assert content_hash(rdv) == content_hash(event_to_rdv(event)[0])


# -- the round trip that prevents ping-pong ------------------------------------------
_TEXT = st.text(max_size=40)
_ZONES = st.sampled_from(
    ["Europe/Paris", "UTC", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"]
)


@st.composite
def rdvs(draw):
    """Any valid RDV the Odoo layer could produce."""
    all_day = draw(st.booleans())
    tz = draw(_ZONES)
    if all_day:
        start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)))
        end = start + timedelta(days=draw(st.integers(0, 30)))
    else:
        naive = draw(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1)))
        start = naive.replace(tzinfo=PARIS, microsecond=draw(st.integers(0, 999999)))
        end = start + timedelta(minutes=draw(st.integers(0, 60 * 24 * 3)))
    recurrence = draw(
        st.sampled_from(
            [
                (),
                ("RRULE:FREQ=WEEKLY;COUNT=3",),
                ("RRULE:FREQ=DAILY;UNTIL=20400101T000000Z", "EXDATE:20390101T000000Z"),
            ]
        )
    )
    return Rdv(
        key=draw(st.text(min_size=1, max_size=8)),
        summary=draw(_TEXT),
        description=draw(_TEXT),
        location=draw(_TEXT),
        start=start,
        end=end,
        all_day=all_day,
        tz=tz,
        state=draw(st.sampled_from(["draft", "confirm", "done", "unfinished"])),
        attendees=tuple(draw(st.lists(st.emails(), max_size=3))),
        recurrence=recurrence,
    )


@hyp_settings(max_examples=300, deadline=None)
@given(rdvs())
def test_hash_survives_the_round_trip(rdv):
    body = rdv_to_event(rdv, DB, event_id=event_id_for(DB, rdv.key))
    back, problems = event_to_rdv(body, default_tz=rdv.tz)
    assert problems == []
    assert content_hash(back) == content_hash(rdv)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=10,
)
_FIELDS = st.sampled_from(
    [
        "start",
        "end",
        "summary",
        "description",
        "location",
        "status",
        "attendees",
        "recurrence",
        "originalStartTime",
        "extendedProperties",
        "updated",
        "recurringEventId",
    ]
)


@hyp_settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        _FIELDS,
        _JSON
        | st.fixed_dictionaries(
            {"dateTime": st.text(max_size=30), "timeZone": st.text(max_size=20)}
        ),
        max_size=8,
    )
)
def test_reverse_mapping_never_raises(event):
    rdv, problems = event_to_rdv(event)
    assert rdv is not None or problems
    if rdv is not None:
        content_hash(rdv)
        owner_of(event)
