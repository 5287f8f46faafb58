"""The events invite no one (content hash v3): Google copies an event to each of
its attendees' own calendars, so the technicians invited by the rules before v3
saw every RDV twice or more on their phones. A pair stored by those rules loses
the invitations once, with one write and no conflict; a guest a technician adds
on his phone afterwards is his own: neither pulled nor pushed."""

from dataclasses import replace

from sync.actions import UNCHANGED, Kind, read_remote
from sync.content_hash import content_hash
from sync.cycle import sync_calendar
from sync.event_ids import event_id_for
from sync.mapping import rdv_to_event
from sync.pair import decide_pair, restore_generated
from sync.rdv import Rdv
from sync.state import PairState
from sync_helpers import DB, EMAIL, MemoryOdoo, at, settings

SETTINGS = settings()
TECHS = ("b@example.com", EMAIL)
RDV = Rdv("1", summary="Pose", start=at(3), end=at(3, 10), attendees=TECHS, write_date=at(1))
EVENT_ID = event_id_for(DB, "1")


def old_event(rdv=RDV, etag='"1"', guests=()):
    """The event as the rules before v3 wrote it: the technicians invited."""
    body = rdv_to_event(rdv, DB, event_id=EVENT_ID)
    body["attendees"] = [{"email": email} for email in rdv.attendees + guests]
    body.update(etag=etag, updated="2026-01-01T12:00:00Z")
    return body


def v2_state(etag='"1"'):
    return PairState("1", EVENT_ID, etag, content_hash(RDV, "v2"))


def test_an_old_pair_unchanged_is_pushed_once_without_the_technicians():
    remote = read_remote(old_event(), SETTINGS)
    action = decide_pair(SETTINGS, "1", v2_state(), RDV, remote)
    assert action.kind == Kind.UPDATE_REMOTE and action.conflict is None
    assert action.guests == () and action.etag == '"1"'
    assert action.content_hash == content_hash(RDV) and content_hash(RDV).startswith("v3:")


def test_an_old_pair_not_listed_is_pushed_without_attendees():
    """Not listed: the event is as the last push left it, the technicians
    its only attendees."""
    action = decide_pair(SETTINGS, "1", v2_state(), RDV, UNCHANGED)
    assert action.kind == Kind.UPDATE_REMOTE and action.guests == ()


def test_the_guests_of_the_technician_stay():
    remote = read_remote(old_event(guests=("client@example.org",)), SETTINGS)
    action = decide_pair(SETTINGS, "1", v2_state(), RDV, remote)
    assert action.kind == Kind.UPDATE_REMOTE
    assert [guest["email"] for guest in action.guests] == ["client@example.org"]


def test_an_old_pair_without_invitations_is_left_alone():
    """The technicians had no e-mail, or the event lost them already."""
    body = old_event()
    body["attendees"] = []
    assert decide_pair(SETTINGS, "1", v2_state(), RDV, read_remote(body, SETTINGS)) is None
    plain = replace(RDV, attendees=())
    state = PairState("1", EVENT_ID, '"1"', content_hash(plain, "v2"))
    assert decide_pair(SETTINGS, "1", state, plain, UNCHANGED).guests is None


def test_an_odoo_edit_of_an_old_pair_carries_the_removal():
    moved = replace(RDV, start=at(4), end=at(4, 10))
    action = decide_pair(SETTINGS, "1", v2_state(), moved, read_remote(old_event(), SETTINGS))
    assert action.kind == Kind.UPDATE_REMOTE and action.rdv.start == at(4)
    assert action.guests == () and action.conflict is None


def test_a_phone_edit_of_an_old_pair_is_pulled_then_uninvited():
    phone = old_event(replace(RDV, start=at(5), end=at(5, 10)), etag='"2"')
    action = decide_pair(SETTINGS, "1", v2_state(), RDV, read_remote(phone, SETTINGS))
    assert action.kind == Kind.UPDATE_LOCAL and action.conflict is None
    assert action.guests == ()
    current = replace(RDV, start=at(5), end=at(5, 10))
    push = restore_generated(SETTINGS, action, current)
    assert push.kind == Kind.UPDATE_REMOTE and push.guests == () and push.etag == '"2"'


def test_a_cancelled_rdv_only_cancels():
    """Google cancels the copies with the organizer's event."""
    cancelled = replace(RDV, state="cancel")
    action = decide_pair(SETTINGS, "1", v2_state(), cancelled, read_remote(old_event(), SETTINGS))
    assert action.kind == Kind.CANCEL_REMOTE and action.guests is None


def test_a_guest_added_after_the_upgrade_is_the_technicians():
    """Even a colleague added on the phone: no pull, no push, only recorded."""
    current = PairState("1", EVENT_ID, '"1"', content_hash(RDV))
    body = rdv_to_event(RDV, DB, event_id=EVENT_ID)
    body.update(etag='"2"', attendees=[{"email": "b@example.com"}])
    action = decide_pair(SETTINGS, "1", current, RDV, read_remote(body, SETTINGS))
    assert action.kind == Kind.RECORD and action.guests is None


# -- whole syncs against the emulator -------------------------------------------------
def _as_before_v3(client, calendar, odoo, phone, key):
    """Make the pair of ``key`` what the rules before v3 left: its event
    inviting the technicians, its state stored with a v2 hash."""
    state = odoo.states[key]
    rdv = odoo.rdvs[key]
    event = phone.patch_event(
        calendar, state.event_id, {"attendees": [{"email": e} for e in rdv.attendees]}
    )
    odoo.states[key] = PairState(key, state.event_id, event["etag"], content_hash(rdv, "v2"))
    odoo.token = client.list_changes(calendar, odoo.token).next_sync_token


def test_installed_pairs_heal_with_one_write_each(emu, client, calendar, phone):
    odoo = MemoryOdoo()
    keys = [odoo.create(summary="RDV %d" % n, start=at(3 + n), attendees=TECHS) for n in range(3)]
    sync_calendar(client, calendar, odoo, SETTINGS)
    for key in keys:
        _as_before_v3(client, calendar, odoo, phone, key)
    # one of them moved on the phone meanwhile, with a guest of his own
    moved = odoo.states[keys[0]].event_id
    phone.patch_event(
        calendar,
        moved,
        {
            "start": {"dateTime": at(9).isoformat()},
            "end": {"dateTime": at(9, 10).isoformat()},
            "attendees": [{"email": e} for e in TECHS + ("client@example.org",)],
        },
    )
    # Google copied each event to the technician's primary calendar: a second item
    ids = {odoo.states[key].event_id for key in keys}
    assert ids <= {e["id"] for e in phone.list_events(EMAIL) if e["status"] != "cancelled"}
    emu.clear_log()
    report = sync_calendar(client, calendar, odoo, SETTINGS)
    assert not report.conflicts and not report.pending
    assert not ids & {e["id"] for e in phone.list_events(EMAIL) if e["status"] != "cancelled"}
    assert odoo.rdvs[keys[0]].start == at(9)  # the phone's move, pulled
    for key in keys:
        event = phone.get_event(calendar, odoo.states[key].event_id)
        guests = [a["email"] for a in event.get("attendees", [])]
        assert guests == (["client@example.org"] if key == keys[0] else []), guests
        assert odoo.states[key].content_hash.startswith("v3:")
    writes = [r for r in report.results if r.action.kind == Kind.UPDATE_REMOTE]
    assert len(writes) == 3  # one write per event
    quiet = sync_calendar(client, calendar, odoo, SETTINGS)
    assert quiet.results == ()
