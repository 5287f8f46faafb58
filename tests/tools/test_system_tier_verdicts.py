"""The system tier's judging (tools/system_tier/verdicts.py) on inputs built to break
each invariant: an interrupted edit the database shows is judged, not excused; only one
neither side shows is unresolved, and too many fail the run; a deletion is judged by the
RDV's state, never by the words of a message; too few edits, kills or faults, or too
many workload errors, fail the run."""

import pytest

from tools.system_tier.ledger import Edit
from tools.system_tier.verdicts import (
    OTHER_ERRORS_MAX,
    UNRESOLVED_PER_RESTART,
    EditCheck,
    bound_failures,
    title_seq,
)


def rdv(name, state="confirm"):
    return {"name": name, "state": state}


def verdict(edit, rdvs, edits=None, bodies=None, old=None, new=None, google=()):
    check = EditCheck(edits or [edit], rdvs, bodies or {}, old or {}, new or {}, google)
    return check.verdict(edit)


def odoo(seq, kind, rid, uncertain=False):
    return Edit(seq, "odoo", kind, "ST-o%05d" % seq, rdv_id=rid, uncertain=uncertain)


def test_titles_carry_their_number():
    assert title_seq("ST-o00042") == 42 and title_seq("ST-g00007") == 7
    assert title_seq("ST-f00002") == 2  # a technician without a login's first RDVs
    assert title_seq("Dentist") is None and title_seq(None) is None


# ------------------------------------------------------------- interrupted edits


def test_an_interrupted_edit_the_database_shows_is_judged_not_excused():
    edit = odoo(5, "move", 1, uncertain=True)
    # it reached Odoo (the tracking shows it written), and is nowhere now: lost
    assert verdict(edit, {1: rdv("ST-o00009")}, new={1: {"ST-o00005"}}) == "lost"
    # it reached Odoo and is the RDV's title: kept
    assert verdict(edit, {1: rdv("ST-o00005")}) == "kept"
    # it reached Google (a phone listed it), and is nowhere in Odoo: lost
    assert verdict(edit, {1: rdv("ST-o00009")}, google={"ST-o00005"}) == "lost"


def test_an_interrupted_edit_the_tracking_never_shows_was_rolled_back():
    edit = odoo(5, "move", 1, uncertain=True)
    tracking = {1: {"ST-o00002", "ST-o00009"}}
    assert verdict(edit, {1: rdv("ST-o00009")}, new=tracking) == "rolled back"
    # the same edit, not interrupted: lost
    assert verdict(odoo(5, "move", 1), {1: rdv("ST-o00009")}, new=tracking) == "lost"


def test_an_interrupted_edit_neither_side_can_show_is_unresolved():
    edit = odoo(5, "move", 1, uncertain=True)
    assert verdict(edit, {}, google={"ST-o00009"}) == "unresolved"


def test_an_interrupted_cancel_that_reached_odoo_is_judged_by_state():
    edit = odoo(5, "cancel", 1, uncertain=True)
    assert verdict(edit, {1: rdv("ST-o00005", "cancel")}) == "kept"
    # its title arrived but the RDV is live again: the cancellation is lost
    assert verdict(edit, {1: rdv("ST-o00005")}) == "lost"


# ------------------------------------------------------------- deletions


def phone_delete(seq, rid, base):
    return Edit(seq, "google", "delete", None, rdv_id=rid, tech=0, event_id="ev", base=base)


def test_a_phone_deletion_is_kept_by_the_rdv_state_not_by_words():
    delete = phone_delete(8, 1, "ST-o00003")
    assert verdict(delete, {1: rdv("ST-o00003", "cancel")}) == "kept"
    # before: a message with "supprim" or "conserv" made any live RDV a kept deletion
    words = {1: "Événement supprimé dans Google, RDV conservé (deleted, not kept)"}
    assert verdict(delete, {1: rdv("ST-o00003")}, bodies=words) == "lost"


