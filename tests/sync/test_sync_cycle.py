"""Whole syncs against the emulator: the real plan, executor and client, with an
in-memory Odoo. Each rule of the plan, recurrence both ways, all-day and DST
edges, the guard, crashes, bad input and the promised request counts."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sync.actions import Policy
from sync.cycle import sync_calendar
from sync.event_content import BLOCK_END, BLOCK_START, phone_notes_of
from sync.event_ids import event_id_for
from sync.google_client import WriteResult
from sync.mapping import owner_of
from sync_helpers import DB, PARIS, LosingHttp, MemoryOdoo, at, new_client, settings


def run(client, calendar, odoo, **kwargs):
    """One sync with the test settings."""
    force = kwargs.pop("force", False)
    return sync_calendar(client, calendar, odoo, settings(**kwargs), force=force)


def kinds(report):
    """Sorted (kind, outcome) pairs of a report."""
    return sorted((r.action.kind.value, r.outcome.value) for r in report.results)


def phone_made(calendar, phone, **extra):
    """An event the technician makes on his phone on the 12th."""
    body = {
        "summary": "Du téléphone",
        "start": {"dateTime": at(12).isoformat()},
        "end": {"dateTime": at(12, 10).isoformat()},
    }
    return phone.insert_event(calendar, dict(body, **extra))


def live_events(phone, calendar):
    """Events that are not cancelled, by id."""
    return {e["id"]: e for e in phone.list_events(calendar) if e["status"] != "cancelled"}


def assert_converged(phone, calendar, odoo):
    """Both sides hold the same RDVs, each paired with exactly one event."""
    events = live_events(phone, calendar)
    paired = {odoo.states[k].event_id: k for k in odoo.active()}
    assert sorted(paired) == sorted(events)
    for event_id, key in paired.items():
        assert events[event_id].get("summary", "") == odoo.rdvs[key].summary


# -- the numbers we promise --------------------------------------------------------
def test_initial_push_of_1000_and_a_sync_with_no_change(emu, client, calendar, odoo, phone):
    # 1,000 calls in a few seconds: over Google's 600 per user per minute, which the
    # emulator enforces by default. This test measures the batching (round-trips), not
    # the pacing under the quota, so it allows just what it sends (1,002 calls).
    emu.set_rate_limits(per_user=1100)
    for number in range(1000):
        odoo.create(summary="RDV %d" % number, start=at(1 + number % 28, 8 + number % 9))
    emu.clear_log()
    report = run(client, calendar, odoo)
    assert report.full and kinds(report) == [("create_remote", "done")] * 1000
    assert emu.http_round_trips() <= 22  # 1.1 x ceil(1000 / 50)
    assert emu.http_round_trips() == 21
    assert len(live_events(phone, calendar)) == 1000
    emu.clear_log()
    quiet = run(client, calendar, odoo)
    assert quiet.results == () and not quiet.full and quiet.token_saved
    assert len(emu.request_log) == 1  # one events.list, no token refresh
    assert emu.request_log[0]["method"] == "GET"


# -- Google -> Odoo --------------------------------------------------------------------
def test_pull_create_update_and_delete(client, calendar, odoo, phone):
    run(client, calendar, odoo)
    created = phone.insert_event(
        calendar,
        {
            "summary": "Dentist",
            "location": "Lyon",
            "start": {"dateTime": "2024-06-04T09:00:00+02:00"},
            "end": {"dateTime": "2024-06-04T10:00:00+02:00"},
            "attendees": [{"email": "Tech@Example.com"}],
        },
    )
    report = run(client, calendar, odoo)
    assert kinds(report) == [("claim_remote", "done"), ("create_local", "done")]
    key = report.results[0].key
    rdv = odoo.rdvs[key]
    assert (rdv.summary, rdv.location, rdv.start, rdv.attendees) == (
        "Dentist",
        "Lyon",
        at(4),
        ("tech@example.com",),
    )
    odoo.edit(key, state="unfinished")  # Odoo-only state: no push
    assert run(client, calendar, odoo).results == ()
    phone.patch_event(
        calendar,
        created["id"],
        {
            "summary": "Dentist (moved)",
            "start": {"dateTime": "2024-06-05T09:00:00Z"},
            "end": {"dateTime": "2024-06-05T10:00:00Z"},
        },
    )
    assert kinds(run(client, calendar, odoo)) == [("update_local", "done")]
    assert odoo.rdvs[key].summary == "Dentist (moved)" and odoo.rdvs[key].state == "unfinished"
    phone.delete_event(calendar, created["id"])
    assert kinds(run(client, calendar, odoo)) == [("cancel_local", "done")]
    assert odoo.rdvs[key].state == "cancel"  # cancelled, never deleted
    assert run(client, calendar, odoo).results == ()


class RenderingOdoo(MemoryOdoo):
    """As the Odoo layer: the description Odoo shows is the technician's notes
    (what the phone wrote outside the block), then the block Odoo generates."""

    BLOCK = "\n".join((BLOCK_START, "Client : Famille Durand", BLOCK_END))

    def write_rdv(self, action):
        if action.rdv is not None:
            notes = phone_notes_of(action.rdv.description)
            rendered = "%s\n\n%s" % (notes, self.BLOCK) if notes else self.BLOCK
            action = replace(action, rdv=replace(action.rdv, description=rendered))
        return super().write_rdv(action)


def test_a_block_edited_on_the_phone_is_put_back_in_the_same_sync(emu, client, calendar, phone):
    odoo = RenderingOdoo()
    key = odoo.create(summary="Entretien", description=RenderingOdoo.BLOCK)
    run(client, calendar, odoo)
    event_id = odoo.states[key].event_id
    tampered = RenderingOdoo.BLOCK.replace("Durand", "Martin")
    phone.patch_event(
        calendar,
        event_id,
        {
            "description": "Code 1234\n\n" + tampered,
            "start": {"dateTime": "2024-06-03T14:00:00+02:00"},
            "end": {"dateTime": "2024-06-03T15:00:00+02:00"},
        },
    )
    report = run(client, calendar, odoo)
    assert kinds(report) == [("update_local", "done"), ("update_remote", "done")]
    expected = "Code 1234\n\n" + RenderingOdoo.BLOCK
    assert odoo.rdvs[key].description == expected and odoo.rdvs[key].start == at(3, 14)
    event = phone.get_event(calendar, event_id)
    assert event["description"] == expected  # Odoo's block, the technician's notes
    assert event["start"]["dateTime"].startswith("2024-06-03T14:00:00")  # his move kept
    emu.clear_log()
    assert run(client, calendar, odoo).results == ()
    assert [entry["method"] for entry in emu.request_log] == ["GET"]
    # Notes changed around an intact block: pulled, nothing pushed back.
    phone.patch_event(calendar, event_id, {"description": "Code 5678\n\n" + RenderingOdoo.BLOCK})
    assert kinds(run(client, calendar, odoo)) == [("update_local", "done")]
    assert odoo.rdvs[key].description == "Code 5678\n\n" + RenderingOdoo.BLOCK


# -- Odoo -> Google --------------------------------------------------------------------
def test_push_update_cancel_and_restore(client, calendar, odoo, phone):
    key = odoo.create(
        summary="Visite", description="Code 1234", location="Rue A", attendees=("a@example.com",)
    )
    run(client, calendar, odoo)
    event_id = odoo.states[key].event_id
    assert event_id == event_id_for(DB, key)
    event = phone.get_event(calendar, event_id)
    assert owner_of(event) == (DB, key) and "attendees" not in event
    odoo.edit(key, summary="Visite 2", start=at(3, 14), end=at(3, 15))
    assert kinds(run(client, calendar, odoo)) == [("update_remote", "done")]
    assert phone.get_event(calendar, event_id)["start"]["dateTime"] == "2024-06-03T14:00:00+02:00"
    odoo.edit(key, state="postponed")
    assert kinds(run(client, calendar, odoo)) == [("cancel_remote", "done")]
    assert phone.get_event(calendar, event_id)["status"] == "cancelled"
    odoo.edit(key, state="confirm", start=at(20), end=at(20, 10))
    assert kinds(run(client, calendar, odoo)) == [("update_remote", "done")]
    assert phone.get_event(calendar, event_id)["status"] == "confirmed"
    assert run(client, calendar, odoo).results == ()
    assert_converged(phone, calendar, odoo)


@pytest.mark.parametrize("allow_delete", [False, True])
def test_unlink_in_odoo(client, calendar, odoo, phone, allow_delete):
    keep, gone = odoo.create(summary="keep"), odoo.create(summary="gone")
    run(client, calendar, odoo)
    gone_id = odoo.states[gone].event_id
    odoo.unlink(gone)
    report = run(client, calendar, odoo, allow_delete=allow_delete)
    expected = "delete_remote" if allow_delete else "cancel_remote"
    assert kinds(report) == [(expected, "done")]
    assert gone not in odoo.states and keep in odoo.states
    assert phone.get_event(calendar, gone_id)["status"] == "cancelled"
    assert run(client, calendar, odoo).results == ()


# -- conflicts --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "policy, winner",
    [(Policy.ODOO, "odoo side"), (Policy.GOOGLE, "google side"), (Policy.RECENT, "google side")],
)
def test_conflicts_follow_the_policy(client, calendar, odoo, phone, policy, winner):
    key = odoo.create(summary="original")
    run(client, calendar, odoo, policy=policy)
    odoo.edit(key, summary="odoo side")
    odoo.rdvs[key] = replace(odoo.rdvs[key], write_date=datetime(2020, 1, 1, tzinfo=PARIS))
    phone.patch_event(calendar, odoo.states[key].event_id, {"summary": "google side"})
    report = run(client, calendar, odoo, policy=policy)
    assert len(report.conflicts) == 1
    conflict = report.conflicts[0].action.conflict
    loser = "google side" if winner == "odoo side" else "odoo side"
    assert conflict.loser_rdv.summary == loser
    assert odoo.rdvs[key].summary == winner
    assert phone.get_event(calendar, odoo.states[key].event_id)["summary"] == winner
    assert loser in odoo.chatter[key][0]
    assert run(client, calendar, odoo, policy=policy).results == ()


def test_same_edit_on_both_sides_is_not_a_conflict(client, calendar, odoo, phone):
    key = odoo.create(summary="original")
    run(client, calendar, odoo)
    odoo.edit(key, summary="same")
    phone.patch_event(calendar, odoo.states[key].event_id, {"summary": "same"})
    assert kinds(run(client, calendar, odoo)) == [("record", "done")]
    assert run(client, calendar, odoo).results == ()


def test_change_in_google_between_listing_and_push(emu, client, calendar, odoo, phone):
    key = odoo.create(summary="original")
    run(client, calendar, odoo)
    odoo.edit(key, summary="odoo side")
    real_write = client.write_events

    def racing_write(calendar_id, writes):
        phone.patch_event(calendar, odoo.states[key].event_id, {"summary": "phone side"})
        client.write_events = real_write
        return real_write(calendar_id, writes)

    client.write_events = racing_write
    emu.clear_log()
    report = run(client, calendar, odoo)
    assert [(r.action.kind.value, r.outcome.value) for r in report.results] == [
        ("update_remote", "done")
    ]
    assert report.results[0].action.conflict.loser_rdv.summary == "phone side"
    assert phone.get_event(calendar, odoo.states[key].event_id)["summary"] == "odoo side"
    assert [e["status"] for e in emu.request_log if e["in_batch"]] == [412, 200]
    assert run(client, calendar, odoo).results == ()


# -- recurrence ------------------------------------------------------------------------------
SERIES = (
    "RRULE:FREQ=WEEKLY;COUNT=6",
    "EXDATE;TZID=Europe/Paris:20240311T090000",
    "RDATE;TZID=Europe/Paris:20240313T090000",
)


def occurrences(phone, calendar):
    """Live occurrences as (local start, summary), in order."""
    items = phone.list_events(calendar, single_events=True)
    return sorted(
        (
            datetime.fromisoformat(e["start"]["dateTime"])
            .astimezone(PARIS)
            .strftime("%m-%d %H:%M"),
            e.get("summary"),
        )
        for e in items
    )


def test_series_with_exceptions_from_odoo(client, calendar, odoo, phone):
    """A weekly series across the March DST change, one EXDATE, one RDATE, one
    moved and one cancelled occurrence: Google shows exactly that."""
    start = datetime(2024, 3, 4, 9, 0, tzinfo=PARIS)
    master = odoo.create(
        summary="Entretien", start=start, end=start + timedelta(hours=1), recurrence=SERIES
    )
    moved = odoo.create(
        summary="Entretien (moved)",
        series_key=master,
        original_start=start + timedelta(days=14),
        start=datetime(2024, 3, 19, 15, 0, tzinfo=PARIS),
        end=datetime(2024, 3, 19, 16, 0, tzinfo=PARIS),
    )
    odoo.create(
        summary="Entretien",
        series_key=master,
        state="cancel",
        original_start=datetime(2024, 4, 1, 9, 0, tzinfo=PARIS),
        start=datetime(2024, 4, 1, 9, 0, tzinfo=PARIS),
    )
    report = run(client, calendar, odoo)
    assert kinds(report) == [("create_remote", "done")] * 3
    assert occurrences(phone, calendar) == [
        ("03-04 09:00", "Entretien"),
        ("03-13 09:00", "Entretien"),
        ("03-19 15:00", "Entretien (moved)"),
        ("03-25 09:00", "Entretien"),
        ("04-08 09:00", "Entretien"),
    ]  # 09:00 on both sides of DST
    assert odoo.states[moved].event_id == event_id_for(DB, master) + "_20240318T080000Z"
    assert run(client, calendar, odoo).results == ()
    odoo.edit(moved, summary="Entretien (moved twice)")
    assert kinds(run(client, calendar, odoo)) == [("update_remote", "done")]
    assert ("03-19 15:00", "Entretien (moved twice)") in occurrences(phone, calendar)


def test_series_with_exceptions_from_google(client, calendar, odoo, phone):
    master = phone.insert_event(
        calendar,
        {
            "summary": "Tournée",
            "recurrence": ["RRULE:FREQ=DAILY;COUNT=4"],
            "start": {"dateTime": "2024-10-25T09:00:00+02:00", "timeZone": "Europe/Paris"},
            "end": {"dateTime": "2024-10-25T10:00:00+02:00", "timeZone": "Europe/Paris"},
        },
    )
    phone.patch_event(calendar, master["id"] + "_20241026T070000Z", {"summary": "Tournée *"})
    phone.delete_event(calendar, master["id"] + "_20241027T080000Z")
    report = run(client, calendar, odoo)
    assert kinds(report) == [("create_local", "done")] * 3
    by_kind = {r.action.event_id: r.key for r in report.results}
    master_key = by_kind[master["id"]]
    series = odoo.rdvs[master_key]
    assert series.recurrence == ("RRULE:FREQ=DAILY;COUNT=4",) and series.tz == "Europe/Paris"
    moved = odoo.rdvs[by_kind[master["id"] + "_20241026T070000Z"]]
    assert (moved.series_key, moved.original_start, moved.summary) == (
        master_key,
        datetime(2024, 10, 26, 9, tzinfo=PARIS),
        "Tournée *",
    )
    cancelled = odoo.rdvs[by_kind[master["id"] + "_20241027T080000Z"]]
    assert cancelled.state == "cancel" and cancelled.series_key == master_key
    assert cancelled.original_start == datetime(2024, 10, 27, 9, tzinfo=PARIS)  # after DST
    assert run(client, calendar, odoo).results == ()
    # an occurrence of *our* series edited on the phone becomes an Odoo exception
    odoo_master = odoo.create(
        summary="Odoo series", recurrence=("RRULE:FREQ=DAILY;COUNT=3",), start=at(3), end=at(3, 10)
    )
    run(client, calendar, odoo)
    instance = event_id_for(DB, odoo_master) + "_20240604T070000Z"
    phone.patch_event(calendar, instance, {"location": "Ailleurs"})
    report = run(client, calendar, odoo)
    assert kinds(report) == [("create_local", "done")]
    exception = odoo.rdvs[report.results[0].key]
    assert exception.series_key == odoo_master and exception.location == "Ailleurs"
    assert run(client, calendar, odoo).results == ()


# -- all-day and DST edges -------------------------------------------------------------------
def test_all_day_and_dst_edges_both_ways(client, calendar, odoo, phone):
    weekend = odoo.create(
        summary="Astreinte", all_day=True, start=date(2024, 3, 30), end=date(2024, 3, 31)
    )
    spring = odoo.create(
        summary="Spring",
        start=datetime(2024, 3, 31, 1, 30, tzinfo=PARIS),
        end=datetime(2024, 3, 31, 3, 30, tzinfo=PARIS),
    )
    autumn = odoo.create(
        summary="Autumn",
        start=datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=PARIS),
        end=datetime(2024, 10, 27, 3, 30, tzinfo=PARIS),
    )
    run(client, calendar, odoo)
    events = {e["summary"]: e for e in phone.list_events(calendar)}
    assert (events["Astreinte"]["start"], events["Astreinte"]["end"]) == (
        {"date": "2024-03-30"},
        {"date": "2024-04-01"},
    )
    assert events["Spring"]["end"]["dateTime"] == "2024-03-31T03:30:00+02:00"
    assert events["Spring"]["start"]["dateTime"] == "2024-03-31T01:30:00+01:00"
    assert events["Autumn"]["start"]["dateTime"] == "2024-10-27T02:30:00+01:00"
    phone.insert_event(
        calendar,
        {"summary": "Congés", "start": {"date": "2024-10-26"}, "end": {"date": "2024-10-28"}},
    )
    report = run(client, calendar, odoo)
    pulled = odoo.rdvs[report.results[0].key]
    assert (pulled.all_day, pulled.start, pulled.end) == (
        True,
        date(2024, 10, 26),
        date(2024, 10, 27),
    )
    assert run(client, calendar, odoo).results == ()
    for key in (weekend, spring, autumn):
        assert odoo.rdvs[key].summary in events


# -- the guard -------------------------------------------------------------------------------
def test_google_emptied_stops_the_sync(client, calendar, odoo, phone):
    for number in range(6):
        odoo.create(summary="R%d" % number)
    run(client, calendar, odoo)
    token = odoo.token
    for event in phone.list_events(calendar):
        phone.delete_event(calendar, event["id"])
    report = run(client, calendar, odoo)
    assert report.stopped and "Google looks empty" in report.stopped
    assert not report.token_saved and odoo.token == token
    assert all(not r.cancelled for r in odoo.rdvs.values())
    forced = run(client, calendar, odoo, force=True)
    assert kinds(forced) == [("cancel_local", "done")] * 6


def test_odoo_emptied_stops_the_sync(client, calendar, odoo, phone):
    for number in range(6):
        odoo.create(summary="R%d" % number)
    run(client, calendar, odoo)
    for key in list(odoo.rdvs):
        odoo.unlink(key)
    report = run(client, calendar, odoo)
    assert report.stopped and "Odoo looks empty" in report.stopped
    assert len(live_events(phone, calendar)) == 6


# -- crashes and lost answers: never a duplicate ------------------------------------------------
class Crash(BaseException):
    """The process dies (not an Exception: nothing may catch it)."""


def test_crash_between_insert_and_state(client, calendar, odoo, phone):
    keys = [odoo.create(summary="R%d" % n) for n in range(3)]
    real_save = odoo.save_state

    def dying_save(key, state):
        raise Crash()

    odoo.save_state = dying_save
    with pytest.raises(Crash):
        run(client, calendar, odoo)
    odoo.save_state = real_save
    assert odoo.states == {} and odoo.token is None
    report = run(client, calendar, odoo)  # the listing shows them: adopted
    assert kinds(report) == [("adopt", "done")] * 3
    assert len(phone.list_events(calendar)) == 3
    assert sorted(odoo.states) == sorted(keys)


def test_lost_state_with_a_saved_token_is_adopted_on_409(emu, client, calendar, odoo, phone):
    key = odoo.create(summary="R")
    run(client, calendar, odoo)
    run(client, calendar, odoo)  # the token is now past the insert
    odoo.states.clear()  # state lost, token kept
    emu.clear_log()
    report = run(client, calendar, odoo)
    assert kinds(report) == [("adopt", "done")]
    assert [e["status"] for e in emu.request_log if e["in_batch"]] == [409]
    assert len(phone.list_events(calendar)) == 1 and key in odoo.states
    assert run(client, calendar, odoo).results == ()


def test_lost_answer_is_retried_without_duplicate(emu, calendar, odoo, phone):
    http = LosingHttp(timeout=5)
    client = new_client(emu, http=http)
    keys = [odoo.create(summary="R%d" % n) for n in range(3)]
    http.lose_next = 1
    report = run(client, calendar, odoo)
    assert http.lost == 1
    assert kinds(report) == [("adopt", "done")] * 3
    assert len(phone.list_events(calendar)) == 3 and sorted(odoo.states) == sorted(keys)
    odoo.edit(keys[0], summary="changed")
    http.lose_next = 1  # the patch applied, its answer lost
    assert kinds(run(client, calendar, odoo)) == [("record", "done")]
    assert run(client, calendar, odoo).results == ()


# -- bad input and failures: reported, the rest goes on -------------------------------------------
def test_bad_input_from_google_is_reported_and_others_sync(client, calendar, odoo, phone):
    phone.insert_event(
        calendar,
        {
            "summary": "NUL\x00 here",
            "description": "é" * 100_000,
            "start": {"date": "2024-06-03"},
            "end": {"date": "2024-06-04"},
        },
    )
    phone.insert_event(
        calendar,
        {"summary": "Fine", "start": {"date": "2024-06-05"}, "end": {"date": "2024-06-06"}},
    )
    report = run(client, calendar, odoo)
    assert kinds(report) == [("claim_remote", "done")] * 2 + [("create_local", "done")] * 2
    assert len(report.problems) == 1 and len(report.problems[0].action.problems) == 2
    assert run(client, calendar, odoo).results == ()


def test_odoo_failing_one_change_delays_only_it(client, calendar, odoo, phone):
    """A passing failure in Odoo (a lock, a lost connection): retried next time."""
    run(client, calendar, odoo)
    for summary in ("good", "refused"):
        phone.insert_event(
            calendar,
            {"summary": summary, "start": {"date": "2024-06-05"}, "end": {"date": "2024-06-06"}},
        )
    real_write = odoo.write_rdv

    def picky_write(action):
        if action.rdv.summary == "refused":
            raise RuntimeError("constraint violated, for now")
        return real_write(action)

    odoo.write_rdv = picky_write
    report = run(client, calendar, odoo)
    assert kinds(report) == [
        ("claim_remote", "done"),
        ("create_local", "done"),
        ("create_local", "retry"),
    ]
    assert not report.token_saved and "constraint" in report.pending[0].reason
    odoo.write_rdv = real_write
    assert kinds(run(client, calendar, odoo)) == [
        ("claim_remote", "done"),
        ("create_local", "done"),
    ]
    assert sorted(r.summary for r in odoo.rdvs.values()) == ["good", "refused"]


def test_odoo_rejecting_a_version_for_good_reports_it_and_moves_on(client, calendar, odoo, phone):
    """ValueError from write_rdv: Odoo will never take this version. It is
    reported as failed and the sync token moves on; a later edit brings it back."""
    run(client, calendar, odoo)
    for summary in ("good", "rejected"):
        phone.insert_event(
            calendar,
            {"summary": summary, "start": {"date": "2024-06-05"}, "end": {"date": "2024-06-06"}},
        )
    real_write = odoo.write_rdv

    def strict_write(action):
        if action.rdv.summary.startswith("rejected"):
            raise ValueError("unsupported recurrence")
        return real_write(action)

    odoo.write_rdv = strict_write
    report = run(client, calendar, odoo)
    assert sorted(kinds(report)) == [
        ("claim_remote", "done"),
        ("create_local", "done"),
        ("create_local", "failed"),
    ]
    assert report.token_saved and "unsupported" in report.problems[0].reason
    assert run(client, calendar, odoo).results == ()
    odoo.write_rdv = real_write
    rejected = [e for e in live_events(phone, calendar).values() if e["summary"] == "rejected"][0]
    phone.patch_event(calendar, rejected["id"], {"summary": "rejected, then fixed"})
    assert kinds(run(client, calendar, odoo)) == [
        ("claim_remote", "done"),
        ("create_local", "done"),
    ]


def test_push_under_faults_converges(emu, client, calendar, odoo, phone):
    for number in range(120):
        odoo.create(summary="R%d" % number, start=at(1 + number % 28))
    emu.set_faults(rate=0.2, seed=3, retry_after=1)
    for _ in range(5):
        report = run(client, calendar, odoo)
        if not report.pending and report.token_saved:
            break
    emu.set_faults(rate=0)
    assert len(live_events(phone, calendar)) == 120
    assert_converged(phone, calendar, odoo)
    assert run(client, calendar, odoo).results == ()


def test_full_resync_after_410_changes_nothing(emu, client, calendar, odoo, phone):
    for number in range(3):
        odoo.create(summary="R%d" % number)
    phone.insert_event(
        calendar, {"summary": "G", "start": {"date": "2024-06-05"}, "end": {"date": "2024-06-06"}}
    )
    run(client, calendar, odoo)
    emu.expire_sync_tokens()
    report = run(client, calendar, odoo)
    assert report.full and report.results == ()
    assert_converged(phone, calendar, odoo)


def test_unreadable_local_rdv_is_skipped_alone(client, calendar, odoo):
    odoo.create(summary="ok")
    odoo.create(summary="naive", start=datetime(2024, 6, 3, 9), end=datetime(2024, 6, 3, 10))
    report = run(client, calendar, odoo)
    assert kinds(report) == [("create_remote", "done"), ("skip", "skipped")]
    assert "naive" not in report.problems[0].reason and report.problems[0].reason


# -- the remaining rules of the plan, against the emulator ------------------------------------
def test_deleted_on_both_sides_forgets_the_pair(client, calendar, odoo, phone):
    key = odoo.create(summary="R")
    run(client, calendar, odoo)
    phone.delete_event(calendar, odoo.states[key].event_id)
    odoo.unlink(key)
    assert kinds(run(client, calendar, odoo)) == [("forget", "done")]
    assert key not in odoo.states and run(client, calendar, odoo).results == ()


@pytest.mark.parametrize("policy", [Policy.ODOO, Policy.GOOGLE])
def test_unlinked_in_odoo_edited_in_google(client, calendar, odoo, phone, policy):
    key = odoo.create(summary="R")
    run(client, calendar, odoo)
    event_id = odoo.states[key].event_id
    odoo.unlink(key)
    phone.patch_event(calendar, event_id, {"summary": "edited on the phone"})
    report = run(client, calendar, odoo, policy=policy)
    if policy == Policy.ODOO:
        assert kinds(report) == [("cancel_remote", "done")]
        assert phone.get_event(calendar, event_id)["status"] == "cancelled"
        assert odoo.conflicts[0][1].loser_rdv.summary == "edited on the phone"
    else:
        assert kinds(report) == [("claim_remote", "done"), ("create_local", "done")]
        new_key = report.results[0].key
        assert odoo.rdvs[new_key].summary == "edited on the phone" and key not in odoo.states
        assert odoo.states[new_key].event_id == event_id
    assert run(client, calendar, odoo, policy=policy).results == ()
    assert_converged(phone, calendar, odoo)


@pytest.mark.parametrize("policy", [Policy.ODOO, Policy.GOOGLE])
def test_deleted_in_google_edited_in_odoo(client, calendar, odoo, phone, policy):
    key = odoo.create(summary="R")
    run(client, calendar, odoo)
    event_id = odoo.states[key].event_id
    phone.delete_event(calendar, event_id)
    odoo.edit(key, summary="edited in Odoo")
    report = run(client, calendar, odoo, policy=policy)
    if policy == Policy.ODOO:  # the event comes back
        assert kinds(report) == [("update_remote", "done")]
        assert phone.get_event(calendar, event_id)["summary"] == "edited in Odoo"
        assert phone.get_event(calendar, event_id)["status"] == "confirmed"
    else:
        assert kinds(report) == [("cancel_local", "done")]
        assert odoo.rdvs[key].state == "cancel"
        assert odoo.conflicts[0][1].loser_rdv.summary == "edited in Odoo"
    assert run(client, calendar, odoo, policy=policy).results == ()
    assert_converged(phone, calendar, odoo)


def test_google_only_changes_are_recorded_not_pulled(client, calendar, odoo, phone):
    key = odoo.create(summary="R")
    run(client, calendar, odoo)
    phone.patch_event(
        calendar, odoo.states[key].event_id, {"colorId": "5", "reminders": {"useDefault": False}}
    )
    report = run(client, calendar, odoo)
    assert kinds(report) == [("record", "done")] and odoo.written == []
    odoo.edit(key, summary="R2")  # the new etag is the If-Match
    assert kinds(run(client, calendar, odoo)) == [("update_remote", "done")]
    assert phone.get_event(calendar, odoo.states[key].event_id)["colorId"] == "5"


def test_orphan_event_of_ours_is_cancelled(client, calendar, odoo, phone):
    key = odoo.create(summary="R")
    real_save = odoo.save_state

    def dying_save(key, state):
        raise Crash()

    odoo.save_state = dying_save
    with pytest.raises(Crash):
        run(client, calendar, odoo)  # inserted, state never stored
    odoo.save_state = real_save
    odoo.unlink(key)  # then deleted in Odoo
    report = run(client, calendar, odoo)
    assert kinds(report) == [("cancel_remote", "done")]
    assert report.conflicts and live_events(phone, calendar) == {}


def test_a_restored_backup_gives_lost_rdvs_back_and_new_rdvs_their_own_events(
    client, calendar, odoo, phone
):
    """RDVs made after the backup are lost with the restore, Google still has
    them (one moved on the phone since); the restored database gives their ids
    again: the new RDVs get events of their own, the lost ones come back from
    Google (the chatter says so), nothing is overwritten, no duplicate."""
    odoo.stamps = True
    odoo.create(summary="Kept")
    run(client, calendar, odoo)
    backup = odoo.backup()
    lost = odoo.create(summary="Lost")
    never = odoo.create(summary="Lost too")
    run(client, calendar, odoo)
    lost_event, never_event = odoo.states[lost].event_id, odoo.states[never].event_id
    phone.patch_event(calendar, lost_event, {"summary": "Lost, moved on the phone"})
    odoo.restore(backup)
    new = odoo.create(summary="New")
    assert new == lost  # the id is given again
    first = run(client, calendar, odoo)
    assert not first.conflicts and not first.problems
    assert run(client, calendar, odoo).results == ()
    assert_converged(phone, calendar, odoo)
    assert sorted(rdv.summary for rdv in odoo.active().values()) == [
        "Kept",
        "Lost too",
        "Lost, moved on the phone",
        "New",
    ]
    assert odoo.states[new].event_id not in (lost_event, never_event)
    back = {odoo.states[key].event_id: key for key in odoo.active()}
    assert odoo.chatter[back[lost_event]] == ["came back from Google, made for %s" % lost]
    assert odoo.chatter[back[never_event]] == ["came back from Google, made for %s" % never]
    for event_id in (lost_event, never_event):  # each names its RDV now
        assert owner_of(phone.get_event(calendar, event_id)) == (DB, back[event_id])


def test_a_lost_rdvs_event_whose_id_is_another_calendars_rdv_now_comes_back(
    client, calendar, odoo, phone
):
    """The restored database gave the lost RDV's id to an RDV of another
    technician: this calendar's Odoo side does not have it, yet it is no
    deletion (the stamps differ): the lost RDV comes back, no conflict is
    posted on the other technician's RDV, the event stays."""
    odoo.stamps = True
    backup = odoo.backup()
    lost = odoo.create(summary="Lost")
    run(client, calendar, odoo)
    lost_event = odoo.states[lost].event_id
    odoo.restore(backup)
    other = odoo.create(summary="Another technician's")
    assert other == lost
    odoo.others[other] = odoo.rdvs.pop(other)  # not this calendar's RDV
    report = run(client, calendar, odoo)
    assert kinds(report) == [("claim_remote", "done"), ("create_local", "done")]
    assert not report.conflicts and other not in odoo.chatter
    back = [key for key, rdv in odoo.rdvs.items() if rdv.summary == "Lost"]
    assert len(back) == 1 and odoo.states[back[0]].event_id == lost_event
    assert phone.get_event(calendar, lost_event)["status"] == "confirmed"


