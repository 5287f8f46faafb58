"""Every rule of the plan, without I/O (the same rules run against the emulator
in test_sync_cycle.py)."""

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st
from sync.actions import GONE, UNCHANGED, Kind, Policy, read_remote
from sync.content_hash import CANCELLED_HASH, content_hash
from sync.event_ids import event_id_for, instance_id
from sync.listing import keys_to_fetch
from sync.mapping import PROP_DATABASE, PROP_PUSHED, PROP_RDV, rdv_to_event
from sync.pair import decide_pair
from sync.plan import plan_sync
from sync.rdv import Rdv
from sync.state import PairState
from sync_helpers import DB, at, settings

SETTINGS = settings()
RDV = Rdv("1", summary="Pose", start=at(3), end=at(3, 10), write_date=at(1))


def event(rdv, etag='"2"', event_id=None, updated="2024-06-01T12:00:00Z", **extra):
    """The event Google would list for ``rdv``."""
    body = rdv_to_event(rdv, DB, event_id=event_id or event_id_for(DB, rdv.key))
    body.update(etag=etag, updated=updated, **extra)
    return body


def foreign(event_id="googlemade1", summary="Dentist", **extra):
    """An event created on the phone."""
    body = {
        "id": event_id,
        "etag": '"5"',
        "summary": summary,
        "status": "confirmed",
        "start": {"dateTime": "2024-06-04T09:00:00+02:00"},
        "end": {"dateTime": "2024-06-04T10:00:00+02:00"},
    }
    body.update(extra)
    return body


def tombstone(event_id, etag='"9"', **extra):
    """What Google lists for a deleted event."""
    return dict({"id": event_id, "etag": etag, "status": "cancelled"}, **extra)


def state(rdv=RDV, etag='"1"', event_id=None):
    """The synced state of ``rdv``."""
    return PairState(rdv.key, event_id or event_id_for(DB, rdv.key), etag, content_hash(rdv))


def only(plan):
    """The single action of a plan."""
    assert plan.stopped is None
    assert len(plan.actions) == 1, plan.actions
    return plan.actions[0]


def edited(rdv=RDV, **fields):
    """``rdv`` with new field values."""
    return replace(rdv, **fields)


# -- new on one side ---------------------------------------------------------------
def test_new_rdv_is_created_with_its_deterministic_id():
    action = only(plan_sync({}, {"1": RDV}, [], SETTINGS))
    assert action.kind == Kind.CREATE_REMOTE and action.side == "google"
    assert action.event_id == event_id_for(DB, "1") and action.etag is None
    assert action.state_after(etag='"3"') == PairState(
        "1", action.event_id, '"3"', content_hash(RDV)
    )


def test_new_cancelled_rdv_is_not_created():
    assert plan_sync({}, {"1": edited(state="cancel")}, [], SETTINGS).actions == ()


def test_event_created_in_google_is_created_in_odoo():
    action = only(plan_sync({}, {}, [foreign()], SETTINGS))
    assert action.kind == Kind.CREATE_LOCAL and action.key is None
    assert action.rdv.summary == "Dentist" and action.etag == '"5"'
    assert action.content_hash == content_hash(action.rdv)


def test_event_deleted_before_we_knew_it_is_ignored():
    assert plan_sync({}, {}, [tombstone("googlemade1")], SETTINGS).actions == ()


# -- nothing changed -----------------------------------------------------------------
def test_nothing_changed_nothing_done():
    states = {"1": state()}
    assert plan_sync(states, {}, [], SETTINGS).actions == ()
    assert plan_sync(states, {"1": edited(write_date=at(2))}, [], SETTINGS).actions == ()
    assert plan_sync(states, {}, [event(RDV, etag='"1"')], SETTINGS).actions == ()


def test_new_etag_same_content_records_the_etag():
    action = only(plan_sync({"1": state()}, {}, [event(RDV, etag='"7"')], SETTINGS))
    assert action.kind == Kind.RECORD and action.etag == '"7"' and action.side is None


