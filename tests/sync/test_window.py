"""The sync window: RDVs and events that ended before it and were never
synced stay on their side; a synced pair keeps syncing; moving one into the
window syncs it. The rule (actions.outside_window), then a sync with the emulator."""

from dataclasses import replace
from datetime import date, timedelta

from sync.actions import UNCHANGED, Kind, outside_window
from sync.content_hash import content_hash
from sync.cycle import sync_calendar
from sync.event_ids import event_id_for
from sync.pair import decide_pair
from sync.plan import plan_sync
from sync.rdv import Rdv
from sync.state import PairState
from sync_helpers import DB, at, settings

WINDOW = settings(window_start=at(10))  # RDVs that ended before June 10 are old
OLD = Rdv("1", summary="Old", start=at(3), end=at(3, 10))
NEW = Rdv("2", summary="New", start=at(12), end=at(12, 10))


def test_the_rule():
    assert outside_window(OLD, WINDOW) and not outside_window(NEW, WINDOW)
    assert not outside_window(OLD, settings()), "no window: everything syncs"
    ends_inside = replace(OLD, end=at(10, 9, 1))
    assert not outside_window(ends_inside, WINDOW), "what ends in the window is in"
    all_day = Rdv("3", summary="Day", start=date(2024, 6, 9), end=date(2024, 6, 9))
    assert outside_window(all_day, WINDOW)
    assert not outside_window(
        replace(all_day, start=date(2024, 6, 10), end=date(2024, 6, 10)), WINDOW
    )
    series = replace(OLD, recurrence=("RRULE:FREQ=WEEKLY",))
    assert not outside_window(series, WINDOW), "a series may run for years"


def test_an_old_rdv_is_not_pushed_and_a_recent_one_is():
    plan = plan_sync(
        {}, {"1": OLD, "2": NEW}, [], WINDOW, local_complete=True, remote_complete=True
    )
    assert [(a.kind, a.key) for a in plan.actions] == [(Kind.CREATE_REMOTE, "2")]


def test_a_synced_old_rdv_keeps_syncing():
    state = PairState("1", event_id_for(DB, "1"), '"1"', content_hash(OLD))
    action = decide_pair(WINDOW, "1", state, replace(OLD, summary="Edited"), UNCHANGED)
    assert action.kind == Kind.UPDATE_REMOTE


def phone_event(phone, calendar, summary, start, hours=1):
    return phone.insert_event(
        calendar,
        {
            "summary": summary,
            "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(hours=hours)).isoformat()},
        },
    )


def test_both_ways_with_the_emulator(client, calendar, odoo, phone):
    old_key = odoo.create(summary="Old RDV", start=at(3), end=at(3, 10))
    odoo.create(summary="New RDV", start=at(12), end=at(12, 10))
    old_event = phone_event(phone, calendar, "Old event", at(4))
    phone_event(phone, calendar, "New event", at(13))
    report = sync_calendar(client, calendar, odoo, WINDOW)
    assert sorted((r.action.kind.value, r.outcome.value) for r in report.results) == [
        ("claim_remote", "done"),
        ("create_local", "done"),
        ("create_remote", "done"),
    ]
    assert {e["summary"] for e in phone.list_events(calendar)} == {
        "Old event",
        "New RDV",
        "New event",
    }
    assert sorted(r.summary for r in odoo.rdvs.values()) == ["New RDV", "New event", "Old RDV"]
    # Moved into the window, on each side: synced by the next (incremental) sync.
    odoo.edit(old_key, start=at(14), end=at(14, 10))
    phone.patch_event(
        calendar,
        old_event["id"],
        {"start": {"dateTime": at(15).isoformat()}, "end": {"dateTime": at(15, 10).isoformat()}},
    )
    report = sync_calendar(client, calendar, odoo, WINDOW)
    assert sorted((r.action.kind.value, r.outcome.value) for r in report.results) == [
        ("claim_remote", "done"),
        ("create_local", "done"),
        ("create_remote", "done"),
    ]
    assert {e["summary"] for e in phone.list_events(calendar)} == {
        "Old event",
        "New RDV",
        "New event",
        "Old RDV",
    }
    assert "Old event" in {r.summary for r in odoo.rdvs.values()}
