"""The planner stays in control (sync/proposals.py), whole syncs against the
emulator: a finished RDV is never changed from Google, in either mode; in
proposal mode a change of the appointment waits for the planner, who accepts
it (the RDV moves) or refuses it (the event is put back), and the
technician's notes still come in at once."""

from datetime import timedelta

from sync.actions import Kind, Policy, Remote
from sync.cycle import sync_calendar
from sync.proposals import FINISHED, SERIES, appointment_changed, keep_control
from sync.rdv import Rdv
from sync.state import PairState
from sync_helpers import at, settings


def run(client, calendar, odoo, **kwargs):
    """One sync with the test settings."""
    return sync_calendar(client, calendar, odoo, settings(**kwargs))


def kinds(report):
    """Sorted (kind, outcome) pairs of a report."""
    return sorted((r.action.kind.value, r.outcome.value) for r in report.results)


def synced_rdv(client, calendar, odoo, phone, **fields):
    """An RDV pushed to Google: (key, its event)."""
    key = odoo.create(**fields)
    run(client, calendar, odoo)
    return key, phone.get_event(calendar, odoo.states[key].event_id)


def move(phone, calendar, event, day, summary=None):
    """The technician moves ``event`` to 10:00 on ``day`` of June."""
    body = {
        "start": {"dateTime": at(day, 10).isoformat()},
        "end": {"dateTime": at(day, 11).isoformat()},
    }
    if summary:
        body["summary"] = summary
    return phone.patch_event(calendar, event["id"], body)


# -- always: a finished RDV ----------------------------------------------------------
def test_a_done_rdv_moved_on_the_phone_is_put_back_with_a_note(client, calendar, odoo, phone):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Ramonage", start=at(3))
    odoo.edit(key, state="done")
    run(client, calendar, odoo)
    moved = move(phone, calendar, event, 6, "Ramonage (déplacé)")
    report = run(client, calendar, odoo)
    assert kinds(report) == [("update_remote", "done")]
    rdv = odoo.rdvs[key]
    assert (rdv.start, rdv.summary, rdv.state) == (at(3), "Ramonage", "done")
    back = phone.get_event(calendar, event["id"])
    assert back["summary"] == "Ramonage" and back["start"]["dateTime"].startswith("2024-06-03")
    assert back["etag"] != moved["etag"]
    ((_key, conflict),) = odoo.conflicts
    assert conflict.reason == FINISHED and conflict.loser_rdv.summary == "Ramonage (déplacé)"
    assert run(client, calendar, odoo).results == ()


def test_a_done_rdv_deleted_on_the_phone_is_restored(client, calendar, odoo, phone):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Entretien", start=at(4))
    odoo.edit(key, state="done")
    run(client, calendar, odoo)
    phone.delete_event(calendar, event["id"])
    report = run(client, calendar, odoo)
    assert kinds(report) == [("update_remote", "done")]
    assert odoo.rdvs[key].state == "done"
    assert phone.get_event(calendar, event["id"])["status"] == "confirmed"
    assert odoo.conflicts[0][1].reason == FINISHED


def test_a_cancelled_rdv_is_not_reopened_from_google(client, calendar, odoo, phone):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Visite", start=at(5))
    odoo.edit(key, state="cancel")
    run(client, calendar, odoo)
    assert phone.get_event(calendar, event["id"])["status"] == "cancelled"
    phone.patch_event(calendar, event["id"], {"status": "confirmed", "summary": "Revenu"})
    report = run(client, calendar, odoo)
    assert kinds(report) == [("cancel_remote", "done")]
    assert odoo.rdvs[key].state == "cancel" and odoo.rdvs[key].summary == "Visite"
    assert phone.get_event(calendar, event["id"])["status"] == "cancelled"


def test_a_put_back_over_a_newer_phone_edit_is_decided_again(client, calendar, odoo, phone):
    """The put back carries the etag listed; an edit made meanwhile is a 412,
    read again and put back too: the RDV never moves."""
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Fini", start=at(7))
    odoo.edit(key, state="done")
    run(client, calendar, odoo)
    move(phone, calendar, event, 8)
    real = client.write_events

    def edit_first(calendar_id, writes):
        move(phone, calendar, event, 9, "Encore")
        client.write_events = real
        return real(calendar_id, writes)

    client.write_events = edit_first
    run(client, calendar, odoo)
    assert odoo.rdvs[key].start == at(7)
    back = phone.get_event(calendar, event["id"])
    assert back["summary"] == "Fini" and back["start"]["dateTime"].startswith("2024-06-07")


