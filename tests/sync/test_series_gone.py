"""A series Google no longer holds (deleted on the phone): what Odoo confirms
again of it reaches the phone once, as an event of its own, since Google
refuses to write an occurrence of a cancelled series; and goes back to its
occurrence when Odoo brings the whole series back."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from sync.cycle import sync_calendar
from sync.event_ids import event_id_for
from sync_helpers import DB, PARIS, settings

START = datetime(2024, 3, 4, 9, 0, tzinfo=PARIS)


def run(client, calendar, odoo):
    return sync_calendar(client, calendar, odoo, settings())


def agenda(phone, calendar):
    return sorted(
        datetime.fromisoformat(e["start"]["dateTime"]).astimezone(PARIS).strftime("%m-%d %H:%M")
        for e in phone.list_events(calendar, single_events=True)
        if e["status"] != "cancelled"
    )


def weekly_series(client, calendar, odoo):
    """Three weekly RDVs from START, synced."""
    master = odoo.create(
        summary="Entretien",
        start=START,
        end=START + timedelta(hours=1),
        recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",),
    )
    run(client, calendar, odoo)
    return master


def live_ids(phone, calendar):
    return [e["id"] for e in phone.list_events(calendar) if e["status"] != "cancelled"]


def deleted_series(client, calendar, odoo, phone):
    master = weekly_series(client, calendar, odoo)
    phone.delete_event(calendar, event_id_for(DB, master))
    report = run(client, calendar, odoo)
    assert not report.errors
    assert odoo.rdvs[master].state == "cancel"
    return master


def confirmed_again(odoo, master, week):
    start = START + timedelta(days=7 * week)
    return odoo.create(
        summary="Entretien",
        series_key=master,
        original_start=start,
        start=start,
        end=start + timedelta(hours=1),
    )


def test_one_occurrence_confirmed_again_reaches_the_phone_once(client, calendar, odoo, phone):
    master = deleted_series(client, calendar, odoo, phone)
    confirmed_again(odoo, master, 1)
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert agenda(phone, calendar) == ["03-11 09:00"]
    report = run(client, calendar, odoo)
    assert not report.results
    assert agenda(phone, calendar) == ["03-11 09:00"]


def test_the_series_brought_back_takes_its_occurrence_again(client, calendar, odoo, phone):
    master = deleted_series(client, calendar, odoo, phone)
    confirmed_again(odoo, master, 1)
    run(client, calendar, odoo)
    odoo.edit(master, state="confirm")
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    # the event of its own is cancelled, the occurrence shows it: once
    assert agenda(phone, calendar) == ["03-04 09:00", "03-11 09:00", "03-18 09:00"]
    assert not run(client, calendar, odoo).results


def test_a_done_occurrence_of_a_series_deleted_on_the_phone_stays_once_on_the_phone(
    client, calendar, odoo, phone
):
    """The phone deletes a series one of whose RDVs is done: the done RDV is
    never cancelled from Google, and Google holds no occurrence of a deleted
    series, so it goes to an event of its own in that same sync (put at its
    occurrence, it would be refused, or left there held by no RDV)."""
    master = weekly_series(client, calendar, odoo)
    done = confirmed_again(odoo, master, 1)
    odoo.rdvs[done] = replace(odoo.rdvs[done], summary="Entretien fait", state="done")
    run(client, calendar, odoo)
    phone.delete_event(calendar, event_id_for(DB, master))
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert odoo.rdvs[master].state == "cancel"
    assert odoo.rdvs[done].state == "done"
    assert agenda(phone, calendar) == ["03-11 09:00"]
    assert live_ids(phone, calendar) == [event_id_for(DB, done)], (
        "one event, of its own; no occurrence left behind"
    )
    assert not run(client, calendar, odoo).results


def test_an_occurrence_changed_as_odoo_cancels_its_series_goes_to_an_event_of_its_own(
    client, calendar, odoo, phone
):
    """Odoo cancels a series and changes one of its RDVs before the same
    sync: Google cancels the occurrences with the series, so that RDV goes to
    an event of its own at once (written at its occurrence after the series,
    it would be an occurrence of no live series, left there)."""
    master = weekly_series(client, calendar, odoo)
    kept = confirmed_again(odoo, master, 1)
    run(client, calendar, odoo)
    odoo.edit(master, state="cancel")
    odoo.edit(kept, summary="Entretien gardé")
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert live_ids(phone, calendar) == [event_id_for(DB, kept)]
    assert agenda(phone, calendar) == ["03-11 09:00"]
    assert not run(client, calendar, odoo).results


def test_a_done_occurrence_put_back_after_its_series_was_cancelled_stays_once(
    client, calendar, odoo, phone
):
    """The cancellation of a series Odoo cancelled reaches its occurrences in
    Google (their tombstones are listed at the next sync): a done RDV there is
    put back as an event of its own, not at its occurrence of no live series."""
    master = weekly_series(client, calendar, odoo)
    done = confirmed_again(odoo, master, 1)
    odoo.rdvs[done] = replace(odoo.rdvs[done], summary="Entretien fait", state="done")
    run(client, calendar, odoo)
    odoo.edit(master, state="cancel")
    run(client, calendar, odoo)  # the series and, in Google, its occurrences cancelled
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert odoo.rdvs[done].state == "done" and odoo.rdvs[done].summary == "Entretien fait"
    assert live_ids(phone, calendar) == [event_id_for(DB, done)], (
        "one event, of its own; no occurrence revived"
    )
    for _ in range(2):
        run(client, calendar, odoo)
    assert not run(client, calendar, odoo).results


@pytest.mark.parametrize("stamps", [False, True])
def test_an_occurrence_whose_event_of_its_own_lost_its_state_is_no_new_rdv(
    client, calendar, odoo, phone, stamps
):
    """The event of its own an occurrence of a cancelled series went to is in
    Google, but its state was not stored (a crash right after Google's
    answer): the pair still names the occurrence. That event, under the id
    the sync gives the RDV, is the RDV's own, never an event made on the
    phone to bring in as a new RDV (two RDVs would share it); stamped or not.
    An event of that key made for another RDV (its stamp differs) is not the
    RDV's own: see test_sync_cycle's restored backups."""
    odoo.stamps = stamps
    master = weekly_series(client, calendar, odoo)
    kept = confirmed_again(odoo, master, 1)
    run(client, calendar, odoo)
    at_occurrence = odoo.states[kept]
    odoo.edit(master, state="cancel")
    odoo.edit(kept, summary="Entretien gardé")
    run(client, calendar, odoo)
    own = event_id_for(DB, kept, odoo.rdvs[kept].stamp)
    assert odoo.states[kept].event_id == own
    odoo.states[kept] = at_occurrence  # the state of that write lost
    rdvs = sorted(odoo.rdvs)
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert sorted(odoo.rdvs) == rdvs, "no new RDV made of the RDV's own event"
    assert odoo.states[kept].event_id == own
    live = [e for e in phone.list_events(calendar) if e["status"] != "cancelled"]
    assert [(e["id"], e["summary"]) for e in live] == [(own, "Entretien gardé")]
    assert not run(client, calendar, odoo).results


def test_an_occurrence_back_at_its_occurrence_whose_state_was_lost_is_no_new_rdv(
    client, calendar, odoo, phone
):
    """The series brought back, the occurrence written back at its occurrence
    in Google, but its state not stored (a crash): the pair still names its
    event of its own. The occurrence, which we wrote for that RDV, is never
    brought in as a new exception of the series."""
    master = deleted_series(client, calendar, odoo, phone)
    kept = confirmed_again(odoo, master, 1)
    run(client, calendar, odoo)
    own = odoo.states[kept]
    odoo.edit(master, state="confirm")
    stored = odoo.save_states

    def losing(states):  # the crash: the occurrence's state never stored
        return stored([(key, state) for key, state in states if key != kept])

    odoo.save_states = losing
    run(client, calendar, odoo)
    odoo.save_states = stored
    assert odoo.states[kept] == own
    rdvs = sorted(odoo.rdvs)
    for _ in range(2):
        report = run(client, calendar, odoo)
        assert not report.errors, [r.reason for r in report.errors]
    assert sorted(odoo.rdvs) == rdvs, "no new RDV made of the occurrence we wrote"
    assert agenda(phone, calendar) == ["03-04 09:00", "03-11 09:00", "03-18 09:00"]
    assert not run(client, calendar, odoo).results