def test_an_event_made_on_the_phone_names_its_rdv_and_is_found_again(client, calendar, odoo, phone):
    """Made an RDV, the phone's event is written once with our private
    properties (its content as the phone wrote it); the pairs lost (the
    connector installed again), the next sync adopts it, with the phone's
    edit made meanwhile: no second RDV."""
    odoo.stamps = True
    made = phone_made(calendar, phone, description="Code 1234")
    run(client, calendar, odoo)
    (key,) = odoo.rdvs
    event = phone.get_event(calendar, made["id"])
    assert owner_of(event) == (DB, key)
    assert event["extendedProperties"]["private"]["openfireBorn"] == odoo.rdvs[key].stamp
    assert (event["summary"], event["description"]) == ("Du téléphone", "Code 1234")
    assert run(client, calendar, odoo).results == ()
    odoo.states.clear()
    odoo.token = None
    phone.patch_event(calendar, made["id"], {"summary": "Du téléphone, déplacé"})
    report = run(client, calendar, odoo)
    assert kinds(report) == [("update_local", "done")] and not report.conflicts
    assert [rdv.summary for rdv in odoo.rdvs.values()] == ["Du téléphone, déplacé"]


def test_a_phone_edit_before_the_claim_is_pulled_not_overwritten(client, calendar, odoo, phone):
    """The phone changes its event between the listing and the claim: the
    claim gives way (412), and the next sync pulls the change, no conflict."""
    made = phone_made(calendar, phone)
    real_write = client.write_events

    def racing_write(calendar_id, writes):
        phone.patch_event(calendar, made["id"], {"summary": "Du téléphone, déplacé"})
        client.write_events = real_write
        return real_write(calendar_id, writes)

    client.write_events = racing_write
    report = run(client, calendar, odoo)
    (key,) = odoo.rdvs
    assert kinds(report) == [("claim_remote", "done"), ("create_local", "done")]
    assert report.token_saved and not report.conflicts
    report = run(client, calendar, odoo)  # the change pulled, the event claimed
    assert kinds(report) == [("claim_remote", "done"), ("update_local", "done")]
    assert not report.conflicts
    assert [rdv.summary for rdv in odoo.rdvs.values()] == ["Du téléphone, déplacé"]
    event = phone.get_event(calendar, made["id"])
    assert event["summary"] == "Du téléphone, déplacé" and owner_of(event)[1] == key
    assert run(client, calendar, odoo).results == ()


