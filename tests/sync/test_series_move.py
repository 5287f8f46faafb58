"""A series moved in Odoo keeps its exceptions at the right occurrences in Google.

Google keeps an exception at the original start it was made at (the emulator
does the same, see google_emulator/tests/test_recurrence.py): when Odoo moves
a series, each exception moves with it to the occurrence it belongs to now,
and the occurrence it leaves shows the moved series' plain occurrence again,
or nothing. The in-memory Odoo moves the original starts as Odoo's planning
does (the same wall-clock shift as the series)."""

from datetime import date, datetime, timedelta

from sync.actions import Kind
from sync.cycle import sync_calendar
from sync.event_ids import event_id_for
from sync_helpers import DB, EMAIL, PARIS, settings

from google_emulator.faults import PER_USER_PER_MINUTE


def run(client, calendar, odoo):
    """One sync with the test settings."""
    return sync_calendar(client, calendar, odoo, settings())


def move_series(odoo, master, delta):
    """Move a series in Odoo as a planner does: the master and every original
    start by ``delta`` of wall-clock time; an exception keeps its own times."""
    rdv = odoo.rdvs[master]

    def shifted(moment):
        if isinstance(moment, date) and not isinstance(moment, datetime):
            return moment + timedelta(days=delta.days)
        local = moment.astimezone(PARIS).replace(tzinfo=None) + delta
        return local.replace(tzinfo=PARIS)

    odoo.edit(master, start=shifted(rdv.start), end=shifted(rdv.end))
    for key, other in list(odoo.rdvs.items()):
        if other.series_key == master:
            odoo.edit(key, original_start=shifted(other.original_start))


def instances(emu, calendar, event_id):
    """Google's instances of a series, cancelled ones included:
    (original start, start or None, status, summary), in Paris time."""

    def local(value):
        if value is None:
            return None
        if "date" in value:
            return value["date"]
        moment = datetime.fromisoformat(value["dateTime"]).astimezone(PARIS)
        return moment.strftime("%m-%d %H:%M")

    page = emu.service.instances(EMAIL, calendar, event_id, show_deleted=True, max_results=2500)
    return sorted(
        (
            local(item["originalStartTime"]),
            local(item.get("start")) if item["status"] != "cancelled" else None,
            item["status"],
            item.get("summary") if item["status"] != "cancelled" else None,
        )
        for item in page["items"]
    )


def agenda(phone, calendar):
    """What the phone shows: every live event, occurrences expanded."""
    return sorted(
        (
            datetime.fromisoformat(e["start"]["dateTime"]).astimezone(PARIS).strftime("%m-%d %H:%M")
            if "dateTime" in e["start"]
            else e["start"]["date"],
            e.get("summary"),
        )
        for e in phone.list_events(calendar, single_events=True)
        if e["status"] != "cancelled"
    )


def weekly_series(odoo, count=6, **fields):
    """A weekly series from Monday 4 March 2024, 09:00 Paris, across the DST change,
    with its 2nd occurrence moved to the next day 15:00 and its 3rd cancelled."""
    start = datetime(2024, 3, 4, 9, 0, tzinfo=PARIS)
    master = odoo.create(
        summary="Entretien",
        start=start,
        end=start + timedelta(hours=1),
        recurrence=("RRULE:FREQ=WEEKLY;COUNT=%d" % count,),
        **fields,
    )
    moved = odoo.create(
        summary="Entretien (déplacé)",
        series_key=master,
        original_start=start + timedelta(days=7),
        start=datetime(2024, 3, 12, 15, 0, tzinfo=PARIS),
        end=datetime(2024, 3, 12, 16, 0, tzinfo=PARIS),
    )
    cancelled = odoo.create(
        summary="Entretien",
        series_key=master,
        state="cancel",
        original_start=start + timedelta(days=14),
        start=start + timedelta(days=14),
        end=start + timedelta(days=14, hours=1),
    )
    return master, moved, cancelled


