"""freeBusy.query through the real client.

Google's pages these tests follow:

* Freebusy: query, https://developers.google.com/workspace/calendar/api/v3/reference/freebusy/query
  (request ``timeMin``, ``timeMax``, ``timeZone`` "The default is UTC",
  ``calendarExpansionMax`` "Maximum value is 50", ``items[].id``; answer
  ``calendars.(key).busy[]`` with an inclusive ``start`` and an exclusive
  ``end``, ``calendars.(key).errors[]`` with reasons ``notFound``,
  ``tooManyCalendarsRequested``...), and its scopes in the discovery document;
* Events reference, https://developers.google.com/workspace/calendar/api/v3/reference/events :
  ``transparency`` ("opaque" - "The event does block time on the calendar",
  "transparent" - "does not block time"), ``attendees[].responseStatus``,
  ``status`` (cancelled events);
* Status events guide, https://developers.google.com/workspace/calendar/api/guides/calendar-status
  (out of office and focus time are opaque, working location transparent);
* Sharing, https://developers.google.com/workspace/calendar/api/concepts/sharing
  (``freeBusyReader``: "Provides read access to free/busy information");
* Usage limits, https://developers.google.com/workspace/calendar/api/guides/quota
  (each call is one request).

Where Google publishes nothing, the field reports the module docstring of
``google_emulator/freebusy.py`` cites decide (90-day range, merged periods).
"""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import pytest
from googleapiclient.errors import HttpError

from google_emulator.testing import make_service, new_batch
from google_emulator.tests.helpers import ALICE, BOB, error_of, timed

CAROL = "carol@example.com"
WINDOW = {"timeMin": "2026-03-02T00:00:00Z", "timeMax": "2026-03-07T00:00:00Z"}


@pytest.fixture
def bob(emu):
    return make_service(emu, BOB)


def _query(service, *ids, **extra):
    body = dict(WINDOW, items=[{"id": item} for item in ids])
    body.update(extra)
    return service.freebusy().query(body=body).execute()


def _busy(service, calendar_id="primary", **extra):
    answer = _query(service, calendar_id, **extra)
    entry = answer["calendars"][calendar_id]
    assert "errors" not in entry, entry
    return [(period["start"], period["end"]) for period in entry["busy"]]


def _insert(service, start, end, calendar_id="primary", **extra):
    body = dict(timed(start, end), **extra)
    return service.events().insert(calendarId=calendar_id, body=body).execute()


def test_busy_periods_are_clipped_merged_and_given_in_utc(service):
    """The reference's answer shape: ``kind``, the window echoed (in UTC, with
    milliseconds, whatever offset the request used), one entry per item keyed
    as asked (here ``primary``). Periods overlapping or touching one another
    become one, a period crossing timeMin or timeMax is cut there (``start``
    inclusive, ``end`` exclusive), and they come sorted, in UTC by default."""
    _insert(service, "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z")
    _insert(service, "2026-03-03T10:30:00Z", "2026-03-03T12:00:00Z")  # overlaps
    _insert(service, "2026-03-03T12:00:00Z", "2026-03-03T12:30:00Z")  # touches
    _insert(service, "2026-03-03T14:00:00+01:00", "2026-03-03T15:00:00+01:00")
    _insert(service, "2026-03-01T22:00:00Z", "2026-03-02T01:00:00Z")  # crosses timeMin
    _insert(service, "2026-03-06T23:00:00Z", "2026-03-07T02:00:00Z")  # crosses timeMax
    _insert(service, "2026-03-08T09:00:00Z", "2026-03-08T10:00:00Z")  # outside
    answer = (
        service.freebusy()
        .query(
            body={
                "timeMin": "2026-03-02T01:00:00+01:00",
                "timeMax": "2026-03-07T00:00:00Z",
                "items": [{"id": "primary"}],
            }
        )
        .execute()
    )
    assert answer == {
        "kind": "calendar#freeBusy",
        "timeMin": "2026-03-02T00:00:00.000Z",
        "timeMax": "2026-03-07T00:00:00.000Z",
        "calendars": {
            "primary": {
                "busy": [
                    {"start": "2026-03-02T00:00:00Z", "end": "2026-03-02T01:00:00Z"},
                    {"start": "2026-03-03T10:00:00Z", "end": "2026-03-03T12:30:00Z"},
                    {"start": "2026-03-03T13:00:00Z", "end": "2026-03-03T14:00:00Z"},
                    {"start": "2026-03-06T23:00:00Z", "end": "2026-03-07T00:00:00Z"},
                ]
            }
        },
    }