def made_unclaimed(client, calendar, odoo, phone):
    """An event made on the phone whose RDV was made, the sync killed before
    the claim that names the RDV in the event."""
    made = phone_made(calendar, phone)
    real_write = client.write_events

    def dying_write(calendar_id, writes):
        raise Crash()

    client.write_events = dying_write
    with pytest.raises(Crash):
        run(client, calendar, odoo)
    client.write_events = real_write
    return made


def test_a_claim_a_crash_prevented_is_done_by_the_next_sync(client, calendar, odoo, phone):
    made = made_unclaimed(client, calendar, odoo, phone)
    (key,) = odoo.rdvs
    assert owner_of(phone.get_event(calendar, made["id"])) is None
    assert kinds(run(client, calendar, odoo)) == [("claim_remote", "done")]
    assert owner_of(phone.get_event(calendar, made["id"])) == (DB, key)
    assert run(client, calendar, odoo).results == ()


def test_a_claim_whose_pull_failed_waits_for_it(client, calendar, odoo, phone):
    """An event made on the phone, its claim never done, changed on the phone:
    when Odoo refuses the pull for now, the claim waits for it (a claim done
    alone would store the change as synced: it would never come in)."""
    made = made_unclaimed(client, calendar, odoo, phone)
    phone.patch_event(calendar, made["id"], {"summary": "Du téléphone, déplacé"})
    real_rdv = odoo.write_rdv

    def busy_once(action):
        odoo.write_rdv = real_rdv
        raise RuntimeError("could not serialize access")

    odoo.write_rdv = busy_once
    report = run(client, calendar, odoo)
    assert kinds(report) == [("update_local", "retry")]
    assert owner_of(phone.get_event(calendar, made["id"])) is None
    report = run(client, calendar, odoo)
    assert kinds(report) == [("claim_remote", "done"), ("update_local", "done")]
    assert [rdv.summary for rdv in odoo.rdvs.values()] == ["Du téléphone, déplacé"]
    assert run(client, calendar, odoo).results == ()