def test_series_moved_one_hour_keeps_its_exceptions(emu, client, calendar, odoo, phone):
    master, moved, cancelled = weekly_series(odoo)
    run(client, calendar, odoo)
    series_id = event_id_for(DB, master)
    move_series(odoo, master, timedelta(hours=1))
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    # The occurrences the exceptions left (09:00) keep a tombstone, which hides nothing.
    assert instances(emu, calendar, series_id) == [
        ("03-04 10:00", "03-04 10:00", "confirmed", "Entretien"),
        ("03-11 09:00", None, "cancelled", None),
        ("03-11 10:00", "03-12 15:00", "confirmed", "Entretien (déplacé)"),
        ("03-18 09:00", None, "cancelled", None),
        ("03-18 10:00", None, "cancelled", None),
        ("03-25 10:00", "03-25 10:00", "confirmed", "Entretien"),
        ("04-01 10:00", "04-01 10:00", "confirmed", "Entretien"),  # 10:00 after DST too
        ("04-08 10:00", "04-08 10:00", "confirmed", "Entretien"),
    ]
    # Nothing else on the phone: the exception's old occurrence is gone.
    assert agenda(phone, calendar) == [
        ("03-04 10:00", "Entretien"),
        ("03-12 15:00", "Entretien (déplacé)"),
        ("03-25 10:00", "Entretien"),
        ("04-01 10:00", "Entretien"),
        ("04-08 10:00", "Entretien"),
    ]
    # The pairs follow their occurrences, and the next syncs have nothing to do.
    assert odoo.states[moved].event_id == series_id + "_20240311T090000Z"
    assert odoo.states[cancelled].event_id == series_id + "_20240318T090000Z"
    emu.clear_log()
    assert run(client, calendar, odoo).results == ()  # the echo: the release's tombstone too
    assert len(emu.request_log) == 1
    # The exception still syncs at its new occurrence.
    odoo.edit(moved, summary="Entretien (déplacé, bis)")
    assert [r.action.kind for r in run(client, calendar, odoo).results] == [Kind.UPDATE_REMOTE]
    assert ("03-12 15:00", "Entretien (déplacé, bis)") in agenda(phone, calendar)


def test_series_moved_by_a_week_hands_left_occurrences_to_regular_rdvs(
    emu, client, calendar, odoo, phone
):
    """Moved by its own period, a series' exceptions land on occurrences that held
    other exceptions, and leave one the moved series has as a regular RDV: that
    occurrence shows the series again, and syncs as its own pair from then on."""
    master, moved, cancelled = weekly_series(odoo)
    run(client, calendar, odoo)
    series_id = event_id_for(DB, master)
    move_series(odoo, master, timedelta(days=7))
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert instances(emu, calendar, series_id) == [
        ("03-11 09:00", "03-11 09:00", "confirmed", "Entretien"),
        ("03-18 09:00", "03-12 15:00", "confirmed", "Entretien (déplacé)"),
        ("03-25 09:00", None, "cancelled", None),
        ("04-01 09:00", "04-01 09:00", "confirmed", "Entretien"),
        ("04-08 09:00", "04-08 09:00", "confirmed", "Entretien"),
        ("04-15 09:00", "04-15 09:00", "confirmed", "Entretien"),
    ]
    assert odoo.states[moved].event_id == series_id + "_20240318T080000Z"
    assert odoo.states[cancelled].event_id == series_id + "_20240325T080000Z"
    regular = [k for k, r in odoo.rdvs.items() if r.series_key == master and k in odoo.states]
    taken_over = sorted(set(regular) - {moved, cancelled})
    assert [odoo.states[k].event_id for k in taken_over] == [series_id + "_20240311T080000Z"]
    assert run(client, calendar, odoo).results == ()
    # The series renamed in Odoo: the regular RDV that took the occurrence over
    # follows (in Odoo as in Google), the exception keeps its own title.
    odoo.edit(master, summary="Contrat d'entretien")
    odoo.edit(taken_over[0], summary="Contrat d'entretien")
    run(client, calendar, odoo)
    assert agenda(phone, calendar) == [
        ("03-11 09:00", "Contrat d'entretien"),
        ("03-12 15:00", "Entretien (déplacé)"),
        ("04-01 09:00", "Contrat d'entretien"),
        ("04-08 09:00", "Contrat d'entretien"),
        ("04-15 09:00", "Contrat d'entretien"),
    ]


