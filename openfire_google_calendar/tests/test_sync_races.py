# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the system tier (tools/system_tier.py) found with real servers, and
the test transaction hides: every stamp in one test transaction has the same
time, so these tests set the moments a server would have seen."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from odoo.tests import tagged

from ..services import rdv_conversion as conv
from ..services.odoo_local_side import OdooLocalSide, TransientLocalError
from ..services.sync_runner import run_sync
from ..services.sync_session import _user_env
from ..sync import Action, Kind
from ..sync.content_hash import content_hash
from ..sync.local_side_contract import START, pull_action, pulled
from .sync_common import SyncCase
from .test_sync_runner import CRON

LONG_AGO = datetime(2000, 1, 1)


@tagged("post_install", "-at_install")
class TestSyncRaces(SyncCase):
    def stamp(self, rdv, moment):
        """The RDV was last changed in Odoo at ``moment``."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE of_planning_intervention SET google_write_date = %s WHERE id = %s",
            [moment, rdv.id],
        )
        rdv.invalidate_recordset(["google_write_date"])

    def reading_side(self):
        """A sync's local side on its own cursor, which has read Odoo."""
        self.env.flush_all()
        cursor = self.registry.cursor()
        self.addCleanup(cursor.close)
        side = OdooLocalSide(
            _user_env(cursor, self.jean.id)["of.google.account"].browse(self.jean_account.id)
        )
        side.load_states()
        side.changed_rdvs()
        return side

    def moved_while_a_sync_reads(self, rdv, state):
        """The phone moves ``rdv`` to 4 March, a sync reads Odoo, then a
        planner sets ``state``: the sync's side, the event before and after."""
        event = self.event_of(rdv)
        moved = self.phone().patch_event(
            self.calendar(),
            event["id"],
            {
                "start": {"dateTime": "2026-03-04T09:00:00Z"},
                "end": {"dateTime": "2026-03-04T10:00:00Z"},
            },
        )
        side = self.reading_side()
        rdv.state = state  # a planner, after the sync read Odoo
        self.env.flush_all()
        return side, event, moved

    @staticmethod
    def proposed_move(held, event, moved):
        """The PROPOSE action a sync makes of the phone's ``moved`` event
        for the RDV the plan read (``held``)."""
        return Action(
            Kind.PROPOSE,
            held.key,
            event["id"],
            rdv=replace(held, start=held.start + timedelta(days=2)),
            etag=moved["etag"],
            content_hash=content_hash(held),
            held=held,
            proposed=True,
        )

    @staticmethod
    def refused(side, action):
        """True when ``side`` refuses to write ``action`` for now (not
        assertRaises: its savepoint would sit inside the side's cursor)."""
        try:
            side.write_rdv(action)
        except TransientLocalError:
            return True
        return False

    def test_a_phone_edit_of_a_shared_rdv_reaches_the_other_technician(self):
        rdv = self.make_rdv(employees=self.jean_emp | self.sophie_emp)
        self.sync(self.jean_account)
        self.sync(self.sophie_account)
        # Both synced long ago: only a change stamped since may be looked at.
        self.stamp(rdv, LONG_AGO)
        self.sophie_account.sync_watermark = datetime(2020, 1, 1)
        event = self.event_of(rdv, self.jean_account)
        self.phone(self.jean_account).patch_event(
            self.calendar(self.jean_account), event["id"], {"summary": "Vu par Jean"}
        )
        self.sync(self.jean_account)
        self.assertEqual(rdv.name, "Vu par Jean")
        self.sync(self.sophie_account)
        self.assertEqual(self.event_of(rdv, self.sophie_account)["summary"], "Vu par Jean")

    def test_a_planner_save_the_sync_did_not_read_is_never_overwritten(self):
        rdv = self.make_rdv()
        self.sync()
        side = self.reading_side()
        # A planner saves after the sync read Odoo; Google's version comes in.
        rdv.name = "Du planificateur"
        self.env.flush_all()
        phone = pulled("Du téléphone", start=START)
        action = pull_action(
            Kind.UPDATE_LOCAL, phone, key=str(rdv.id), event_id=self.event_of(rdv)["id"]
        )
        self.assertTrue(
            self.refused(side, action), "Google's version was written over a change not read"
        )
        rdv.invalidate_recordset()
        self.assertEqual(rdv.name, "Du planificateur", "not overwritten by Google's version")
        # The next sync sees both changes: the policy decides (Odoo wins by
        # default), the version that lost is in the chatter.
        event = self.event_of(rdv)
        self.phone().patch_event(self.calendar(), event["id"], {"summary": "Du téléphone"})
        self.sync()
        self.assertEqual(rdv.name, "Du planificateur")
        self.assertEqual(self.event_of(rdv)["summary"], "Du planificateur")
        self.assertIn("Du téléphone", "".join(rdv.message_ids.mapped("body")))

    def test_an_rdv_finished_after_the_sync_read_it_is_never_moved(self):
        """A planner marks the RDV done after the sync read it, while the
        phone's move comes in: "done" changes nothing Google shows (its
        status stays confirmed), so only the state tells the move from a
        write over what the sync read. The move waits; the next sync reads
        the RDV done and puts the phone's version back."""
        rdv = self.make_rdv()
        self.sync()
        held = rdv.date
        moved = replace(
            conv.rdv_of(rdv),
            start=datetime(2026, 3, 4, 9, 0, tzinfo=timezone.utc),
            end=datetime(2026, 3, 4, 10, 0, tzinfo=timezone.utc),
        )
        side, event, _moved = self.moved_while_a_sync_reads(rdv, "done")
        action = pull_action(Kind.UPDATE_LOCAL, moved, key=str(rdv.id), event_id=event["id"])
        self.assertTrue(self.refused(side, action), "the phone's move written on a done RDV")
        rdv.invalidate_recordset()
        self.assertEqual((rdv.state, rdv.date), ("done", held))
        self.sync()
        rdv.invalidate_recordset()
        self.assertEqual((rdv.state, rdv.date), ("done", held))
        back = self.event_of(rdv)
        self.assertEqual(back["id"], event["id"])
        self.assertFalse(back["start"]["dateTime"].startswith("2026-03-04"), "put back")
        self.assertIn("done or cancelled", "".join(rdv.message_ids.mapped("body")))

    def test_a_proposal_over_a_cancellation_the_sync_did_not_read_waits(self):
        """A phone's move is to be proposed while a planner cancels the RDV
        after the sync read it: the proposal is not stored over the
        cancellation (which it would take for synced: the event would stay
        on the phone for good); the next sync reads both and cancels the
        event, the move put back in the chatter."""
        self.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.google_changes", "proposed"
        )
        rdv = self.make_rdv()
        self.sync()
        held = conv.rdv_of(rdv)
        side, event, moved = self.moved_while_a_sync_reads(rdv, "cancel")
        action = self.proposed_move(held, event, moved)
        self.assertTrue(
            self.refused(side, action), "a proposal stored over a cancellation it did not read"
        )
        self.assertFalse(rdv.of_google_proposal_ids)
        self.sync()
        self.assertEqual(self.event_of(rdv)["status"], "cancelled")
        rdv.invalidate_recordset()
        self.assertEqual(rdv.state, "cancel")
        self.sync()
        self.assertEqual(self.event_of(rdv)["status"], "cancelled")

    def test_no_proposal_is_kept_for_an_rdv_done_after_the_sync_read_it(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "openfire_google_calendar.google_changes", "proposed"
        )
        rdv = self.make_rdv()
        self.sync()
        held, date = conv.rdv_of(rdv), rdv.date
        side, event, moved = self.moved_while_a_sync_reads(rdv, "done")
        action = self.proposed_move(held, event, moved)
        self.assertTrue(self.refused(side, action), "a proposal kept for a done RDV")
        self.assertFalse(rdv.of_google_proposal_ids)
        self.sync()
        rdv.invalidate_recordset()
        self.assertFalse(rdv.of_google_proposal_ids, "a done RDV is put back, not proposed")
        self.assertEqual((rdv.state, rdv.date), ("done", date))
        self.assertFalse(self.event_of(rdv)["start"]["dateTime"].startswith("2026-03-04"))

    def test_a_conflict_lost_by_a_deletion_in_google_says_deleted(self):
        self.env["ir.config_parameter"].set_param(
            "openfire_google_calendar.conflict_policy", "odoo"
        )
        rdv = self.make_rdv()
        self.sync()
        self.phone().delete_event(self.calendar(), self.event_of(rdv)["id"])
        rdv.name = "Modifié dans Odoo"
        self.sync()
        bodies = "".join(rdv.message_ids.mapped("body"))
        self.assertIn("(deleted)", bodies)
        self.assertNotIn("Title: <", bodies.replace("Title: Modifié", ""))

    def test_the_button_leaves_what_google_keeps_refusing_to_the_cron(self):
        for day in range(2, 5):
            self.make_rdv(date=datetime(2026, 12, day, 8, 0))
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.env.ref(CRON).id)]).unlink()
        self.emulator.set_faults(rate=1.0, kinds=("503",), targets=("part",), retry_after=0)
        try:
            result = run_sync(self.env, self.jean.id, interactive=True).as_dict()
        finally:
            self.emulator.set_faults(rate=0)
        self.assertNotEqual(result["status"], "error", result)
        self.assertGreaterEqual(result["errors"], 3)
        self.assertTrue(
            self.env["ir.cron.trigger"].search([("cron_id", "=", self.env.ref(CRON).id)]),
            "the cron is woken for the rest",
        )
        self.assertIn(self.jean_account.id, self.env["of.google.push"]._notified_accounts())
        self.env["of.google.account"]._cron_sync_all()
        self.assertEqual(len(self.events()), 3)
