"""A series Google no longer holds (deleted on the phone): what Odoo confirms
again of it reaches the phone once, as an event of its own, since Google
refuses to write an occurrence of a cancelled series; and goes back to its
occurrence when Odoo brings the whole series back."""

from dataclasses import replace
from datetime import datetime, timedelta

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


def deleted_series(client, calendar, odoo, phone):
    master = odoo.create(
        summary="Entretien",
        start=START,
        end=START + timedelta(hours=1),
        recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",),
    )
    run(client, calendar, odoo)
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
    master = odoo.create(
        summary="Entretien",
        start=START,
        end=START + timedelta(hours=1),
        recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",),
    )
    run(client, calendar, odoo)
    done = confirmed_again(odoo, master, 1)
    odoo.rdvs[done] = replace(odoo.rdvs[done], summary="Entretien fait", state="done")
    run(client, calendar, odoo)
    phone.delete_event(calendar, event_id_for(DB, master))
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert odoo.rdvs[master].state == "cancel"
    assert odoo.rdvs[done].state == "done"
    assert agenda(phone, calendar) == ["03-11 09:00"]
    live = [e["id"] for e in phone.list_events(calendar) if e["status"] != "cancelled"]
    assert live == [event_id_for(DB, done)], "one event, of its own; no occurrence left behind"
    assert not run(client, calendar, odoo).results


def test_an_occurrence_changed_as_odoo_cancels_its_series_goes_to_an_event_of_its_own(
    client, calendar, odoo, phone
):
    """Odoo cancels a series and changes one of its RDVs before the same
    sync: Google cancels the occurrences with the series, so that RDV goes to
    an event of its own at once (written at its occurrence after the series,
    it would be an occurrence of no live series, left there)."""
    master = odoo.create(
        summary="Entretien",
        start=START,
        end=START + timedelta(hours=1),
        recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",),
    )
    run(client, calendar, odoo)
    kept = confirmed_again(odoo, master, 1)
    run(client, calendar, odoo)
    odoo.edit(master, state="cancel")
    odoo.edit(kept, summary="Entretien gardé")
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    live = [e["id"] for e in phone.list_events(calendar) if e["status"] != "cancelled"]
    assert live == [event_id_for(DB, kept)]
    assert agenda(phone, calendar) == ["03-11 09:00"]
    assert not run(client, calendar, odoo).results


def test_a_done_occurrence_put_back_after_its_series_was_cancelled_stays_once(
    client, calendar, odoo, phone
):
    """The cancellation of a series Odoo cancelled reaches its occurrences in
    Google (their tombstones are listed at the next sync): a done RDV there is
    put back as an event of its own, not at its occurrence of no live series."""
    master = odoo.create(
        summary="Entretien",
        start=START,
        end=START + timedelta(hours=1),
        recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",),
    )
    run(client, calendar, odoo)
    done = confirmed_again(odoo, master, 1)
    odoo.rdvs[done] = replace(odoo.rdvs[done], summary="Entretien fait", state="done")
    run(client, calendar, odoo)
    odoo.edit(master, state="cancel")
    run(client, calendar, odoo)  # the series and, in Google, its occurrences cancelled
    report = run(client, calendar, odoo)
    assert not report.errors, [r.reason for r in report.errors]
    assert odoo.rdvs[done].state == "done" and odoo.rdvs[done].summary == "Entretien fait"
    live = [e["id"] for e in phone.list_events(calendar) if e["status"] != "cancelled"]
    assert live == [event_id_for(DB, done)], "one event, of its own; no occurrence revived"
    for _ in range(2):
        run(client, calendar, odoo)
    assert not run(client, calendar, odoo).results