def test_the_answer_in_the_requested_time_zone(emu, service):
    """``timeZone``: "Time zone used in the response. Optional. The default is
    UTC." Busy times carry that zone's offset; the echoed window stays in UTC.
    An all-day opaque event is busy from midnight to midnight in the calendar's
    own zone."""
    emu.add_account(CAROL, time_zone="Europe/Paris")
    carol = make_service(emu, CAROL)
    _insert(carol, "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z")
    carol.events().insert(
        calendarId="primary", body={"start": {"date": "2026-03-05"}, "end": {"date": "2026-03-06"}}
    ).execute()
    assert _busy(carol, timeZone="Europe/Paris") == [
        ("2026-03-03T10:00:00+01:00", "2026-03-03T11:00:00+01:00"),
        ("2026-03-05T00:00:00+01:00", "2026-03-06T00:00:00+01:00"),
    ]
    assert _busy(carol) == [
        ("2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"),
        ("2026-03-04T23:00:00Z", "2026-03-05T23:00:00Z"),
    ]
    answer = _query(carol, "primary", timeZone="Europe/Paris")
    assert (answer["timeMin"], answer["timeMax"]) == (
        "2026-03-02T00:00:00.000Z",
        "2026-03-07T00:00:00.000Z",
    )


def test_what_does_not_block_time(emu, service, bob):
    """Events reference: a ``transparent`` event "does not block time on the
    calendar"; a cancelled or deleted event is gone; an invitation its attendee
    declined does not make him busy (his copy's own entry says ``declined``),
    while one he has not answered, or answered "maybe", does; an organizer's
    event is busy for him whatever his guests answer."""
    emu.add_account(CAROL)
    _insert(service, "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z", transparency="transparent")
    gone = _insert(service, "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z")
    service.events().delete(calendarId="primary", eventId=gone["id"]).execute()
    _insert(
        service,
        "2026-03-02T12:00:00Z",
        "2026-03-02T13:00:00Z",
        status="cancelled",
    )
    declined = _insert(
        service, "2026-03-03T08:00:00Z", "2026-03-03T09:00:00Z", attendees=[{"email": BOB}]
    )
    _insert(service, "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z", attendees=[{"email": BOB}])
    maybe = _insert(
        service, "2026-03-03T14:00:00Z", "2026-03-03T15:00:00Z", attendees=[{"email": BOB}]
    )
    emu.phone(BOB).respond("primary", declined["id"], "declined")
    emu.phone(BOB).respond("primary", maybe["id"], "tentative")
    assert _busy(bob) == [
        ("2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z"),
        ("2026-03-03T14:00:00Z", "2026-03-03T15:00:00Z"),
    ]
    assert _busy(service) == [
        ("2026-03-03T08:00:00Z", "2026-03-03T09:00:00Z"),
        ("2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z"),
        ("2026-03-03T14:00:00Z", "2026-03-03T15:00:00Z"),
    ]
    # His own copy made transparent ("Show me as: Available") frees him alone.
    copy = next(
        item
        for item in bob.events().list(calendarId="primary").execute()["items"]
        if item["start"]["dateTime"].startswith("2026-03-03T10")
    )
    bob.events().patch(
        calendarId="primary", eventId=copy["id"], body={"transparency": "transparent"}
    ).execute()
    assert _busy(bob) == [("2026-03-03T14:00:00Z", "2026-03-03T15:00:00Z")]


def test_event_types_in_free_busy(emu, service):
    """Status events guide: out of office and focus time are created opaque,
    so they block time; a working location is transparent and never makes its
    calendar busy."""
    phone = emu.phone(ALICE)
    phone.set_out_of_office("2026-03-02T08:00:00Z", "2026-03-02T18:00:00Z")
    phone.add_focus_time("2026-03-03T09:00:00Z", "2026-03-03T11:00:00Z")
    phone.set_working_location("2026-03-04")
    phone.set_working_location(
        "2026-03-05T08:00:00Z", "2026-03-05T17:00:00Z", kind="customLocation", label="Chantier"
    )
    assert _busy(service) == [
        ("2026-03-02T08:00:00Z", "2026-03-02T18:00:00Z"),
        ("2026-03-03T09:00:00Z", "2026-03-03T11:00:00Z"),
    ]