# -- proposal mode ----------------------------------------------------------------------
def test_a_phone_move_is_proposed_then_accepted(client, calendar, odoo, phone):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Pose", start=at(10))
    move(phone, calendar, event, 11, "Pose (proposée)")
    report = run(client, calendar, odoo, proposals=True)
    assert kinds(report) == [("propose", "done")]
    assert odoo.rdvs[key].start == at(10) and odoo.rdvs[key].summary == "Pose"
    proposal = odoo.proposals[key]
    assert proposal["proposed"].start == at(11, 10)
    assert proposal["held"].start == at(10)
    assert run(client, calendar, odoo, proposals=True).results == (), "proposed once"
    assert phone.get_event(calendar, event["id"])["summary"] == "Pose (proposée)"
    odoo.accept(key)
    assert kinds(run(client, calendar, odoo, proposals=True)) == [("update_remote", "done")]
    assert odoo.rdvs[key].start == at(11, 10)
    assert phone.get_event(calendar, event["id"])["summary"] == "Pose (proposée)"
    assert run(client, calendar, odoo, proposals=True).results == ()


def test_a_refused_proposal_puts_the_event_back(client, calendar, odoo, phone):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Devis", start=at(12))
    move(phone, calendar, event, 13)
    run(client, calendar, odoo, proposals=True)
    odoo.refuse(key)
    assert kinds(run(client, calendar, odoo, proposals=True)) == [("update_remote", "done")]
    back = phone.get_event(calendar, event["id"])
    assert back["start"]["dateTime"].startswith("2024-06-12")
    assert "[refused" in back["description"]
    assert odoo.rdvs[key].start == at(12)


def test_a_phone_edit_after_a_refusal_is_a_new_proposal_not_overwritten(
    client, calendar, odoo, phone
):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Révision", start=at(14))
    move(phone, calendar, event, 15)
    run(client, calendar, odoo, proposals=True)
    odoo.refuse(key)
    move(phone, calendar, event, 16, "Révision bis")
    report = run(client, calendar, odoo, proposals=True)
    assert kinds(report) == [("propose", "done")]
    assert odoo.proposals[key]["proposed"].summary == "Révision bis"
    assert phone.get_event(calendar, event["id"])["summary"] == "Révision bis"
    assert odoo.rdvs[key].start == at(14)


def test_a_newer_proposal_replaces_the_pending_one(client, calendar, odoo, phone):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Contrôle", start=at(17))
    move(phone, calendar, event, 18, "Un")
    run(client, calendar, odoo, proposals=True)
    move(phone, calendar, event, 19, "Deux")
    run(client, calendar, odoo, proposals=True)
    assert odoo.proposals[key]["proposed"].summary == "Deux"
    assert odoo.proposals[key]["held"].summary == "Contrôle"


def test_a_phone_deletion_is_proposed(client, calendar, odoo, phone):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Dépannage", start=at(20))
    phone.delete_event(calendar, event["id"])
    assert kinds(run(client, calendar, odoo, proposals=True)) == [("propose", "done")]
    assert odoo.rdvs[key].state == "confirm"
    assert odoo.proposals[key]["proposed"] is None
    odoo.refuse(key)
    run(client, calendar, odoo, proposals=True)
    assert phone.get_event(calendar, event["id"])["status"] == "confirmed"


def test_an_accepted_deletion_cancels_the_rdv(client, calendar, odoo, phone):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Annulable", start=at(21))
    phone.delete_event(calendar, event["id"])
    run(client, calendar, odoo, proposals=True)
    odoo.accept(key)
    run(client, calendar, odoo, proposals=True)
    assert odoo.rdvs[key].state == "cancel"
    assert phone.get_event(calendar, event["id"])["status"] == "cancelled"
    assert run(client, calendar, odoo, proposals=True).results == ()


def test_the_technicians_notes_come_in_at_once(client, calendar, odoo, phone):
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Notes", start=at(22))
    phone.patch_event(calendar, event["id"], {"description": "Code portail 1234"})
    assert kinds(run(client, calendar, odoo, proposals=True)) == [("update_local", "done")]
    assert odoo.rdvs[key].description == "Code portail 1234"
    assert key not in odoo.proposals


def test_an_event_made_on_the_phone_is_a_draft_to_confirm(client, calendar, odoo, phone):
    event = phone.insert_event(
        calendar,
        {
            "summary": "Nouveau client",
            "start": {"dateTime": at(23, 9).isoformat()},
            "end": {"dateTime": at(23, 10).isoformat()},
        },
    )
    report = run(client, calendar, odoo, proposals=True)
    assert kinds(report) == [("claim_remote", "done"), ("create_local", "done")]
    key = report.results[0].key
    assert odoo.rdvs[key].state == "draft" and odoo.proposals[key]["creation"]
    run(client, calendar, odoo, proposals=True)  # the draft's block and status go to Google
    odoo.accept(key)
    run(client, calendar, odoo, proposals=True)
    assert odoo.rdvs[key].state == "confirm"
    assert phone.get_event(calendar, event["id"])["status"] == "confirmed"