def test_strangers_are_left_alone(client, calendar, odoo, phone):
    phone.insert_event(
        calendar,
        {
            "summary": "Other db",
            "start": {"date": "2024-06-05"},
            "end": {"date": "2024-06-06"},
            "extendedProperties": {"private": {"openfireDb": "another-db", "openfireRdv": "1"}},
        },
    )
    gone = phone.insert_event(
        calendar,
        {"summary": "Gone", "start": {"date": "2024-06-05"}, "end": {"date": "2024-06-06"}},
    )
    phone.delete_event(calendar, gone["id"])
    odoo.create(summary="Never sent", state="cancel")
    report = run(client, calendar, odoo)
    assert kinds(report) == [("skip", "skipped")]
    assert "another database" in report.results[0].reason
    assert odoo.rdvs and all(r.cancelled for r in odoo.rdvs.values())
    assert len(live_events(phone, calendar)) == 1


def test_exception_waits_for_its_series(client, calendar, odoo, phone):
    master = odoo.create(
        summary="Série", start=at(3), end=at(3, 10), recurrence=("RRULE:FREQ=DAILY;COUNT=3",)
    )
    odoo.create(
        summary="Série (moved)",
        series_key=master,
        original_start=at(4),
        start=at(4, 15),
        end=at(4, 16),
    )
    real_write = client.write_events

    def failing_once(calendar_id, writes):
        client.write_events = real_write
        return [
            WriteResult(ok=False, status=503, reason="backendError", transient=True) for _ in writes
        ]

    client.write_events = failing_once
    report = run(client, calendar, odoo)
    assert kinds(report) == [("create_remote", "retry")] * 2
    assert "series" in report.pending[1].reason and phone.list_events(calendar) == []
    assert kinds(run(client, calendar, odoo)) == [("create_remote", "done")] * 2
    assert ("06-04 15:00", "Série (moved)") in occurrences(phone, calendar)


