"""The system tier's judging of proposals and done RDVs (tools/system_tier/verdicts.py)
on inputs built to break each invariant: a change on a proposing technician's phone that
is neither a proposal, nor superseded by a later change of that phone, nor put back on a
finished RDV is a lost proposal; an RDV holding a proposing phone's version no planner
accepted moved without an acceptance; a done RDV that no longer holds, on either side,
what it held when marked done was changed."""

from datetime import datetime, timezone

from tools.system_tier.ledger import Edit
from tools.system_tier.verdicts import (
    EditCheck,
    accepted_not_applied,
    changed_done,
    proposal_figures,
    put_back,
    unaccepted_moves,
)

START = datetime(2026, 12, 10, 9, 0, tzinfo=timezone.utc)
LATER = datetime(2026, 12, 11, 14, 0, tzinfo=timezone.utc)


def rdv(name, state="confirm", date="2026-12-10 09:00:00"):
    return {"name": name, "state": state, "date": date}


def proposal(name, state="pending", kind="change"):
    return {"state": state, "kind": kind, "proposed_name": name}


def phone(seq, kind, rid, base="ST-o00001", event="ev", start=LATER, proposed=True):
    title = None if kind == "delete" else "ST-g%05d" % seq
    return Edit(
        seq,
        "google",
        kind,
        title,
        rdv_id=rid,
        tech=1,
        event_id=event,
        base=base,
        start=None if kind == "delete" else start,
        proposed=proposed,
    )


def planner(seq, rid, start=START):
    return Edit(seq, "odoo", "move", "ST-o%05d" % seq, rdv_id=rid, start=start)


def verdict(edit, rdvs, edits=None, proposals=None, bodies=None):
    check = EditCheck(edits or [edit], rdvs, bodies or {}, {}, {}, (), proposals or {})
    return check.verdict(edit)


# ------------------------------------------------------------- lost proposals


def test_a_proposing_phone_change_is_kept_as_a_proposal_in_any_state():
    move = phone(5, "move", 1)
    rdvs = {1: rdv("ST-o00001")}
    for state in ("pending", "outdated", "accepted", "refused", "replaced"):
        assert verdict(move, rdvs, proposals={1: [proposal("ST-g00005", state)]}) == "kept"
    # no proposal of it: lost, though the RDV's chatter names it (the proposal's note
    # is no proposal, and a live RDV puts nothing back)
    bodies = {1: "Change proposed from Google Calendar: ST-g00005"}
    assert verdict(move, rdvs, bodies=bodies) == "lost"
    # another change's proposal is not this one's
    assert verdict(move, rdvs, proposals={1: [proposal("ST-g00004")]}) == "lost"


def test_a_proposing_phone_change_superseded_by_the_same_phone_is_kept():
    first = phone(5, "move", 1)
    second = phone(7, "move", 1, base="ST-g00005")
    rdvs = {1: rdv("ST-o00001")}
    proposals = {1: [proposal("ST-g00007")]}
    assert verdict(first, rdvs, edits=[first, second], proposals=proposals) == "kept"
    check = EditCheck([first, second], rdvs, {}, {}, {}, (), proposals)
    assert check.proposal_outcome(first, rdvs[1]) == "superseded"
    assert check.proposal_outcome(second, rdvs[1]) == "proposal"
    # another technician's phone does not supersede it
    other = Edit(
        7, "google", "move", "ST-g00007", rdv_id=1, tech=0, event_id="e0", base="ST-g00005"
    )
    assert verdict(first, rdvs, edits=[first, other], proposals=proposals) == "lost"


def test_a_proposing_phone_change_on_a_finished_rdv_is_put_back():
    move = phone(5, "move", 1)
    bodies = {1: "not kept: ST-g00005"}
    assert verdict(move, {1: rdv("ST-o00001", "done")}, bodies=bodies) == "kept"
    assert verdict(move, {1: rdv("ST-o00001", "cancel")}, bodies=bodies) == "kept"
    assert verdict(move, {1: rdv("ST-o00001", "done")}) == "lost"


def test_a_proposing_phone_deletion_is_a_cancellation_proposed():
    delete = phone(5, "delete", 1)
    rdvs = {1: rdv("ST-o00001")}
    assert verdict(delete, rdvs, proposals={1: [proposal(None, "refused", "cancel")]}) == "kept"
    assert verdict(delete, rdvs, proposals={1: [proposal("ST-g00003")]}) == "lost"
    assert verdict(delete, rdvs) == "lost"
    # a done RDV: put back
    assert verdict(delete, {1: rdv("ST-o00001", "done")}) == "kept"


def test_a_proposing_phone_creation_is_a_new_rdv_proposed():
    create = phone(5, "create", 2, base=None)
    assert (
        verdict(
            create,
            {2: rdv("ST-g00005", "draft")},
            proposals={2: [proposal("ST-g00005", "pending", "creation")]},
        )
        == "kept"
    )
    assert verdict(create, {2: rdv("ST-g00005", "draft")}) == "lost"
    # never linked, deleted on the phone before any sync: nothing to propose
    unlinked = phone(5, "create", None, base=None)
    gone = phone(6, "delete", None, base="ST-g00005")
    assert verdict(unlinked, {}, edits=[unlinked, gone]) == "kept"
    assert verdict(unlinked, {}, edits=[unlinked]) == "lost"


