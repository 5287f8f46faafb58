"""The planner stays in control of each occurrence of a series: the first
change the phone makes to one occurrence (Google then makes an exception
instance, ``<series id>_<original start>``, that no pair holds yet) follows
the rules of sync/proposals.py like any change of an RDV. Whole syncs against
the emulator; the in-memory Odoo holds each regular occurrence as an RDV of
its series (see MemoryOdoo.regular_occurrences)."""

from datetime import timedelta

import pytest
from sync.actions import Policy
from sync.cycle import sync_calendar
from sync.event_ids import event_id_for, instance_id
from sync.proposals import FINISHED
from sync_helpers import DB, at, settings


def run(client, calendar, odoo, **kwargs):
    """One sync with the test settings."""
    return sync_calendar(client, calendar, odoo, settings(**kwargs))


def kinds(report):
    """Sorted (kind, outcome) pairs of a report."""
    return sorted((r.action.kind.value, r.outcome.value) for r in report.results)


def weekly(client, calendar, odoo, **fields):
    """A weekly series of three RDVs from Monday 3 June 2024, 09:00 Paris,
    synced: (its key, the id of its second occurrence, 10 June)."""
    master = odoo.create(
        summary="Contrat",
        start=at(3),
        end=at(3, 10),
        recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",),
        **fields,
    )
    run(client, calendar, odoo)
    return master, instance_id(event_id_for(DB, master), at(10))


def moved_on_the_phone(phone, calendar, instance, summary=None):
    """The technician moves the occurrence of 10 June to 11 June, 10:00."""
    body = {
        "start": {"dateTime": at(11, 10).isoformat()},
        "end": {"dateTime": at(11, 11).isoformat()},
    }
    if summary:
        body["summary"] = summary
    return phone.patch_event(calendar, instance, body)


def occurrence_key(odoo, master):
    """The key of the regular occurrence of 10 June the sync asked Odoo for."""
    (key,) = {
        k
        for k, rdv in list(odoo.regular.items()) + list(odoo.rdvs.items())
        if rdv.series_key == master and rdv.original_start == at(10)
    }
    assert key.startswith(master + "@"), "the regular occurrence, not an RDV made from Google"
    return key


def exceptions(odoo, master):
    """The RDVs of the series other than its master, by key."""
    return {k: rdv for k, rdv in odoo.rdvs.items() if rdv.series_key == master}


# -- proposal mode ---------------------------------------------------------------------
def test_a_first_move_of_an_occurrence_is_proposed_then_accepted(client, calendar, odoo, phone):
    master, instance = weekly(client, calendar, odoo)
    moved_on_the_phone(phone, calendar, instance, "Contrat (déplacé)")
    report = run(client, calendar, odoo, proposals=True)
    assert kinds(report) == [("propose", "done")]
    key = occurrence_key(odoo, master)
    assert report.results[0].key == key
    occurrence = odoo.rdvs[key]
    assert (occurrence.start, occurrence.summary) == (at(10), "Contrat"), "the RDV stays"
    assert list(exceptions(odoo, master)) == [key], "no RDV made from the phone's version"
    proposal = odoo.proposals[key]
    assert proposal["proposed"].start == at(11, 10)
    assert proposal["proposed"].summary == "Contrat (déplacé)"
    assert proposal["held"].start == at(10)
    assert odoo.states[key].event_id == instance
    assert phone.get_event(calendar, instance)["summary"] == "Contrat (déplacé)"
    assert run(client, calendar, odoo, proposals=True).results == (), "proposed once"
    odoo.accept(key)
    assert kinds(run(client, calendar, odoo, proposals=True)) == [("update_remote", "done")]
    assert odoo.rdvs[key].start == at(11, 10)
    shown = phone.get_event(calendar, instance)
    assert shown["start"]["dateTime"].startswith("2024-06-11T10:00")
    assert shown["summary"] == "Contrat (déplacé)"
    assert run(client, calendar, odoo, proposals=True).results == ()
    assert odoo.rdvs[master].start == at(3) and odoo.rdvs[master].summary == "Contrat"