def test_conflict_of_an_occurrence_survives_a_crash_after_its_series(client, calendar, odoo, phone):
    """Cancelling a series in Google cancels its occurrences too: the losing
    version of an occurrence must be posted before the series is written."""
    master = odoo.create(
        summary="Série", start=at(3), end=at(3, 10), recurrence=("RRULE:FREQ=DAILY;COUNT=3",)
    )
    run(client, calendar, odoo)
    instance = event_id_for(DB, master) + "_20240604T070000Z"
    phone.patch_event(calendar, instance, {"summary": "moved on the phone"})
    occurrence = run(client, calendar, odoo).results[0].key
    phone.patch_event(calendar, instance, {"summary": "phone side"})
    odoo.edit(occurrence, summary="odoo side")
    odoo.edit(master, state="cancel")
    real_save = odoo.save_state

    def dying_save(key, state):
        if key == master:
            raise Crash()
        real_save(key, state)

    odoo.save_state = dying_save
    with pytest.raises(Crash):
        run(client, calendar, odoo)
    odoo.save_state = real_save
    run(client, calendar, odoo)
    losers = [c.loser_rdv.summary for _, c in odoo.conflicts if c.loser_rdv is not None]
    assert "phone side" in losers


def test_a_retry_keeps_the_token_so_nothing_depends_on_odoo_remembering(
    client, calendar, odoo, phone
):
    """The orphan's cancel fails once: Odoo has nothing left to report it again,
    so the token is kept and the same listing brings it back."""
    key = odoo.create(summary="R")
    real_save, real_write = odoo.save_state, client.write_events

    def dying_save(key, state):
        raise Crash()

    odoo.save_state = dying_save
    with pytest.raises(Crash):
        run(client, calendar, odoo)
    odoo.save_state = real_save
    odoo.unlink(key)

    def failing_once(calendar_id, writes):
        client.write_events = real_write
        return [
            WriteResult(ok=False, status=503, reason="backendError", transient=True) for _ in writes
        ]

    client.write_events = failing_once
    report = run(client, calendar, odoo)
    assert kinds(report) == [("cancel_remote", "retry")] and not report.token_saved
    assert kinds(run(client, calendar, odoo)) == [("cancel_remote", "done")]
    assert live_events(phone, calendar) == {}