# -- one side changed ----------------------------------------------------------------
def test_odoo_change_updates_google_with_if_match():
    action = only(plan_sync({"1": state()}, {"1": edited(summary="New")}, [], SETTINGS))
    assert action.kind == Kind.UPDATE_REMOTE and action.etag == '"1"'
    assert action.rdv.summary == "New"


def test_if_match_uses_the_freshest_etag():
    plan = plan_sync(
        {"1": state()}, {"1": edited(summary="New")}, [event(RDV, etag='"7"')], SETTINGS
    )
    assert only(plan).etag == '"7"'


@pytest.mark.parametrize("odoo_state", ["cancel", "postponed"])
def test_odoo_cancel_cancels_the_event(odoo_state):
    action = only(plan_sync({"1": state()}, {"1": edited(state=odoo_state)}, [], SETTINGS))
    assert action.kind == Kind.CANCEL_REMOTE and action.rdv is not None
    assert action.content_hash == CANCELLED_HASH and not action.ends_pair


def test_odoo_unlink_cancels_or_deletes_by_setting():
    cancel = only(plan_sync({"1": state()}, {"1": None}, [], SETTINGS))
    assert cancel.kind == Kind.CANCEL_REMOTE and cancel.rdv is None and cancel.ends_pair
    delete = only(plan_sync({"1": state()}, {"1": None}, [], settings(allow_delete=True)))
    assert delete.kind == Kind.DELETE_REMOTE and delete.etag == '"1"' and delete.ends_pair


def test_unlink_of_an_already_cancelled_pair_forgets_it():
    cancelled = PairState("1", event_id_for(DB, "1"), '"1"', CANCELLED_HASH)
    assert only(plan_sync({"1": cancelled}, {"1": None}, [], SETTINGS)).kind == Kind.FORGET


def test_google_change_updates_odoo():
    action = only(plan_sync({"1": state()}, {}, [event(edited(summary="Moved"))], SETTINGS))
    assert action.kind == Kind.UPDATE_LOCAL and action.key == "1"
    assert action.rdv.key == "1" and action.rdv.summary == "Moved" and action.etag == '"2"'


def test_google_delete_cancels_never_deletes():
    action = only(plan_sync({"1": state()}, {}, [tombstone(event_id_for(DB, "1"))], SETTINGS))
    assert action.kind == Kind.CANCEL_LOCAL and action.content_hash == CANCELLED_HASH


def test_event_missing_from_a_full_listing_is_gone():
    action = only(
        plan_sync(
            {"1": state()}, {"1": RDV}, [], SETTINGS, local_complete=True, remote_complete=True
        )
    )
    assert action.kind == Kind.CANCEL_LOCAL and action.etag is None


# -- both changed -----------------------------------------------------------------------
def test_same_change_on_both_sides_is_no_conflict():
    new = edited(summary="Same")
    action = only(plan_sync({"1": state()}, {"1": new}, [event(new)], SETTINGS))
    assert action.kind == Kind.RECORD and action.conflict is None


def _conflict(policy, local_time, remote_time):
    local = edited(summary="Odoo side", write_date=local_time)
    remote = event(edited(summary="Google side"), updated=remote_time)
    return only(plan_sync({"1": state()}, {"1": local}, [remote], settings(policy=policy)))


def test_conflict_odoo_wins_by_default():
    action = _conflict(Policy.ODOO, at(1), "2030-01-01T00:00:00Z")
    assert action.kind == Kind.UPDATE_REMOTE and action.rdv.summary == "Odoo side"
    assert action.etag == '"2"'
    assert action.conflict.winner == "odoo" and action.conflict.loser_rdv.summary == "Google side"


def test_conflict_google_wins():
    action = _conflict(Policy.GOOGLE, at(20), "2020-01-01T00:00:00Z")
    assert action.kind == Kind.UPDATE_LOCAL and action.rdv.summary == "Google side"
    assert action.conflict.winner == "google" and action.conflict.loser_rdv.summary == "Odoo side"