def test_a_refused_first_move_puts_the_occurrence_back(client, calendar, odoo, phone):
    master, instance = weekly(client, calendar, odoo)
    moved = moved_on_the_phone(phone, calendar, instance)
    run(client, calendar, odoo, proposals=True)
    key = occurrence_key(odoo, master)
    odoo.refuse(key)
    assert kinds(run(client, calendar, odoo, proposals=True)) == [("update_remote", "done")]
    back = phone.get_event(calendar, instance)
    assert back["start"]["dateTime"].startswith("2024-06-10T09:00")
    assert back["summary"] == "Contrat" and "[refused" in back["description"]
    assert back["etag"] != moved["etag"]
    assert odoo.rdvs[key].start == at(10)
    assert run(client, calendar, odoo, proposals=True).results == ()


def test_a_first_retitle_or_new_location_of_an_occurrence_is_proposed(
    client, calendar, odoo, phone
):
    master, instance = weekly(client, calendar, odoo)
    phone.patch_event(calendar, instance, {"summary": "Autre titre", "location": "Lyon"})
    assert kinds(run(client, calendar, odoo, proposals=True)) == [("propose", "done")]
    key = occurrence_key(odoo, master)
    assert odoo.rdvs[key].summary == "Contrat" and odoo.rdvs[key].location == ""
    proposed = odoo.proposals[key]["proposed"]
    assert (proposed.summary, proposed.location) == ("Autre titre", "Lyon")


def test_a_first_deletion_of_an_occurrence_is_proposed_and_refused(client, calendar, odoo, phone):
    master, instance = weekly(client, calendar, odoo)
    phone.delete_event(calendar, instance)
    assert kinds(run(client, calendar, odoo, proposals=True)) == [("propose", "done")]
    key = occurrence_key(odoo, master)
    assert odoo.rdvs[key].state == "confirm"
    assert odoo.proposals[key]["proposed"] is None
    assert run(client, calendar, odoo, proposals=True).results == ()
    odoo.refuse(key)
    assert kinds(run(client, calendar, odoo, proposals=True)) == [("update_remote", "done")]
    back = phone.get_event(calendar, instance)
    assert back["status"] == "confirmed" and back["start"]["dateTime"].startswith("2024-06-10")


def test_a_first_deletion_of_an_occurrence_accepted_cancels_it(client, calendar, odoo, phone):
    master, instance = weekly(client, calendar, odoo)
    phone.delete_event(calendar, instance)
    run(client, calendar, odoo, proposals=True)
    key = occurrence_key(odoo, master)
    odoo.accept(key)
    run(client, calendar, odoo, proposals=True)
    assert odoo.rdvs[key].state == "cancel"
    assert phone.get_event(calendar, instance)["status"] == "cancelled"
    assert odoo.rdvs[master].state == "confirm"
    assert run(client, calendar, odoo, proposals=True).results == ()


def test_the_technicians_notes_on_an_occurrence_come_in_at_once(client, calendar, odoo, phone):
    master, instance = weekly(client, calendar, odoo)
    phone.patch_event(calendar, instance, {"description": "Code portail 1234"})
    report = run(client, calendar, odoo, proposals=True)
    assert kinds(report) == [("create_local", "done")]
    occurrence = odoo.rdvs[report.results[0].key]
    assert occurrence.series_key == master and occurrence.description == "Code portail 1234"
    assert not odoo.proposals


def test_a_first_move_of_an_occurrence_is_applied_outside_proposal_mode(
    client, calendar, odoo, phone
):
    master, instance = weekly(client, calendar, odoo)
    moved_on_the_phone(phone, calendar, instance)
    report = run(client, calendar, odoo)
    assert kinds(report) == [("create_local", "done")]
    occurrence = odoo.rdvs[report.results[0].key]
    assert (occurrence.series_key, occurrence.start) == (master, at(11, 10))
    assert not odoo.proposals


