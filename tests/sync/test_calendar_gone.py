"""A calendar deleted in Google: a 404 on the calendar itself is told apart
from a 404 on one of its events (services/calendar_gone.py acts on it)."""

import pytest
from sync.cycle import sync_calendar
from sync.google_client import GoogleError, Write
from sync_helpers import DB, EMAIL, at, settings


def test_calendar_deleted_is_told_apart_from_an_event_gone(emu, client, calendar):
    assert client.calendar_exists(calendar)
    # an event gone: a 404 on that event, the calendar is still there
    (result,) = client.write(calendar, [Write("patch", "nosuchevent0", {"summary": "x"})])
    assert result.status == 404
    assert client.calendar_exists(calendar)
    emu.service.delete_calendar(EMAIL, calendar)
    with pytest.raises(GoogleError) as listing:
        client.list_changes(calendar)
    assert listing.value.status == 404
    assert not client.calendar_exists(calendar)


def test_an_earlier_installations_calendar_is_found(emu, client, calendar, odoo):
    """The connector installed again: its dedicated calendar is found by its
    name and an event of this database, never one of another database's."""
    assert client.find_own_calendar("Interventions", DB) is None  # empty: not known as ours
    odoo.create(summary="Entretien", start=at(10), end=at(11))
    sync_calendar(client, calendar, odoo, settings())
    assert client.find_own_calendar("Interventions", DB) == calendar
    assert client.find_own_calendar("Interventions", "another-database") is None
    assert client.find_own_calendar("Autre nom", DB) is None


def test_a_calendar_holding_no_live_event_of_ours_is_found_by_its_mark(emu, client, odoo):
    """Its RDVs all cancelled in Odoo, its one live event made on the phone: the
    calendar is found all the same, by the mark its description carries;
    another database's mark is not ours, nor a marked calendar of another
    name (a planner may hold his technicians' calendars); renamed, only the id
    the caller kept finds it."""
    calendar = client.create_calendar("Interventions", "Europe/Paris", "Synced.", database_uuid=DB)
    assert "Synced." in emu.service.store.calendars[calendar].description
    key = odoo.create(summary="Entretien", start=at(10), end=at(11))
    sync_calendar(client, calendar, odoo, settings())
    odoo.edit(key, state="cancel")
    sync_calendar(client, calendar, odoo, settings())
    emu.phone(EMAIL).insert_event(
        calendar,
        {
            "summary": "Posé sur le téléphone",
            "start": {"dateTime": "2024-06-12T09:00:00+02:00"},
            "end": {"dateTime": "2024-06-12T10:00:00+02:00"},
        },
    )
    assert client.find_own_calendar("Interventions", DB) == calendar
    assert client.find_own_calendar("Interventions", "another-database") is None
    assert client.find_own_calendar("Interventions — Jean", DB) is None
    emu.service.store.calendars[calendar].summary = "Mes interventions"
    assert client.find_own_calendar("Interventions", DB) is None
    assert client.find_own_calendar("Interventions", DB, remembered=calendar) == calendar


def test_a_remembered_calendar_is_found_while_the_user_owns_it(emu, client):
    """A calendar made before the mark existed, holding nothing of ours: the id
    the caller kept of it finds it; an id the user does not own is not his."""
    calendar = client.create_calendar("Interventions", "Europe/Paris")
    assert client.find_own_calendar("Interventions", DB) is None
    assert client.find_own_calendar("Interventions", DB, remembered=calendar) == calendar
    emu.add_account("someone@example.com")
    other = emu.service.add_calendar("someone@example.com", "Interventions")
    assert client.find_own_calendar("Interventions", DB, remembered=other) is None