def test_conflict_most_recent_wins():
    assert (
        _conflict(Policy.RECENT, at(1, 9), "2024-06-01T08:00:00Z").kind == Kind.UPDATE_LOCAL
    )  # Google's 10:00 Paris is later
    assert _conflict(Policy.RECENT, at(1, 11), "2024-06-01T08:00:00Z").kind == Kind.UPDATE_REMOTE
    assert _conflict(Policy.RECENT, None, "2024-06-01T08:00:00Z").kind == Kind.UPDATE_REMOTE


def test_unlinked_in_odoo_but_edited_in_google():
    remote = event(edited(summary="Google side"))
    odoo = only(plan_sync({"1": state()}, {"1": None}, [remote], SETTINGS))
    assert odoo.kind == Kind.CANCEL_REMOTE and odoo.conflict.loser_rdv.summary == "Google side"
    google = only(plan_sync({"1": state()}, {"1": None}, [remote], settings(policy=Policy.GOOGLE)))
    assert google.kind == Kind.CREATE_LOCAL and google.replaces_key == "1"
    assert google.conflict.loser_rdv is None


def test_deleted_in_google_but_edited_in_odoo():
    local = edited(summary="Odoo side")
    gone = tombstone(event_id_for(DB, "1"))
    odoo = only(plan_sync({"1": state()}, {"1": local}, [gone], SETTINGS))
    assert odoo.kind == Kind.UPDATE_REMOTE and odoo.etag == '"9"'  # restores the event
    assert odoo.conflict.loser_rdv.state == "cancel"
    google = only(plan_sync({"1": state()}, {"1": local}, [gone], settings(policy=Policy.GOOGLE)))
    assert google.kind == Kind.CANCEL_LOCAL and google.conflict.loser_rdv == local


def test_deleted_on_both_sides_forgets_the_pair():
    plan = plan_sync({"1": state()}, {"1": None}, [tombstone(event_id_for(DB, "1"))], SETTINGS)
    assert only(plan).kind == Kind.FORGET


# -- pairs lost in a crash, and strangers ------------------------------------------------
def test_event_of_ours_without_state_is_adopted():
    remote = event(RDV)
    assert keys_to_fetch([remote], {}, {}, SETTINGS) == ["1"]
    action = only(plan_sync({}, {"1": RDV}, [remote], SETTINGS))
    assert action.kind == Kind.ADOPT and action.etag == '"2"'


def without_pushed_hash(body):
    """``body`` as a version that did not write the pushed hash left it."""
    private = dict(body["extendedProperties"]["private"])
    private.pop(PROP_PUSHED)
    return dict(body, extendedProperties={"private": private})


def test_event_of_ours_that_differs_is_resolved_like_a_conflict():
    remote = without_pushed_hash(event(RDV))
    action = only(plan_sync({}, {"1": edited(summary="Later")}, [remote], SETTINGS))
    assert action.kind == Kind.UPDATE_REMOTE and action.etag == '"2"'
    assert action.conflict.loser_rdv.summary == "Pose"


def test_lost_link_odoo_changed_since_our_write_is_pushed_without_conflict():
    action = only(plan_sync({}, {"1": edited(summary="Later")}, [event(RDV)], SETTINGS))
    assert action.kind == Kind.UPDATE_REMOTE and action.etag == '"2"'
    assert action.conflict is None


def test_lost_link_phone_edit_since_our_write_is_kept():
    """A kill between Google's answer to our insert and the commit of the link,
    then the technician renames the event: his edit wins, Odoo never changed."""
    remote = event(RDV)
    remote["summary"] = "Pose (client absent)"
    action = only(plan_sync({}, {"1": RDV}, [remote], SETTINGS))
    assert action.kind == Kind.UPDATE_LOCAL and action.conflict is None
    assert action.rdv.summary == "Pose (client absent)"


def test_lost_link_phone_delete_since_our_write_cancels_the_rdv():
    remote = dict(event(RDV), status="cancelled")
    action = only(plan_sync({}, {"1": RDV}, [remote], SETTINGS))
    assert action.kind == Kind.CANCEL_LOCAL and action.conflict is None