# -- always: a finished occurrence -------------------------------------------------------
@pytest.mark.parametrize("proposals", [False, True])
def test_a_done_occurrence_moved_on_the_phone_for_the_first_time_is_put_back(
    client, calendar, odoo, phone, proposals
):
    """A series done as a whole: its regular occurrences are done, and the
    first change the phone makes to one of them is put back, in either mode."""
    master, instance = weekly(client, calendar, odoo, state="done")
    moved = moved_on_the_phone(phone, calendar, instance, "Fini ?")
    report = run(client, calendar, odoo, proposals=proposals)
    assert kinds(report) == [("update_remote", "done")], proposals
    key = occurrence_key(odoo, master)
    assert list(exceptions(odoo, master)) == [key]
    assert (odoo.rdvs[key].start, odoo.rdvs[key].state) == (at(10), "done")
    back = phone.get_event(calendar, instance)
    assert back["start"]["dateTime"].startswith("2024-06-10T09:00")
    assert back["summary"] == "Contrat" and back["etag"] != moved["etag"]
    ((_key, conflict),) = odoo.conflicts
    assert conflict.reason == FINISHED and conflict.loser_rdv.summary == "Fini ?"
    assert not odoo.proposals
    assert run(client, calendar, odoo, proposals=proposals).results == ()


def test_a_done_occurrence_deleted_on_the_phone_for_the_first_time_is_restored(
    client, calendar, odoo, phone
):
    master, instance = weekly(client, calendar, odoo, state="done")
    phone.delete_event(calendar, instance)
    report = run(client, calendar, odoo, proposals=True)
    assert kinds(report) == [("update_remote", "done")]
    key = occurrence_key(odoo, master)
    assert odoo.rdvs[key].state == "done"
    back = phone.get_event(calendar, instance)
    assert back["status"] == "confirmed" and back["start"]["dateTime"].startswith("2024-06-10")
    assert odoo.conflicts[0][1].reason == FINISHED
    assert run(client, calendar, odoo, proposals=True).results == ()


@pytest.mark.parametrize("proposals", [False, True])
@pytest.mark.parametrize("policy", [Policy.ODOO, Policy.GOOGLE])
def test_an_occurrence_done_in_odoo_and_moved_on_the_phone_before_a_sync_stays(
    client, calendar, odoo, phone, proposals, policy
):
    """Odoo made the occurrence an exception (done) and the phone moved it
    before the next sync: both name the same occurrence; the RDV stays done
    where it is and Google shows it again."""
    master, instance = weekly(client, calendar, odoo)
    done = odoo.create(
        summary="Contrat",
        series_key=master,
        original_start=at(10),
        start=at(10),
        end=at(10, 10),
        state="done",
    )
    moved_on_the_phone(phone, calendar, instance, "Encore ?")
    report = run(client, calendar, odoo, proposals=proposals, policy=policy)
    assert kinds(report) == [("update_remote", "done")], kinds(report)
    assert list(exceptions(odoo, master)) == [done]
    assert (odoo.rdvs[done].start, odoo.rdvs[done].state) == (at(10), "done")
    back = phone.get_event(calendar, instance)
    assert back["start"]["dateTime"].startswith("2024-06-10T09:00")
    assert back["summary"] == "Contrat"
    assert odoo.states[done].event_id == instance
    ((_key, conflict),) = odoo.conflicts
    assert conflict.loser_rdv.summary == "Encore ?"
    assert not odoo.proposals
    assert run(client, calendar, odoo, proposals=proposals, policy=policy).results == ()


def test_an_occurrence_changed_in_odoo_and_on_the_phone_is_proposed(client, calendar, odoo, phone):
    """Both sides changed the same occurrence before a sync: the phone's
    version waits for the planner, as any conflict in proposal mode."""
    master, instance = weekly(client, calendar, odoo)
    changed = odoo.create(
        summary="Bureau",
        series_key=master,
        original_start=at(10),
        start=at(10),
        end=at(10) + timedelta(hours=1),
    )
    moved_on_the_phone(phone, calendar, instance, "Téléphone")
    report = run(client, calendar, odoo, proposals=True)
    assert kinds(report) == [("propose", "done")]
    assert odoo.rdvs[changed].summary == "Bureau"
    assert odoo.proposals[changed]["proposed"].summary == "Téléphone"
    assert phone.get_event(calendar, instance)["summary"] == "Téléphone"
    odoo.refuse(changed)
    run(client, calendar, odoo, proposals=True)
    assert phone.get_event(calendar, instance)["summary"] == "Bureau"