def test_recurring_events_are_expanded_with_their_exceptions(service):
    """A series is busy at each occurrence in the window; an occurrence moved
    is busy at its new time, one cancelled is not, and one made transparent
    ("Available" on that day only) is not."""
    master = (
        service.events()
        .insert(
            calendarId="primary",
            body={
                "summary": "Tournée",
                "start": {"dateTime": "2026-02-23T08:00:00", "timeZone": "Europe/Paris"},
                "end": {"dateTime": "2026-02-23T09:00:00", "timeZone": "Europe/Paris"},
                "recurrence": ["RRULE:FREQ=DAILY"],
            },
        )
        .execute()
    )
    base = master["id"]
    service.events().patch(
        calendarId="primary",
        eventId=base + "_20260303T070000Z",
        body=timed("2026-03-03T15:00:00+01:00", "2026-03-03T16:00:00+01:00", "Europe/Paris"),
    ).execute()
    service.events().delete(calendarId="primary", eventId=base + "_20260304T070000Z").execute()
    service.events().patch(
        calendarId="primary",
        eventId=base + "_20260305T070000Z",
        body={"transparency": "transparent"},
    ).execute()
    assert _busy(service) == [
        ("2026-03-02T07:00:00Z", "2026-03-02T08:00:00Z"),
        ("2026-03-03T14:00:00Z", "2026-03-03T15:00:00Z"),
        ("2026-03-06T07:00:00Z", "2026-03-06T08:00:00Z"),
    ]


def test_declining_one_occurrence_frees_that_occurrence_only(emu, service, bob):
    """An invited series: the attendee who declines one occurrence (his answer
    on that instance of his copy) is free then and busy at the others; declining
    the whole series frees him entirely."""
    master = (
        service.events()
        .insert(
            calendarId="primary",
            body={
                "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"},
                "recurrence": ["RRULE:FREQ=DAILY;COUNT=3"],
                "attendees": [{"email": BOB}],
            },
        )
        .execute()
    )
    emu.phone(BOB).respond("primary", master["id"] + "_20260303T090000Z", "declined")
    assert _busy(bob) == [
        ("2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"),
        ("2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z"),
    ]
    emu.phone(BOB).respond("primary", master["id"], "declined")
    assert _busy(bob) == []
    assert len(_busy(service)) == 3


def test_unknown_or_unshared_calendars_and_free_busy_readers(emu, service, bob):
    """A calendar the caller cannot see, or that does not exist, does not fail
    the request: its entry has ``errors: [{domain: global, reason: notFound}]``
    and no busy time. Shared "See only free/busy" (``freeBusyReader``), it is
    answered, while its events stay out of reach: events.list and events.get
    are 403 ``requiredAccessLevel`` ("You need to have reader access to this
    calendar."). A domain-wide rule gives the same to the whole domain."""
    event = _insert(bob, "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z", summary="Secret")
    answer = _query(service, BOB, "nobody@example.com")
    for key in (BOB, "nobody@example.com"):
        assert answer["calendars"][key] == {
            "errors": [{"domain": "global", "reason": "notFound"}],
            "busy": [],
        }
    rule = emu.phone(BOB).share_calendar("primary", ALICE)
    assert rule["role"] == "freeBusyReader"
    assert _busy(service, BOB) == [("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z")]
    # E-mail addresses compare case-insensitively, and the key is the id as asked.
    assert _busy(service, "Bob@Example.com") == [("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z")]
    for call in (
        service.events().list(calendarId=BOB),
        service.events().get(calendarId=BOB, eventId=event["id"]),
    ):
        with pytest.raises(HttpError) as info:
            call.execute()
        assert error_of(info.value) == (403, "requiredAccessLevel", "calendar")
    emu.add_account(CAROL)
    carol = make_service(emu, CAROL)
    assert "errors" in _query(carol, BOB)["calendars"][BOB]
    emu.phone(BOB).share_calendar("primary", "example.com", scope_type="domain")
    assert _busy(carol, BOB) == [("2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z")]


def test_refused_requests(service):
    """Errors of the whole request: a missing ``timeMin`` is 400 ``required``
    ("Missing timeMin parameter.", as Google answers); ``timeMax`` not after
    ``timeMin`` 400 ``timeRangeEmpty`` (domain ``calendar``); more than 90 days
    400 ``timeRangeTooLong`` "The requested time range is too long." (the limit
    cal.com found, calcom/cal.diy#11962: "The Google /freeBusy endpoint has a
    maximum time span of 90 days"); ``calendarExpansionMax`` above its maximum
    of 50, 400 ``invalid``. Exactly 90 days is answered."""
    cases = [
        ({"timeMax": "2026-03-07T00:00:00Z"}, (400, "required", "global")),
        (
            {"timeMin": "2026-03-07T00:00:00Z", "timeMax": "2026-03-02T00:00:00Z"},
            (400, "timeRangeEmpty", "calendar"),
        ),
        (
            {"timeMin": "2026-03-07T00:00:00Z", "timeMax": "2026-03-07T00:00:00Z"},
            (400, "timeRangeEmpty", "calendar"),
        ),
        (
            {"timeMin": "2026-03-01T00:00:00Z", "timeMax": "2026-05-30T00:00:01Z"},
            (400, "timeRangeTooLong", "calendar"),
        ),
        (dict(WINDOW, calendarExpansionMax=51), (400, "invalid", "global")),
        ({"timeMin": "tomorrow", "timeMax": "2026-03-07T00:00:00Z"}, (400, "invalid", "global")),
    ]
    for body, expected in cases:
        with pytest.raises(HttpError) as info:
            service.freebusy().query(body=dict(body, items=[{"id": "primary"}])).execute()
        assert error_of(info.value) == expected, body
    with pytest.raises(HttpError) as info:
        service.freebusy().query(body={"timeMax": "2026-03-07T00:00:00Z"}).execute()
    assert "Missing timeMin parameter." in str(info.value)
    ninety = (
        service.freebusy()
        .query(
            body={
                "timeMin": "2026-03-01T00:00:00Z",
                "timeMax": "2026-05-30T00:00:00Z",
                "items": [{"id": "primary"}],
            }
        )
        .execute()
    )
    assert ninety["calendars"]["primary"] == {"busy": []}