def test_lost_link_both_changed_is_a_conflict():
    remote = event(RDV)
    remote["summary"] = "Pose (client absent)"
    action = only(plan_sync({}, {"1": edited(summary="Later")}, [remote], SETTINGS))
    assert action.kind == Kind.UPDATE_REMOTE and action.conflict is not None


def test_event_of_ours_whose_rdv_is_gone_is_cancelled():
    action = only(plan_sync({}, {"1": None}, [event(RDV)], SETTINGS))
    assert action.kind == Kind.CANCEL_REMOTE and action.conflict is not None


# -- a database restored from an older backup: ids given again -----------------------------
BORN, REBORN = "2024-05-01T08:00:00", "2024-05-02T08:00:00"


def test_an_id_without_stamp_is_named_as_before():
    """Events made before stamps existed keep their ids: none is rewritten."""
    assert event_id_for(DB, "1") == event_id_for(DB, "1", None) == "rsck4bra1ba3rrm5icvj5sl9ao"
    assert event_id_for(DB, "1", BORN) not in (event_id_for(DB, "1"), event_id_for(DB, "1", REBORN))


def test_an_rdv_never_adopts_the_event_made_for_another_rdv_with_its_key():
    """RDV 1 was lost with the backup, its event edited on the phone since; the
    restored database gave key 1 again to a new RDV."""
    lost = replace(RDV, stamp=BORN)
    remote = event(lost, event_id=event_id_for(DB, "1", BORN))
    remote["summary"] = "Pose (moved on the phone)"
    new = Rdv("1", summary="Other", start=at(5), end=at(5, 10), stamp=REBORN)
    assert keys_to_fetch([remote], {}, {}, SETTINGS) == ["1"]
    plan = plan_sync({}, {"1": new}, [remote], SETTINGS)
    by_kind = {action.kind: action for action in plan.actions}
    assert sorted(by_kind) == [Kind.CREATE_LOCAL, Kind.CREATE_REMOTE], plan.actions
    back = by_kind[Kind.CREATE_LOCAL]
    assert back.reborn == "1" and back.conflict is None and back.key is None
    assert back.rdv.summary == "Pose (moved on the phone)"
    insert = by_kind[Kind.CREATE_REMOTE]
    assert insert.key == "1" and insert.event_id == event_id_for(DB, "1", REBORN)
    assert insert.event_id != remote["id"] and insert.conflict is None


def test_an_event_of_a_key_the_database_never_gave_comes_back():
    remote = event(replace(RDV, stamp=BORN), event_id=event_id_for(DB, "1", BORN))
    back = only(plan_sync({}, {"1": None}, [remote], SETTINGS, lost={"1"}))
    assert back.kind == Kind.CREATE_LOCAL and back.reborn == "1" and back.conflict is None
    cancelled = dict(remote, status="cancelled")
    assert plan_sync({}, {"1": None}, [cancelled], SETTINGS, lost={"1"}).actions == ()


def test_a_stamped_event_of_the_same_rdv_is_adopted():
    own = replace(RDV, stamp=BORN)
    action = only(plan_sync({}, {"1": own}, [event(own)], SETTINGS))
    assert action.kind == Kind.ADOPT


def test_an_event_without_stamp_stays_the_pair_of_its_rdv():
    """Written before stamps existed: its RDV, stamped now, adopts it, and a
    synced pair is left alone (no false conflict, no write)."""
    stamped = replace(RDV, stamp=BORN)
    assert only(plan_sync({}, {"1": stamped}, [event(RDV)], SETTINGS)).kind == Kind.ADOPT
    assert (
        plan_sync({"1": state()}, {"1": stamped}, [event(RDV, etag='"1"')], SETTINGS).actions == ()
    )


def test_event_of_ours_not_looked_up_is_skipped():
    assert only(plan_sync({}, {}, [event(RDV)], SETTINGS)).kind == Kind.SKIP


