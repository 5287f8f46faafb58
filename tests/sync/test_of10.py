"""Adopting the events OpenFire 10 made in a primary calendar (sync/of10.py),
and the plan leaving alone what was in the calendar before."""

from datetime import datetime, timezone

from sync.actions import Kind
from sync.of10 import Candidate, adopt
from sync.plan import plan_sync
from sync.rdv import Rdv
from sync_helpers import at, settings

SETTINGS = settings()


def of10_event(event_id, summary, start="2024-06-03T09:00:00+02:00", **extra):
    body = {
        "id": event_id,
        "etag": '"e%s"' % event_id,
        "summary": summary,
        "status": "confirmed",
        "start": {"dateTime": start},
        "end": {"dateTime": start.replace("T09", "T10")},
        "created": "2024-01-01T08:00:00.000Z",
        "updated": "2024-05-01T08:00:00.000Z",
    }
    body.update(extra)
    return body


def test_adopts_by_id_when_the_title_or_the_start_matches():
    events = [
        of10_event("a1", "Pose"),
        of10_event("b2", "Renamed on the phone"),
        of10_event("c3", "Other", start="2024-07-01T09:00:00+02:00"),
        of10_event("d4", "Gone", status="cancelled"),
        of10_event("x9", "Sophie's RDV"),
        of10_event("p0", "Dentist"),
    ]
    candidates = [
        Candidate("1", "a1", "Pose", at(10)),
        Candidate("2", "b2", "Entretien", at(3)),
        Candidate("3", "c3", "Entretien", at(3)),
        Candidate("4", "d4", "Gone", at(3)),
        Candidate("5", "zz", "Missing", at(3)),
    ]
    adoption = adopt(candidates, events, SETTINGS, known_ids={"a1", "b2", "c3", "d4", "x9"})
    assert [(s.key, s.event_id, s.etag) for s in adoption.states] == [
        ("1", "a1", '"ea1"'),
        ("2", "b2", '"eb2"'),
    ]
    assert all(s.content_hash for s in adoption.states)
    reasons = {event_id: reason for event_id, _title, reason in adoption.left_alone}
    assert reasons == {
        "c3": "neither the title nor the start is the RDV's",
        "d4": "cancelled in Google Calendar",
        "x9": "its RDV is not yours",
    }
    assert adoption.others == 1
    assert adoption.foreign_until == datetime(2024, 5, 1, 8, tzinfo=timezone.utc)


def test_events_created_before_the_adoption_are_left_alone():
    until = datetime(2024, 5, 1, 8, tzinfo=timezone.utc)
    old = of10_event("p0", "Dentist")
    new = of10_event(
        "n1", "Dépannage", created="2024-05-01T08:00:00.001Z", updated="2024-05-01T08:00:00.001Z"
    )
    plan = plan_sync({}, {}, [old, new], settings(foreign_until=until))
    assert [(a.kind, a.event_id) for a in plan.actions] == [(Kind.CREATE_LOCAL, "n1")]
    plan = plan_sync({}, {}, [old, new], SETTINGS)
    assert len(plan.actions) == 2


def test_colours_are_synced_only_with_a_colour_rule():
    from sync.actions import read_remote

    event = of10_event("a1", "Pose", colorId="5")
    assert read_remote(event, SETTINGS).rdv.color_id is None
    assert read_remote(event, settings(sync_colors=True)).rdv.color_id == "5"
    assert Rdv("1").color_id is None