def test_all_day_series_moved_by_a_day(emu, client, calendar, odoo, phone):
    start = date(2024, 3, 4)
    master = odoo.create(
        summary="Astreinte",
        all_day=True,
        start=start,
        end=start,
        recurrence=("RRULE:FREQ=WEEKLY;COUNT=4",),
    )
    changed = odoo.create(
        summary="Astreinte (Sophie)",
        all_day=True,
        series_key=master,
        original_start=date(2024, 3, 11),
        start=date(2024, 3, 11),
        end=date(2024, 3, 11),
    )
    odoo.create(
        summary="Astreinte",
        all_day=True,
        state="cancel",
        series_key=master,
        original_start=date(2024, 3, 18),
        start=date(2024, 3, 18),
        end=date(2024, 3, 18),
    )
    run(client, calendar, odoo)
    move_series(odoo, master, timedelta(days=1))
    odoo.edit(changed, start=date(2024, 3, 12), end=date(2024, 3, 12))
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert instances(emu, calendar, event_id_for(DB, master)) == [
        ("2024-03-05", "2024-03-05", "confirmed", "Astreinte"),
        ("2024-03-11", None, "cancelled", None),  # left, hides nothing
        ("2024-03-12", "2024-03-12", "confirmed", "Astreinte (Sophie)"),
        ("2024-03-18", None, "cancelled", None),  # left, hides nothing
        ("2024-03-19", None, "cancelled", None),
        ("2024-03-26", "2024-03-26", "confirmed", "Astreinte"),
    ]
    assert agenda(phone, calendar) == [
        ("2024-03-05", "Astreinte"),
        ("2024-03-12", "Astreinte (Sophie)"),
        ("2024-03-26", "Astreinte"),
    ]
    assert run(client, calendar, odoo).results == ()


def test_a_failed_move_is_stored_by_none_and_sent_again(emu, client, calendar, odoo, phone):
    """Some writes of the move refused: none of the series' occurrences
    is stored as moved, the next sync sends them again, and Google ends right."""
    master, moved, cancelled = weekly_series(odoo)
    run(client, calendar, odoo)
    series_id = event_id_for(DB, master)
    move_series(odoo, master, timedelta(hours=1))
    # The listing, the series and the first occurrence's write pass, the rest
    # is over Google's per-user rate limit (transient) until the next sync.
    emu.set_rate_limits(per_user=3)
    report = run(client, calendar, odoo)
    assert report.pending and not report.token_saved
    assert any("not stored" in r.reason for r in report.pending)  # one write went through
    assert odoo.states[moved].event_id == series_id + "_20240311T080000Z"
    assert odoo.states[cancelled].event_id == series_id + "_20240318T080000Z"
    emu.set_rate_limits(per_user=PER_USER_PER_MINUTE)
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert odoo.states[moved].event_id == series_id + "_20240311T090000Z"
    assert agenda(phone, calendar) == [
        ("03-04 10:00", "Entretien"),
        ("03-12 15:00", "Entretien (déplacé)"),
        ("03-25 10:00", "Entretien"),
        ("04-01 10:00", "Entretien"),
        ("04-08 10:00", "Entretien"),
    ]


def test_an_occurrence_cancelled_on_the_phone_still_cancels_its_rdv(client, calendar, odoo, phone):
    """A cancelled occurrence with no pair is passed on when Odoo has an RDV
    there (the phone deleted it), and only then."""
    master, _moved, _cancelled = weekly_series(odoo)
    run(client, calendar, odoo)
    phone.delete_event(calendar, event_id_for(DB, master) + "_20240325T080000Z")
    report = run(client, calendar, odoo)
    assert [(r.action.kind, r.outcome.value) for r in report.results] == [
        (Kind.CREATE_LOCAL, "done")
    ]
    made = odoo.rdvs[report.results[0].key]
    assert made.cancelled and made.original_start == datetime(2024, 3, 25, 9, 0, tzinfo=PARIS)
    assert run(client, calendar, odoo).results == ()


def test_a_left_exception_edited_on_the_phone_is_released_once_odoo_wins(
    emu, client, calendar, odoo, phone
):
    """The series moves in Odoo while the phone edits one of its exceptions:
    Odoo's version wins (the policy) and goes to the new occurrence; the
    occurrence left is released with the etag listed, not the stored one,
    which Google would refuse at every sync."""
    master, moved, _cancelled = weekly_series(odoo)
    run(client, calendar, odoo)
    series_id = event_id_for(DB, master)
    move_series(odoo, master, timedelta(hours=1))
    phone.patch_event(calendar, series_id + "_20240311T080000Z", {"summary": "vu sur place"})
    report = run(client, calendar, odoo)
    assert not report.errors, [(r.action.kind, r.reason) for r in report.errors]
    assert odoo.states[moved].event_id == series_id + "_20240311T090000Z"
    left = phone.get_event(calendar, series_id + "_20240311T080000Z")
    assert left["status"] == "cancelled"
    assert ("03-12 15:00", "Entretien (déplacé)") in agenda(phone, calendar)
    assert [c.loser_rdv.summary for _key, c in odoo.conflicts] == ["vu sur place"]
    assert run(client, calendar, odoo).results == ()