def test_an_applied_phone_deletion_of_a_done_rdv_is_put_back():
    delete = phone(5, "delete", 1, proposed=False)
    assert verdict(delete, {1: rdv("ST-o00001", "done")}) == "kept"
    assert verdict(delete, {1: rdv("ST-o00001")}) == "lost"


# ------------------------------------------------------------- moved without acceptance


def test_an_rdv_holds_a_proposing_phone_version_only_once_accepted():
    create = planner(1, 1)
    move = phone(5, "move", 1)
    edits = [create, move]
    moved = {1: rdv("ST-g00005", date="2026-12-11 14:00:00")}
    assert len(unaccepted_moves(moved, edits, {}, [1])) == 1
    assert len(unaccepted_moves(moved, edits, {1: [proposal("ST-g00005", "refused")]}, [1])) == 1
    assert unaccepted_moves(moved, edits, {1: [proposal("ST-g00005", "accepted")]}, [1]) == []
    # the planner's own version
    assert unaccepted_moves({1: rdv("ST-o00001")}, edits, {}, [1]) == []
    # an event created then moved on the phone before any sync: the RDV is made from
    # the moved version, its creation proposed (whatever the planner decided)
    made = {1: rdv("ST-g00005", "cancel", date="2026-12-11 14:00:00")}
    creation = {1: [proposal("ST-g00005", "refused", "creation")]}
    assert unaccepted_moves(made, [move], creation, [1]) == []
    # an RDV of technicians who apply their changes is not judged here
    assert unaccepted_moves(moved, edits, {}, []) == []


def test_an_rdv_whose_start_is_not_its_title_version_start_moved():
    create = planner(1, 1)
    failures = unaccepted_moves(
        {1: rdv("ST-o00001", date="2026-12-11 14:00:00")}, [create], {}, [1]
    )
    assert len(failures) == 1 and failures[0][0] == 1 and "was written at" in failures[0][1]
    # an accepted proposal's title with the phone's start
    move = phone(5, "move", 1)
    accepted = {1: [proposal("ST-g00005", "accepted")]}
    wrong = {1: rdv("ST-g00005", date="2026-12-10 09:00:00")}
    assert len(unaccepted_moves(wrong, [create, move], accepted, [1])) == 1


# ------------------------------------------------------------- done RDVs


def test_a_done_rdv_keeps_what_it_held_on_both_sides():
    done = {1: {"name": "ST-o00001", "date": "2026-12-10 09:00:00", "when": 10.0}}
    kept = {1: rdv("ST-o00001", "done")}
    event = {1: [("tech2", "ST-o00001", "2026-12-10T10:00:00+01:00")]}
    assert changed_done(done, kept, event) == []
    # moved in Odoo, or its state changed
    assert len(changed_done(done, {1: rdv("ST-g00005", "done")})) == 1
    assert len(changed_done(done, {1: rdv("ST-o00001", "confirm")})) == 1
    # Odoo kept it, a calendar shows the phone's version
    phone_shows = {1: [("tech2", "ST-g00005", "2026-12-11T15:00:00+01:00")]}
    assert len(changed_done(done, kept, phone_shows)) == 1
    assert len(changed_done(done, {})) == 1


def test_phone_changes_after_done_are_the_ones_put_back():
    done = {1: {"name": "ST-o00001", "date": "2026-12-10 09:00:00", "when": 10.0}}
    before, after, elsewhere = phone(5, "move", 1), phone(6, "delete", 1), phone(7, "move", 2)
    before.when, after.when, elsewhere.when = 5.0, 15.0, 15.0
    assert put_back(done, [before, after, elsewhere, planner(8, 1)]) == [after]


def test_proposal_figures_count_by_state():
    rows = [proposal("a"), proposal("b", "accepted"), proposal("c", "accepted")]
    assert proposal_figures(rows) == {"made": 3, "pending": 1, "accepted": 2}


def test_an_accepted_proposal_is_taken_by_its_rdv():
    accepted = {1: [dict(proposal("ST-g00005", "accepted"), id=7)]}
    assert accepted_not_applied(accepted, {1: rdv("ST-g00005")}, {}) == []
    # taken, then changed by a planner: the name tracking shows it written
    assert accepted_not_applied(accepted, {1: rdv("ST-o00009")}, {1: {"ST-g00005"}}) == []
    # the proposal accepted, the RDV never wrote it (an acceptance half done)
    failures = accepted_not_applied(accepted, {1: rdv("ST-o00001")}, {1: {"ST-o00001"}})
    assert len(failures) == 1 and "proposal 7" in failures[0]
    # refused: nothing to take
    refused = {1: [proposal("ST-g00005", "refused")]}
    assert accepted_not_applied(refused, {1: rdv("ST-o00001")}, {}) == []
    cancel = {1: [proposal(None, "accepted", "cancel")]}
    assert accepted_not_applied(cancel, {1: rdv("ST-o00001", "cancel")}, {}) == []
    assert len(accepted_not_applied(cancel, {1: rdv("ST-o00001")}, {})) == 1
    creation = {1: [proposal("ST-g00005", "accepted", "creation")]}
    assert accepted_not_applied(creation, {1: rdv("ST-g00005")}, {}) == []
    assert len(accepted_not_applied(creation, {1: rdv("ST-g00005", "draft")}, {})) == 1
