# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The integrators' hooks, through a real sync with the emulator: a field of
an addon's own reaches the event and comes back from the phone, and RDVs the
addon keeps out of the sync never reach Google."""

from odoo.tests import tagged

from odoo.addons.openfire_google_calendar.sync.mapping import PROP_EXTRA
from odoo.addons.openfire_google_calendar.tests.sync_common import SyncCase

GATE = PROP_EXTRA + "gateCode"


@tagged("post_install", "-at_install")
class TestIntegratorHooks(SyncCase):
    def test_a_field_of_an_addon_is_synced_both_ways(self):
        rdv = self.make_rdv(of_gate_code="1234")
        self.sync()
        event = self.event_of(rdv)
        self.assertEqual(event["extendedProperties"]["shared"][GATE], "1234")
        # changed in Odoo: the event follows (the field is among the synced ones)
        rdv.of_gate_code = "4321"
        self.sync()
        self.assertEqual(self.event_of(rdv)["extendedProperties"]["shared"][GATE], "4321")
        # changed on the phone: the RDV follows, and nothing bounces back
        self.phone().patch_event(
            self.calendar(),
            event["id"],
            {"extendedProperties": {"shared": {GATE: "9999"}}},
        )
        self.sync()
        self.assertEqual(rdv.of_gate_code, "9999")
        self.emulator.clear_log()
        result = self.sync()
        self.assertEqual((result["created"], result["updated"]), (0, 0))
        # an event made on the phone with a gate code
        self.phone().insert_event(
            self.calendar(),
            {
                "summary": "Dépannage portail",
                "start": {"dateTime": "2026-03-05T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-05T11:00:00+01:00"},
                "extendedProperties": {"shared": {GATE: "0007"}},
            },
        )
        self.sync()
        made = self.Rdv.search([("name", "=", "Dépannage portail")])
        self.assertEqual(made.of_gate_code, "0007")

    def test_rdvs_the_addon_keeps_out_never_reach_google(self):
        kept = self.make_rdv(name="Réunion interne", of_office_only=True)
        synced = self.make_rdv(name="Chez le client")
        self.sync()
        summaries = [event["summary"] for event in self.events()]
        self.assertIn("Chez le client", summaries)
        self.assertNotIn("Réunion interne", summaries)
        self.assertEqual(self.event_of(synced)["summary"], "Chez le client")
        self.assertFalse(kept.of_google_link_ids)
