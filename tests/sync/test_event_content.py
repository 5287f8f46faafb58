"""What the technician's event shows (sync/event_content.py), what of it comes
back, and the content hash's versions (a stored v1 hash never makes a
conflict and the RDV is re-sent once)."""

from dataclasses import replace

from sync.actions import Kind, read_remote
from sync.content_hash import CANCELLED_HASH, VERSION, content_hash, is_current, version_of
from sync.event_content import (
    BLOCK_END,
    BLOCK_START,
    COLOR_BY_STATE,
    COLOR_BY_TASK,
    ContentSettings,
    EventSource,
    Labels,
    address_line,
    description,
    event_fields,
    name_after_pull,
    parse_reminders,
    phone_notes_of,
    tel_uri,
    title,
)
from sync.event_ids import event_id_for
from sync.mapping import event_to_rdv, rdv_to_event
from sync.pair import decide_pair
from sync.rdv import Rdv
from sync.state import PairState
from sync_helpers import DB, at, settings

SETTINGS = settings()
SOURCE = EventSource(
    name="Entretien chaudière",
    customer="Famille Durand & fils",
    phone="04 78 12 34 56",
    mobile="+33 (0)6 12 34 56 78",
    country_calling_code=33,
    number="RDV/2026/0042",
    task="Entretien",
    task_id=3,
    technicians=("Sophie",),
    notes="Chien <méchant>",
    url="https://odoo.example.com/odoo/action-openfire_planning.action/42",
    street="12 rue des Lilas",
    zip="69003",
    city="Lyon",
    country="France",
    labels=Labels(customer="Client", phone="Téléphone"),
)


def test_title_adds_the_customer_unless_the_name_says_it():
    assert title("Entretien", "Durand") == "Entretien – Durand"
    assert title("Entretien Durand", "durand") == "Entretien Durand"
    assert title("Entretien", "") == "Entretien"
    assert title("", "Durand") == "Durand"


def test_a_title_edited_on_the_phone_comes_back_without_the_customer():
    assert name_after_pull("Entretien – Durand", "Entretien", "Durand") == "Entretien"
    assert name_after_pull("Ramonage – Durand", "Entretien", "Durand") == "Ramonage"
    assert name_after_pull("Ramonage", "Entretien", "Durand") == "Ramonage"
    assert name_after_pull("Entretien Durand", "Entretien Durand", "Durand") == "Entretien Durand"
    assert name_after_pull("Nouveau", None, "") == "Nouveau"


def test_address_on_one_line_as_google_maps_reads_it():
    assert (
        address_line("12 rue des Lilas", "Bât. B", "69003", "Lyon", "France")
        == "12 rue des Lilas, Bât. B, 69003 Lyon, France"
    )
    assert address_line("", "", "", "Lyon", "") == "Lyon"


def test_phone_numbers_as_tel_uris():
    assert tel_uri("06 12 34 56 78", 33) == "tel:+33612345678"
    assert tel_uri("+33 (0)6.12.34.56.78") == "tel:+33612345678"
    assert tel_uri("0033 6 12 34 56 78") == "tel:+33612345678"
    assert tel_uri("06-12-34-56-78") == "tel:0612345678"
    assert tel_uri("n/a") == ""


def test_description_has_the_notes_then_the_generated_block():
    text = description(replace(SOURCE, phone_notes="Code portail 1234"))
    assert text.startswith("Code portail 1234\n\n" + BLOCK_START)
    assert text.endswith(BLOCK_END)
    assert "Client : Famille Durand &amp; fils" in text
    assert 'Téléphone : <a href="tel:+33478123456">04 78 12 34 56</a>' in text
    assert 'Mobile : <a href="tel:+33612345678">+33 (0)6 12 34 56 78</a>' in text
    for part in (
        "RDV : RDV/2026/0042",
        "Task : Entretien",
        "Other technicians : Sophie",
        "Chien &lt;méchant&gt;",
        '<a href="%s">Open in Odoo</a>' % SOURCE.url,
    ):
        assert part in text, part


def test_only_the_notes_outside_the_block_come_back():
    text = description(replace(SOURCE, phone_notes="Code portail 1234"))
    assert phone_notes_of(text) == "Code portail 1234"
    edited_block = text.replace("Chien", "Chat") + "\nRappeler le client"
    assert phone_notes_of(edited_block) == "Code portail 1234\n\nRappeler le client"
    assert phone_notes_of("Créé sur le téléphone") == "Créé sur le téléphone"
    assert phone_notes_of(BLOCK_START + "\nplus de fin") == ""
    assert phone_notes_of(description(SOURCE)) == ""


