# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a technician can do to the connector's calendar and its events from
Google Calendar besides editing them, and what the RDVs become: an event
moved to another of his calendars left the synced one (the RDV is cancelled,
as for a deletion, and comes back if he moves the event back); the calendar
renamed or hidden keeps syncing under its id, never a second calendar; his
own "Interventions" cannot be unsubscribed from (Google refuses it)."""

from odoo.tests import tagged

from .sync_common import SyncCase

try:  # the tests' own requirement (tests/common.py says how to install it)
    from google_emulator.errors import ApiError
except ImportError:  # pragma: no cover
    ApiError = None


@tagged("post_install", "-at_install")
class TestPhoneCalendarActions(SyncCase):
    def secondary_calendars(self):
        return [
            entry["id"]
            for entry in self.phone().list_calendars(show_hidden=True)
            if not entry.get("primary")
        ]

    def test_an_event_moved_to_another_calendar_leaves_the_sync(self):
        rdv = self.make_rdv()
        self.sync()
        event_id = self.event_of(rdv)["id"]
        self.phone().move_event(self.calendar(), event_id, "jean@example.com")
        self.sync()
        self.assertEqual(rdv.state, "cancel")
        self.assertIn("deleted in Google Calendar", rdv.message_ids[:1].body)
        # the event now lives in his primary calendar, untouched by the sync
        moved = self.phone().get_event("jean@example.com", event_id)
        self.assertEqual(moved["status"], "confirmed")
        # moved back: a cancelled RDV is never re-opened from Google
        # (sync/proposals.py); the event is put back, cancelled, once
        self.phone().move_event("jean@example.com", event_id, self.calendar())
        self.sync()
        self.assertEqual(rdv.state, "cancel")
        self.assertEqual(self.phone().get_event(self.calendar(), event_id)["status"], "cancelled")
        self.assertFalse([e for e in self.events() if e["status"] != "cancelled"])
        self.sync()
        self.assertEqual(rdv.state, "cancel")

    def test_the_calendar_renamed_or_hidden_keeps_syncing(self):
        rdv = self.make_rdv()
        self.sync()
        calendar = self.calendar()
        before = self.secondary_calendars()
        self.phone().patch_calendar(calendar, {"summary": "Mes interventions"})
        self.phone().patch_calendar_list(calendar, {"hidden": True})
        rdv.name = "Entretien renommé"
        self.sync()
        self.assertEqual(self.calendar(), calendar)
        self.assertEqual(self.event_of(rdv)["summary"], "Entretien renommé")
        self.assertEqual(self.secondary_calendars(), before)  # no second calendar
        # his own calendar cannot leave his list: Google refuses it
        with self.assertRaises(ApiError) as refused:
            self.phone().delete_calendar_list(calendar)
        self.assertEqual(refused.exception.status, 403)