def test_a_conflict_in_proposal_mode_is_a_proposal(client, calendar, odoo, phone):
    """Both sides changed: the phone's version is kept for the planner, the
    event is not overwritten, whatever the conflict policy."""
    key, event = synced_rdv(client, calendar, odoo, phone, summary="Les deux", start=at(24))
    odoo.edit(key, summary="Bureau")
    move(phone, calendar, event, 25, "Téléphone")
    report = run(client, calendar, odoo, proposals=True, policy=Policy.ODOO)
    assert kinds(report) == [("propose", "done")]
    assert odoo.rdvs[key].summary == "Bureau"
    assert phone.get_event(calendar, event["id"])["summary"] == "Téléphone"
    odoo.refuse(key)
    run(client, calendar, odoo, proposals=True)
    assert phone.get_event(calendar, event["id"])["summary"] == "Bureau"


def test_a_postponed_rdv_changed_on_the_phone_is_put_back_in_proposal_mode(
    client, calendar, odoo, phone
):
    """Postponed in Odoo and edited on the phone before a sync: the RDV is
    not re-opened from Google, whatever the policy; Google shows it cancelled."""
    for policy in (Policy.ODOO, Policy.GOOGLE):
        key, event = synced_rdv(client, calendar, odoo, phone, summary="Reporté", start=at(26))
        odoo.edit(key, state="postponed")
        phone.patch_event(calendar, event["id"], {"summary": "Repris"})
        report = run(client, calendar, odoo, proposals=True, policy=policy)
        assert kinds(report) == [("cancel_remote", "done")], policy
        assert odoo.rdvs[key].state == "postponed" and odoo.rdvs[key].summary == "Reporté"
        assert phone.get_event(calendar, event["id"])["status"] == "cancelled"
        assert key not in odoo.proposals
        assert odoo.conflicts[-1][1].loser_rdv.summary == "Repris"
        assert run(client, calendar, odoo, proposals=True, policy=policy).results == ()


def test_a_series_changed_in_google_is_put_back_in_proposal_mode(client, calendar, odoo, phone):
    key, event = synced_rdv(
        client,
        calendar,
        odoo,
        phone,
        summary="Contrat",
        start=at(3, 8),
        recurrence=("RRULE:FREQ=WEEKLY;COUNT=3",),
    )
    phone.patch_event(calendar, event["id"], {"summary": "Contrat changé"})
    report = run(client, calendar, odoo, proposals=True)
    assert kinds(report) == [("update_remote", "done")]
    assert odoo.rdvs[key].summary == "Contrat"
    assert odoo.conflicts[0][1].reason == SERIES


# -- the rules alone ---------------------------------------------------------------------
def test_only_the_appointment_is_proposed():
    held = Rdv(key="1", summary="A", start=at(3), end=at(3, 10), description="x")
    assert not appointment_changed(held, Rdv(key=None, **_same(held, description="notes")))
    assert appointment_changed(held, Rdv(key=None, **_same(held, location="Lyon")))
    assert appointment_changed(held, Rdv(key=None, **_same(held, end=at(3, 11))))
    assert appointment_changed(held, None)
    assert not appointment_changed(Rdv(key="1", state="cancel"), None)


def _same(rdv, **changes):
    fields = {
        "summary": rdv.summary,
        "start": rdv.start,
        "end": rdv.end,
        "description": rdv.description,
    }
    fields.update(changes)
    return fields


def test_a_pull_on_a_finished_rdv_becomes_a_push_with_the_events_etag():
    local = Rdv(key="1", summary="A", start=at(3), end=at(3) + timedelta(hours=1), state="done")
    state = PairState("1", "ev1", '"1"', "h")
    moved = Rdv(key=None, summary="B", start=at(4), end=at(4) + timedelta(hours=1))
    remote = Remote("ev1", {"id": "ev1"}, moved, '"2"', "h2")
    pulled = _pull_of(remote)
    action = keep_control(settings(), state, local, remote, pulled)
    assert (action.kind, action.etag, action.rdv) == (Kind.UPDATE_REMOTE, '"2"', local)
    assert action.conflict.reason == FINISHED and action.conflict.loser_rdv == moved


def _pull_of(remote):
    from sync.actions import Action  # pylint: disable=import-outside-toplevel

    return Action(Kind.UPDATE_LOCAL, "1", remote.event_id, rdv=remote.rdv, etag=remote.etag)