def test_at_most_fifty_calendars_per_query(emu, service):
    """``calendarExpansionMax``: "Maximal number of calendars for which FreeBusy
    information is to be provided. Maximum value is 50." The calendars beyond
    are answered with the reason the reference gives for it,
    ``tooManyCalendarsRequested`` ("The number of calendars requested is too
    large for a single query"), in their own entry; the first ones are answered
    normally. A lower ``calendarExpansionMax`` lowers the limit."""
    ids = []
    for number in range(52):
        email = "tech%02d@example.com" % number
        emu.add_account(email)
        emu.phone(email).share_calendar("primary", ALICE)
        ids.append(email)
    answer = _query(service, *ids)
    assert len(answer["calendars"]) == 52
    assert all(answer["calendars"][key] == {"busy": []} for key in ids[:50])
    too_many = {
        "errors": [{"domain": "calendar", "reason": "tooManyCalendarsRequested"}],
        "busy": [],
    }
    assert [answer["calendars"][key] for key in ids[50:]] == [too_many, too_many]
    answer = _query(service, *ids[:3], calendarExpansionMax=2)
    assert answer["calendars"][ids[2]] == too_many
    assert answer["calendars"][ids[1]] == {"busy": []}


def test_scopes_that_allow_free_busy(emu):
    """The discovery document's scopes for freebusy.query: ``calendar``,
    ``calendar.readonly``, ``calendar.events.freebusy`` and ``calendar.freebusy``
    (the narrowest: free/busy only, events.list is refused with it). Another
    scope, such as ``calendar.events``, is 403 ``insufficientPermissions``."""
    prefix = "https://www.googleapis.com/auth/"
    for scope in ("calendar", "calendar.readonly", "calendar.events.freebusy", "calendar.freebusy"):
        reader = make_service(emu, ALICE, client_id=scope, scopes=[prefix + scope])
        assert _busy(reader) == []
    narrow = make_service(emu, ALICE, client_id="narrow", scopes=[prefix + "calendar.freebusy"])
    with pytest.raises(HttpError) as info:
        narrow.events().list(calendarId="primary").execute()
    assert error_of(info.value)[:2] == (403, "insufficientPermissions")
    events_only = make_service(emu, ALICE, client_id="events", scopes=[prefix + "calendar.events"])
    with pytest.raises(HttpError) as info:
        _query(events_only, "primary")
    assert error_of(info.value)[:2] == (403, "insufficientPermissions")


def test_one_query_is_one_request(emu, service):
    """Usage limits: one freebusy.query is one request for the per-minute quota
    and one entry in the request log, however many calendars it names; in a
    batch it is one part."""
    emu.add_account(BOB)
    emu.clear_log()
    before = emu.rate_limit_usage("test-client", ALICE)
    _query(service, "primary", BOB, CAROL)
    assert emu.rate_limit_usage("test-client", ALICE) == before + 1
    (entry,) = [e for e in emu.request_log if e["path"].endswith("/freeBusy")]
    assert (entry["method"], entry["status"], entry["in_batch"]) == ("POST", 200, False)
    answers = []
    batch = new_batch(emu, lambda request_id, response, exc: answers.append((response, exc)))
    batch.add(service.freebusy().query(body=dict(WINDOW, items=[{"id": "primary"}])))
    batch.add(service.events().list(calendarId="primary"))
    batch.execute()
    assert answers[0] == (
        {"kind": "calendar#freeBusy", **_utc_window(), "calendars": {"primary": {"busy": []}}},
        None,
    )
    assert emu.rate_limit_usage("test-client", ALICE) == before + 3


def _utc_window():
    return {"timeMin": "2026-03-02T00:00:00.000Z", "timeMax": "2026-03-07T00:00:00.000Z"}