def test_event_of_another_database_is_left_alone():
    body = foreign(extendedProperties={"private": {PROP_DATABASE: "other", PROP_RDV: "1"}})
    action = only(plan_sync({}, {}, [body], SETTINGS))
    assert action.kind == Kind.SKIP and "another database" in action.problems[0]


def test_copy_of_one_of_our_events_becomes_a_new_rdv():
    copy = event(RDV, event_id="copyofone1")
    action = only(plan_sync({"1": state()}, {}, [copy], SETTINGS))
    assert action.kind == Kind.CREATE_LOCAL


def test_bad_event_is_reported_and_the_others_sync():
    bad = foreign("badevent1", start={"dateTime": "yesterday"})
    plan = plan_sync({}, {}, [bad, foreign("goodevent1")], SETTINGS)
    kinds = sorted((a.kind.value, a.event_id) for a in plan.actions)
    assert kinds == [("create_local", "goodevent1"), ("skip", "badevent1")]
    assert plan_sync({}, {}, [{"summary": "no id"}], SETTINGS).actions[0].kind == Kind.SKIP


# -- series and exceptions -------------------------------------------------------------
MASTER = Rdv(
    "10", summary="Entretien", start=at(3), end=at(3, 10), recurrence=("RRULE:FREQ=WEEKLY;COUNT=5",)
)


def test_new_odoo_exception_targets_the_google_occurrence():
    moved = Rdv(
        "11",
        summary="Entretien",
        start=at(10, 14),
        end=at(10, 15),
        series_key="10",
        original_start=at(10),
    )
    master_state = state(MASTER, event_id="googlemaster")
    action = only(plan_sync({"10": master_state}, {"11": moved}, [], SETTINGS))
    assert action.kind == Kind.CREATE_REMOTE
    assert action.event_id == instance_id("googlemaster", at(10))
    cancelled = replace(moved, state="cancel")
    assert (
        only(plan_sync({"10": master_state}, {"11": cancelled}, [], SETTINGS)).kind
        == Kind.CREATE_REMOTE
    )


def test_google_exception_of_a_known_series():
    master_id = event_id_for(DB, "10")
    occurrence = event(
        replace(MASTER, start=at(10, 14), end=at(10, 15), recurrence=()),
        event_id=instance_id(master_id, at(10)),
        recurringEventId=master_id,
        originalStartTime={"dateTime": "2024-06-10T09:00:00+02:00", "timeZone": "Europe/Paris"},
    )
    # the occurrence inherited the master's private properties: it is not "ours"
    assert keys_to_fetch([occurrence], {"10": state(MASTER)}, {}, SETTINGS) == []
    action = only(plan_sync({"10": state(MASTER)}, {}, [occurrence], SETTINGS))
    assert action.kind == Kind.CREATE_LOCAL
    assert action.rdv.series_key == "10" and action.rdv.original_start == at(10)


def test_new_google_series_with_exceptions():
    master = foreign(
        "gseries1",
        recurrence=["RRULE:FREQ=DAILY;COUNT=3"],
        start={"dateTime": "2024-06-04T09:00:00+02:00", "timeZone": "Europe/Paris"},
        end={"dateTime": "2024-06-04T10:00:00+02:00", "timeZone": "Europe/Paris"},
    )
    gone = tombstone(
        "gseries1_20240605T070000Z",
        recurringEventId="gseries1",
        originalStartTime={"dateTime": "2024-06-05T09:00:00+02:00"},
    )
    plan = plan_sync({}, {}, [master, gone], SETTINGS)
    kinds = {a.event_id: a for a in plan.actions}
    assert kinds["gseries1"].kind == Kind.CREATE_LOCAL and kinds["gseries1"].rdv.is_series
    occurrence = kinds["gseries1_20240605T070000Z"]
    assert occurrence.kind == Kind.CREATE_LOCAL and occurrence.series_event_id == "gseries1"
    assert occurrence.rdv.state == "cancel"