def test_colour_by_state_or_task_and_reminders():
    by_state = event_fields(SOURCE, ContentSettings(color_by=COLOR_BY_STATE))
    assert by_state["color_id"] == "9"
    assert (
        event_fields(replace(SOURCE, state="done"), ContentSettings(color_by=COLOR_BY_STATE))[
            "color_id"
        ]
        == "10"
    )
    assert event_fields(SOURCE, ContentSettings(color_by=COLOR_BY_TASK))["color_id"] == "3"
    assert event_fields(SOURCE, ContentSettings())["color_id"] is None
    assert parse_reminders("30, 1440; x, 99999") == (30, 1440)
    fields = event_fields(SOURCE, ContentSettings(reminders=(1440, 30)))
    assert fields["reminders"] == (30, 1440)
    assert (
        event_fields(SOURCE, ContentSettings(customer_in_title=False))["summary"]
        == "Entretien chaudière"
    )


def test_generated_event_round_trips_with_its_colour_and_reminders():
    fields = event_fields(SOURCE, ContentSettings(color_by=COLOR_BY_STATE, reminders=(30,)))
    rdv = Rdv("1", start=at(3), end=at(3, 10), **fields)
    body = rdv_to_event(rdv, DB, event_id=event_id_for(DB, "1"))
    assert body["colorId"] == "9"
    assert body["reminders"] == {
        "useDefault": False,
        "overrides": [{"method": "popup", "minutes": 30}],
    }
    assert body["location"] == "12 rue des Lilas, 69003 Lyon, France"
    back, problems = event_to_rdv(body)
    assert problems == [] and back.color_id == "9"
    assert content_hash(back) == content_hash(rdv)
    assert content_hash(replace(rdv, color_id="5")) != content_hash(rdv)
    assert rdv_to_event(replace(rdv, reminders=None), DB).get("reminders") is None


# -- hash versions ------------------------------------------------------------------
OLD = Rdv(
    "1",
    summary="Entretien",
    description="Chien",
    location="12 rue des Lilas",
    start=at(3),
    end=at(3, 10),
    write_date=at(1),
)
NEW = Rdv(
    "1",
    summary="Entretien – Durand",
    description=description(SOURCE),
    location="12 rue des Lilas, 69003 Lyon, France",
    start=at(3),
    end=at(3, 10),
    color_id="9",
    write_date=at(1),
    previous=OLD,
)


def v1_state(etag='"1"'):
    return PairState("1", event_id_for(DB, "1"), etag, content_hash(OLD, "v1"))


def google(rdv, etag):
    body = rdv_to_event(rdv, DB, event_id=event_id_for(DB, "1"))
    body.update(etag=etag, updated="2026-01-01T12:00:00Z")
    return read_remote(body, SETTINGS)


def test_versions_of_stored_hashes():
    assert version_of(content_hash(OLD, "v1")) == "v1"
    assert version_of(content_hash(OLD)) == VERSION == "v3"
    assert not is_current(content_hash(OLD, "v1"))
    assert is_current(CANCELLED_HASH) and is_current(None)


def test_upgrade_resends_an_rdv_unchanged_on_both_sides():
    action = decide_pair(SETTINGS, "1", v1_state(), NEW, google(OLD, '"2"'))
    assert action.kind == Kind.UPDATE_REMOTE and action.conflict is None
    assert action.rdv == NEW and action.content_hash == content_hash(NEW)
    assert action.etag == '"2"'
    # the same when Google did not list the event (etag unchanged)
    from sync.actions import UNCHANGED

    action = decide_pair(SETTINGS, "1", v1_state(), NEW, UNCHANGED)
    assert action.kind == Kind.UPDATE_REMOTE and action.conflict is None


def test_upgrade_pulls_a_phone_edit_without_a_conflict():
    moved = replace(OLD, start=at(4), end=at(4, 10))
    action = decide_pair(SETTINGS, "1", v1_state(), NEW, google(moved, '"2"'))
    assert action.kind == Kind.UPDATE_LOCAL and action.conflict is None
    assert action.rdv.start == at(4)


def test_upgrade_pushes_an_odoo_edit_and_keeps_real_conflicts():
    odoo_moved = replace(
        NEW, start=at(5), end=at(5, 10), previous=replace(OLD, start=at(5), end=at(5, 10))
    )
    action = decide_pair(SETTINGS, "1", v1_state(), odoo_moved, google(OLD, '"2"'))
    assert action.kind == Kind.UPDATE_REMOTE and action.conflict is None
    phone_moved = replace(OLD, start=at(4), end=at(4, 10))
    action = decide_pair(SETTINGS, "1", v1_state(), odoo_moved, google(phone_moved, '"2"'))
    assert action.conflict is not None and action.kind == Kind.UPDATE_REMOTE


def test_upgrade_of_a_deleted_rdv_cancels_the_event():
    action = decide_pair(SETTINGS, "1", v1_state(), None, google(OLD, '"1"'))
    assert action.kind == Kind.CANCEL_REMOTE and action.conflict is None