def test_a_phone_deletion_overruled_only_by_an_odoo_version_it_never_saw():
    delete = phone_delete(8, 1, "ST-o00003")
    older = odoo(3, "move", 1)
    newer = odoo(6, "move", 1)
    # Odoo changed the RDV after the version the phone deleted: the policy keeps it
    assert verdict(delete, {1: rdv("ST-o00006")}, edits=[older, newer, delete]) == "kept"
    # Odoo holds only what the phone deleted: the deletion is lost
    assert verdict(delete, {1: rdv("ST-o00003")}, edits=[older, delete]) == "lost"
    # another technician's phone changed the shared RDV meanwhile: kept by the policy
    other = Edit(9, "google", "move", "ST-g00009", rdv_id=1, tech=1, event_id="e2", base="x")
    assert verdict(delete, {1: rdv("ST-g00009")}, edits=[older, other, delete]) == "kept"
    # the deleted version was one of the RDVs made before the load, then moved in Odoo
    seeded = phone_delete(22, 1, "ST-f00002")
    moved = odoo(7, "move", 1)
    assert verdict(seeded, {1: rdv("ST-o00007")}, edits=[moved, seeded]) == "kept"
    # ... but not the deleting phone's own earlier edits
    own = Edit(2, "google", "move", "ST-g00002", rdv_id=1, tech=0, event_id="ev", base="x")
    assert verdict(delete, {1: rdv("ST-o00003")}, edits=[own, older, delete]) == "lost"


def test_a_deletion_of_an_event_never_linked():
    delete = phone_delete(8, None, "ST-g00004")
    assert verdict(delete, {}) == "kept"
    assert verdict(delete, {2: rdv("ST-g00004", "cancel")}) == "kept"
    assert verdict(delete, {2: rdv("ST-g00004")}) == "lost"


def test_a_planner_cancellation_is_judged_by_state():
    cancel = odoo(4, "cancel", 1)
    assert verdict(cancel, {1: rdv("ST-o00004", "cancel")}) == "kept"
    assert verdict(cancel, {1: rdv("ST-o00004")}) == "lost"


def test_a_phone_move_is_kept_when_a_later_phone_edit_started_from_it():
    first = Edit(3, "google", "move", "ST-g00003", rdv_id=1, tech=0, event_id="e", base="x")
    second = Edit(
        5, "google", "move", "ST-g00005", rdv_id=1, tech=0, event_id="e", base="ST-g00003"
    )
    assert verdict(first, {1: rdv("ST-g00005")}, edits=[first, second]) == "kept"
    assert verdict(first, {1: rdv("ST-o00009")}, edits=[first]) == "lost"


# ------------------------------------------------------------- the run's bounds

GOOD = {
    "asked_edits": 20,
    "edits": 20,
    "asked_kills": 1,
    "kills": 1,
    "restarts": 1,
    "fault_rate": 0.2,
    "faults": 4,
    "unresolved": UNRESOLVED_PER_RESTART,
    "people": 5,
    "outage_errors": 5,
    "other_errors": OTHER_ERRORS_MAX,
}


def test_a_run_within_its_bounds_passes():
    assert bound_failures(GOOD) == []


@pytest.mark.parametrize(
    "change, words",
    [
        ({"edits": 19}, "19 edits done, 20 asked"),
        ({"kills": 0}, "0 kills done, 1 asked"),
        ({"faults": 0}, "no Google fault injected"),
        ({"unresolved": UNRESOLVED_PER_RESTART + 1}, "interrupted edits neither side shows"),
        ({"outage_errors": 6}, "cut by restarts"),
        ({"other_errors": OTHER_ERRORS_MAX + 1}, "workload errors"),
    ],
)
def test_each_bound_fails_the_run(change, words):
    failures = bound_failures(dict(GOOD, **change))
    assert len(failures) == 1 and words in failures[0]


def test_no_fault_asked_none_required():
    assert bound_failures(dict(GOOD, fault_rate=0.0, faults=0)) == []