def test_exception_of_an_unknown_or_dead_series():
    stray = foreign(
        "strays1_20240605", recurringEventId="strays1", originalStartTime={"date": "2024-06-05"}
    )
    assert only(plan_sync({}, {}, [stray], SETTINGS)).kind == Kind.SKIP
    stray_gone = tombstone(
        "strays1_20240605", recurringEventId="strays1", originalStartTime={"date": "2024-06-05"}
    )
    assert plan_sync({}, {}, [stray_gone], SETTINGS).actions == ()


# -- the empty-side guard ------------------------------------------------------------------
def _five():
    rdvs = [Rdv(str(k), summary="R%d" % k, start=at(k), end=at(k, 10)) for k in range(1, 6)]
    return rdvs, {r.key: state(r) for r in rdvs}


def test_google_suddenly_empty_stops_the_sync():
    rdvs, states = _five()
    gone = [tombstone(event_id_for(DB, r.key)) for r in rdvs]
    plan = plan_sync(states, {}, gone, SETTINGS)
    assert plan.stopped and "Google looks empty" in plan.stopped and plan.actions == ()
    full = plan_sync(
        states, {r.key: r for r in rdvs}, [], SETTINGS, local_complete=True, remote_complete=True
    )
    assert full.stopped
    forced = plan_sync(states, {}, gone, SETTINGS, force=True)
    assert [a.kind for a in forced.actions] == [Kind.CANCEL_LOCAL] * 5


def test_odoo_suddenly_empty_stops_the_sync():
    rdvs, states = _five()
    plan = plan_sync(
        states,
        {},
        [event(r, etag='"1"') for r in rdvs],
        SETTINGS,
        local_complete=True,
        remote_complete=True,
    )
    assert plan.stopped and "Odoo looks empty" in plan.stopped


def test_guard_lets_small_or_partial_deletions_through():
    rdvs, states = _five()
    some = [tombstone(event_id_for(DB, r.key)) for r in rdvs[:4]]
    assert len(plan_sync(states, {}, some, SETTINGS).actions) == 4
    few = {k: states[k] for k in ("1", "2", "3", "4")}
    assert not plan_sync(few, {}, some, SETTINGS).stopped
    half = plan_sync(states, {}, some, settings(guard_ratio=0.5))
    assert half.stopped


# -- decide_pair directly -------------------------------------------------------------------
def test_decide_pair_markers():
    assert decide_pair(SETTINGS, "1", state(), UNCHANGED, UNCHANGED) is None
    assert decide_pair(SETTINGS, "1", state(), UNCHANGED, GONE).kind == Kind.CANCEL_LOCAL
    remote = read_remote(event(RDV, etag='"1"'), SETTINGS)
    assert decide_pair(SETTINGS, "1", state(), RDV, remote) is None


def test_replanning_after_applying_is_quiet():
    """Applying each action's state makes the next plan empty (no ping-pong)."""
    local = edited(summary="Odoo side", start=at(3) + timedelta(hours=1))
    plan = plan_sync({"1": state()}, {"1": local}, [], SETTINGS)
    new_state = only(plan).state_after(etag='"8"')
    after = plan_sync({"1": new_state}, {"1": local}, [event(local, etag='"8"')], SETTINGS)
    assert after.actions == ()


# -- whatever Google sends, the plan never raises ----------------------------------------------
_ANY = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_EVENT_FIELDS = st.sampled_from(
    [
        "id",
        "etag",
        "status",
        "start",
        "end",
        "summary",
        "recurringEventId",
        "originalStartTime",
        "recurrence",
        "extendedProperties",
        "attendees",
        "updated",
    ]
)


@hyp_settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(_EVENT_FIELDS, _ANY, max_size=8) | _ANY, max_size=6))
def test_plan_survives_any_listing(events):
    states = {"1": state()}
    local = {"1": RDV}
    keys_to_fetch(events, states, local, SETTINGS)
    plan = plan_sync(states, local, events, SETTINGS, remote_complete=True, local_complete=True)
    assert plan.stopped is None
