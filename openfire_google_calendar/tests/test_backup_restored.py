# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A database restored from an older backup (same database.uuid, older
links, sync token and RDVs, while Google moved on), and the connector
uninstalled then installed again on the same database (its accounts and
links gone, the RDVs and the sync's identity kept): the next syncs converge
with no duplicate and no orphan, what changed in Google reaches Odoo, and an
Odoo change lost with the backup is not silently overwritten in Google."""

from collections import Counter
from datetime import datetime

from odoo.tests import tagged

from ..hooks import post_init_hook
from ..services.google_oauth import SCOPES
from .common import CLIENT_ID
from .sync_common import SyncCase, paris_event

_LINK_COLUMNS = ("rdv_key", "google_event_id", "etag", "content_hash", "sync_state")


@tagged("post_install", "-at_install")
class TestBackupRestored(SyncCase):
    def backup(self, rdvs):
        """What a backup holds of the sync: the accounts' links, their sync
        tokens and watermarks, and the RDVs as they are."""
        self.env.flush_all()
        cr = self.env.cr
        accounts = (self.jean_account | self.sophie_account).ids
        cr.execute(
            "SELECT account_id, user_id, intervention_id, %s FROM of_google_event_link "
            "WHERE account_id IN %%s" % ", ".join(_LINK_COLUMNS),
            [tuple(accounts)],
        )
        links = cr.fetchall()
        cr.execute(
            "SELECT id, sync_token, sync_watermark FROM of_google_account WHERE id IN %s",
            [tuple(accounts)],
        )
        account = cr.fetchall()
        cr.execute(
            "SELECT id, name, state, write_date FROM of_planning_intervention WHERE id IN %s",
            [tuple(rdvs.ids)],
        )
        rows = cr.fetchall()
        cr.execute("SELECT last_value FROM of_planning_intervention_id_seq")
        return links, account, rows, cr.fetchone()[0]

    def restore(self, saved, created_since):
        """The backup restored: the links, the tokens and the RDVs it held;
        the RDVs created since are not there (nor their links)."""
        links, account, rows, last_given = saved
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "DELETE FROM of_google_event_link WHERE account_id IN %s",
            [tuple(row[0] for row in account)],
        )
        for row in links:
            cr.execute(
                "INSERT INTO of_google_event_link (account_id, user_id, intervention_id, %s) "
                "VALUES (%%s, %%s, %%s, %s)" % (", ".join(_LINK_COLUMNS), ", ".join(["%s"] * 5)),
                row,
            )
        for account_id, token, watermark in account:
            cr.execute(
                "UPDATE of_google_account SET sync_token = %s, sync_watermark = %s WHERE id = %s",
                [token, watermark, account_id],
            )
        for rdv_id, name, state, write_date in rows:
            cr.execute(
                "UPDATE of_planning_intervention SET name = %s, state = %s, write_date = %s "
                "WHERE id = %s",
                [name, state, write_date, rdv_id],
            )
        if created_since:
            self.env["mail.message"].search(
                [("model", "=", "of.planning.intervention"), ("res_id", "in", created_since.ids)]
            ).unlink()
            cr.execute(
                "DELETE FROM of_planning_intervention WHERE id IN %s", [tuple(created_since.ids)]
            )
        self.rewind_ids(last_given)
        self.env.invalidate_all()

    def live_counts(self):
        return Counter(
            event.get("summary") for event in self.events() if event.get("status") != "cancelled"
        )

    def test_restored_backup_converges(self):
        kept = self.make_rdv(name="Gardé")
        edited_lost = self.make_rdv(name="Avant", date=datetime(2026, 3, 3, 8, 0))
        phoned = self.make_rdv(name="Au bureau", date=datetime(2026, 3, 4, 8, 0))
        both = self.make_rdv(name="Initial", date=datetime(2026, 3, 5, 8, 0))
        self.sync()
        saved = self.backup(kept | edited_lost | phoned | both)
        # after the backup: Odoo and Google move on, synced
        edited_lost.name = "Après (perdu)"
        both.name = "Modifié avant restauration"
        created_lost = self.make_rdv(name="Créé (perdu)", date=datetime(2026, 3, 6, 8, 0))
        self.sync()
        phone, calendar = self.phone(), self.calendar()
        phone.patch_event(calendar, self.event_of(phoned)["id"], {"summary": "Du téléphone"})
        own = phone.insert_event(
            calendar, paris_event("RDV du technicien", "2026-03-09T10:00:00", "2026-03-09T11:00:00")
        )
        self.sync()
        from_phone = self.Rdv.search([("name", "=", "RDV du technicien")])
        self.assertTrue(from_phone)
        # the backup comes back: all of that is gone from Odoo
        self.restore(saved, created_lost | from_phone)
        # the office edits an RDV the lost syncs had changed in Google
        both.name = "Modifié après restauration"
        self.sync()
        self.sync()
        # every change Google holds reached Odoo
        self.assertEqual(edited_lost.name, "Après (perdu)")
        self.assertEqual(phoned.name, "Du téléphone")
        self.assertEqual(self.Rdv.search_count([("name", "=", "RDV du technicien")]), 1)
        # the conflict policy (Odoo's) kept the office's edit, the chatter says so
        self.assertEqual(self.event_of(both)["summary"], "Modifié après restauration")
        bodies = " ".join(both.message_ids.mapped("body"))
        self.assertIn("Modifié avant restauration", bodies)
        # converged: one event per RDV, none twice, none left without RDV
        counts = self.live_counts()
        self.assertEqual(set(counts.values()), {1}, counts)
        rdv_names = set(self.Rdv.search([("employee_ids", "in", self.jean_emp.ids)]).mapped("name"))
        self.assertEqual(set(counts), rdv_names | {"RDV du technicien"} - {"Créé (perdu)"})
        self.assertIn(
            own["id"],
            [link.google_event_id for link in self.env["of.google.event.link"].search([])],
        )
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)

    def lost_rdv_of_both(self):
        """A backup taken with Jean's and Sophie's calendars synced, then an
        RDV of both made and synced to both calendars: (the backup, that
        RDV, both employees)."""
        kept = self.make_rdv(name="Gardé")
        self.sync()
        self.sync(self.sophie_account)
        saved = self.backup(kept)
        both = self.jean_emp | self.sophie_emp
        lost = self.make_rdv(employees=both, name="À deux", date=datetime(2026, 3, 3, 8, 0))
        self.sync()
        self.sync(self.sophie_account)
        return saved, lost, both

    def made_later(self, rdv):
        """``rdv`` made an hour after the lost RDVs (a test runs in one
        transaction, whose timestamp every record it creates shares): its
        stamp is not theirs."""
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE of_planning_intervention SET create_date = create_date + interval '1 hour' "
            "WHERE id = %s",
            [rdv.id],
        )
        rdv.invalidate_recordset(["create_date"])

    def rewind_ids(self, last_given):
        """The sequence of RDV ids as the backup had it: a restored database
        gives again the ids given since (the ids above are this test's own,
        rolled back with it)."""
        self.env.cr.execute(
            "SELECT setval(pg_get_serial_sequence('of_planning_intervention', 'id'), %s)",
            [last_given],
        )

    def test_ids_given_again_after_a_restore(self):
        """The RDVs made after the backup are lost with it while Google keeps
        their events (one moved on the phone since); the restored database
        gives their ids again: the new RDV gets an event of its own, the lost
        ones come back from Google, and nothing of theirs is overwritten."""
        kept = self.make_rdv(name="Gardé")
        self.sync()
        saved = self.backup(kept)
        lost = self.make_rdv(name="Perdu", date=datetime(2026, 3, 3, 8, 0))
        never = self.make_rdv(name="Perdu aussi", date=datetime(2026, 3, 4, 8, 0))
        self.sync()
        phone, calendar = self.phone(), self.calendar()
        lost_id, lost_event = lost.id, self.event_of(lost)["id"]
        never_event = self.event_of(never)["id"]
        phone.patch_event(calendar, lost_event, {"summary": "Perdu, déplacé sur le téléphone"})
        self.restore(saved, lost | never)
        new = self.make_rdv(name="Nouveau", date=datetime(2026, 3, 5, 8, 0))
        self.assertEqual(new.id, lost_id)  # the id is given again
        self.made_later(new)
        self.sync()
        self.sync()
        self.assertNotIn(self.event_of(new)["id"], (lost_event, never_event))
        self.assertEqual(self.event_of(new)["summary"], "Nouveau")
        back = self.Rdv.search([("name", "in", ("Perdu, déplacé sur le téléphone", "Perdu aussi"))])
        self.assertEqual(len(back), 2)
        self.assertEqual({self.event_of(rdv)["id"] for rdv in back}, {lost_event, never_event})
        for rdv in back:
            self.assertIn(
                "Came back from Google Calendar", " ".join(rdv.message_ids.mapped("body"))
            )
        self.assertNotIn("Perdu", " ".join(new.message_ids.mapped("body")))
        counts = self.live_counts()
        self.assertEqual(set(counts.values()), {1}, counts)
        names = set(self.Rdv.search([("employee_ids", "in", self.jean_emp.ids)]).mapped("name"))
        self.assertEqual(set(counts), names)
        self.emulator.clear_log()
        self.sync()
        self.assertEqual(self.emulator.http_round_trips(), 1)

    def test_an_rdv_of_two_technicians_comes_back_once(self):
        """An RDV of two technicians made after the backup has an event in
        each one's calendar: it comes back as one RDV of both, whichever
        calendar is synced first, each event its own again; the version one
        phone changed since is noted, then replaced by the RDV's."""
        saved, lost, both = self.lost_rdv_of_both()
        events = {
            account: self.event_of(lost, account)["id"]
            for account in (self.jean_account, self.sophie_account)
        }
        self.phone(self.sophie_account).patch_event(
            self.calendar(self.sophie_account),
            events[self.sophie_account],
            {"location": "Entrée par la cour"},
        )
        self.restore(saved, lost)
        self.sync()
        back = self.Rdv.search([("name", "=", "À deux")])
        self.assertEqual(len(back), 1)
        self.assertEqual(back.employee_ids, self.jean_emp)
        self.made_later(back)
        self.sync(self.sophie_account)
        self.assertEqual(self.Rdv.search_count([("name", "=", "À deux")]), 1, "no second RDV")
        self.assertEqual(back.employee_ids, both)
        for account in (self.jean_account, self.sophie_account):
            self.assertEqual(self.event_of(back, account)["id"], events[account])
        notes = " ".join(back.message_ids.mapped("body"))
        self.assertIn("Came back from Google Calendar", notes)
        self.assertIn("is this RDV's too; it showed another version", notes)
        self.assertIn("Entrée par la cour", notes)
        for _round in range(2):
            self.sync()
            self.sync(self.sophie_account)
        for account in (self.jean_account, self.sophie_account):
            live = [
                e
                for e in self.events(account)
                if e.get("status") != "cancelled" and e["summary"] == "À deux"
            ]
            self.assertEqual([e["id"] for e in live], [events[account]])
            private = live[0]["extendedProperties"]["private"]
            self.assertEqual(private["openfireRdv"], str(back.id))
        self.emulator.clear_log()
        self.sync(self.sophie_account)
        self.assertEqual(self.emulator.http_round_trips(), 1, "settled")

    def test_a_come_back_rdv_refused_is_cancelled_in_every_calendar(self):
        """Jean's changes are proposed: the lost RDV of Jean and Sophie comes
        back from his calendar as a creation to confirm; the planner refuses
        it (cancelled), then Sophie's event comes back and joins it: her
        event is cancelled too, never left on her phone."""
        self.jean_emp.of_google_changes = "proposed"
        saved, lost, both = self.lost_rdv_of_both()
        event = self.event_of(lost, self.sophie_account)["id"]
        self.restore(saved, lost)
        self.sync()
        back = self.Rdv.search([("name", "=", "À deux")])
        self.assertEqual(back.state, "draft")
        back.of_google_proposal_ids.action_refuse()
        self.assertEqual(back.state, "cancel")
        self.made_later(back)
        for _round in range(3):
            self.sync(self.sophie_account)
            self.sync()
        self.assertEqual(self.Rdv.search_count([("name", "=", "À deux")]), 1)
        self.assertEqual(back.employee_ids, both)
        phone = self.phone(self.sophie_account)
        self.assertEqual(
            phone.get_event(self.calendar(self.sophie_account), event)["status"], "cancelled"
        )

    def test_reinstalled_connector_adopts_its_events(self):
        kept = self.make_rdv(name="Gardé")
        gone = self.make_rdv(name="Supprimé", date=datetime(2026, 3, 3, 8, 0))
        self.make_rdv(
            recurrency=True,
            rrule_type="weekly",
            interval=1,
            mo=True,
            end_type="count",
            count=3,
            name="Série",
            date=datetime(2026, 3, 2, 14, 0),
        )
        self.sync()
        calendar = self.calendar()
        # uninstalled: the accounts and links go (the RDVs and the sync's identity stay)
        self.env["of.google.event.link"].search([]).unlink()
        self.jean_account.unlink()
        gone.unlink()  # deleted while the connector was away
        kept.name = "Gardé et modifié"
        # installed again (its hook finds the database synced before), Jean connects again
        post_init_hook(self.env)
        account = self.env["of.google.account"]._for_user(self.jean)
        account._store_tokens(
            self.emulator.mint_token("jean@example.com", client_id=CLIENT_ID, scopes=list(SCOPES))
        )
        self.sync(account)
        self.sync(account)
        self.assertEqual(account.calendar_id, calendar)  # its calendar, not a second one
        counts = Counter(
            event.get("summary")
            for event in self.phone(account).list_events(calendar)
            if event.get("status") != "cancelled"
        )
        self.assertEqual(counts, Counter({"Gardé et modifié": 1, "Série": 1}))
        self.emulator.clear_log()
        self.sync(account)
        self.assertEqual(self.emulator.http_round_trips(), 1)

    def test_reinstalled_connector_finds_its_calendar_holding_no_event_of_ours(self):
        """Its RDVs all cancelled in Odoo, the one live event made on the phone:
        installed again, the connector syncs into that calendar (found by the
        id it remembered, else by the mark of its description), and a phone
        edit made there while it was away reaches Odoo."""
        for remembered in (True, False):
            with self.subTest(remembered=remembered), self.env.cr.savepoint(flush=True) as sp:
                self.reinstall_into_a_calendar_without_our_events(remembered)
                sp.rollback()

    def reinstall_into_a_calendar_without_our_events(self, remembered):
        # Jean's Google account as if it never held the connector's calendar
        # (the emulator keeps what the earlier tests made there)
        email = self.jean.email
        for calendar_id in list(self.emulator.service.store.accounts[email]):
            if calendar_id != email:
                self.emulator.service.delete_calendar(email, calendar_id)
        self.jean_account.calendar_id = False
        rdv = self.make_rdv(name="Annulé")
        self.sync()
        calendar = self.calendar()
        rdv.state = "cancel"
        self.sync()
        phone = self.phone()
        own = phone.insert_event(
            calendar, paris_event("Du téléphone", "2026-03-09T10:00:00", "2026-03-09T11:00:00")
        )
        self.sync()
        self.assertEqual(self.Rdv.search_count([("name", "=", "Du téléphone")]), 1)
        # uninstalled: the accounts and links go (the RDVs, the system parameters stay)
        self.env["of.google.event.link"].search([]).unlink()
        self.jean_account.unlink()
        if not remembered:  # an installation from before the ids were kept
            self.env["ir.config_parameter"].search(
                [("key", "=like", "openfire_google_calendar.calendar.%")]
            ).unlink()
        phone.patch_event(calendar, own["id"], {"location": "Chez le client"})
        post_init_hook(self.env)
        account = self.env["of.google.account"]._for_user(self.jean)
        account._store_tokens(
            self.emulator.mint_token("jean@example.com", client_id=CLIENT_ID, scopes=list(SCOPES))
        )
        self.sync(account)
        self.sync(account)
        self.assertEqual(account.calendar_id, calendar)  # its calendar, not a second one
        rdvs = self.Rdv.search([("name", "=", "Du téléphone")])
        self.assertEqual(len(rdvs), 1, "one RDV for the phone's event")
        self.assertEqual(rdvs.google_location, "Chez le client")
