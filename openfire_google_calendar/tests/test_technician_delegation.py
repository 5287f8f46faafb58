# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Google Workspace delegation: employees without an
Odoo login synced both ways through a service account acting as each."""

import logging
from datetime import datetime

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..services import service_account
from ..services.google_oauth import SCOPES
from ..services.sync_runner import run_sync
from .common import CLIENT_ID
from .technician_common import TechnicianCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestTechnicianDelegation(TechnicianCase):
    def test_three_employees_without_users_get_their_rdvs(self):
        self.make_rdv(name="Chaudière Marc", employees=self.marc)
        self.make_rdv(name="Pompe Julie", employees=self.julie, date=datetime(2026, 3, 3, 9, 0))
        self.make_rdv(
            name="Chantier à deux",
            employees=self.julie | self.karim,
            date=datetime(2026, 3, 4, 14, 0),
        )
        self.cron()
        for employee in (self.marc, self.julie, self.karim):
            account = self.account_of(employee)
            self.assertEqual(account.kind, "delegated")
            self.assertEqual(account.state, "connected", account.last_error)
            self.assertFalse(account.user_id)
            self.assertEqual(account.google_email, employee.work_email)
            self.assertEqual(account.calendar_name, "Interventions")
            self.assertTrue(account.last_sync)
            self.assertFalse(account.last_error)
        self.assertEqual(self.summaries(self.marc), ["Chaudière Marc"])
        self.assertEqual(self.summaries(self.julie), ["Chantier à deux", "Pompe Julie"])
        self.assertEqual(self.summaries(self.karim), ["Chantier à deux"])
        # the calendar is the employee's own (his Google account), dedicated
        calendars = self.emulator.service.list_calendars("karim@acme.fr")["items"]
        self.assertIn(
            (self.account_of(self.karim).calendar_id, "owner"),
            [(calendar["id"], calendar["accessRole"]) for calendar in calendars],
        )
        # the employee form shows it
        self.assertEqual(self.marc.of_google_kind, "delegated")
        self.assertEqual(self.marc.of_google_state, "connected")
        self.assertEqual(self.marc.of_google_calendar_name, "Interventions")
        self.assertTrue(self.marc.of_google_last_sync)
        # a second sync where nothing changed costs one request per employee
        # (the delegated access token is kept)
        self.emulator.clear_log()
        self.env.flush_all()
        queries = self.env.cr.sql_log_count
        for employee in (self.marc, self.julie, self.karim):
            self.sync_employee(employee)
        queries = (self.env.cr.sql_log_count - queries) / 3
        self.assertEqual(self.emulator.http_round_trips(), 3, self.emulator.request_log)
        # and about what a user's costs (the employee's company, language
        # and time zone are read for his session)
        user_queries = self.env.cr.sql_log_count
        self.sync()
        user_queries = self.env.cr.sql_log_count - user_queries
        _logger.info(
            "no-change sync, SQL queries: %.0f per delegated technician, %d for a user",
            queries,
            user_queries,
        )
        self.assertLessEqual(queries, user_queries + 10)

    def sync_employee(self, employee):
        result = run_sync(self.env, account_id=self.account_of(employee).id).as_dict()
        self.assertIn(result.get("status"), ("need_refresh", "no_new_event_from_google"), result)
        return result

    def test_phone_edit_and_phone_event_come_back(self):
        rdv = self.make_rdv(name="Chaudière Marc", employees=self.marc)
        self.cron()
        calendar = self.account_of(self.marc).calendar_id
        phone = self.phone_of(self.marc)
        phone.patch_event(
            calendar, self.event_of_employee(rdv, self.marc), {"summary": "Vu sur place"}
        )
        phone.insert_event(
            calendar,
            {
                "summary": "Urgence fuite",
                "start": {"dateTime": "2026-03-05T10:00:00+01:00"},
                "end": {"dateTime": "2026-03-05T11:00:00+01:00"},
            },
        )
        self.cron()
        rdv.invalidate_recordset()
        self.assertEqual(rdv.name, "Vu sur place")
        created = self.Rdv.search([("name", "=", "Urgence fuite")])
        self.assertEqual(created.employee_ids, self.marc)
        self.assertFalse(created.user_id, "no planner: the technician made it on his phone")
        note = created.message_ids.filtered(lambda message: "Google Calendar" in str(message.body))
        self.assertEqual(note.author_id, self.marc.work_contact_id, "his change, his note")
        self.assertEqual(self.account_of(self.marc).state, "connected")

    def test_an_employee_outside_the_domain_is_reported_the_others_sync(self):
        paul = self.field_employee("Paul Durand", "paul@other.fr")
        nomail = self.field_employee("Sans Mail", False)
        self.make_rdv(name="Chez Paul", employees=paul)
        self.make_rdv(name="Sans adresse", employees=nomail)
        self.make_rdv(name="Chez Marc", employees=self.marc)
        self.cron()
        self.assertEqual(self.summaries(self.marc), ["Chez Marc"])
        account = self.account_of(paul)
        self.assertEqual(account.state, "disconnected")
        self.assertIn("paul@other.fr is outside the Google Workspace domain", account.last_error)
        self.assertIn("acme.fr", paul.of_google_last_error)
        self.assertIn("no work e-mail", nomail.of_google_last_error)
        self.assertFalse(self.emulator.service.list_calendars("paul@other.fr")["items"][1:])
        # Google's own refusal: the domain is set in Odoo but the service
        # account is not authorised for it
        self.set_param(service_account.DOMAIN_PARAM, "acme.fr, other.fr")
        self.make_rdv(name="Encore Marc", employees=self.marc, date=datetime(2026, 3, 6, 8, 0))
        self.cron()
        account.invalidate_recordset()
        self.assertEqual(account.state, "revoked")
        self.assertIn("refuses the delegation for other.fr", account.last_error)
        self.assertIn("unauthorized_client", account.last_error)
        self.assertIn(self.key["client_id"], account.last_error)
        self.assertEqual(self.summaries(self.marc), ["Chez Marc", "Encore Marc"])
        self.assertEqual(self.account_of(self.marc).state, "connected")
        self.assertFalse(self.account_of(self.marc).last_error)

    def test_revoking_the_delegation_marks_them_all(self):
        for employee in (self.marc, self.julie, self.karim):
            self.make_rdv(name="Chez %s" % employee.name, employees=employee)
        self.cron()
        self.emulator.revoke_delegation(self.key["client_id"])
        # Google lets issued tokens live until they expire
        self.emulator.expire_access_tokens()
        self.make_rdv(name="Nouveau Marc", employees=self.marc, date=datetime(2026, 3, 9, 8, 0))
        self.cron()
        for employee in (self.marc, self.julie, self.karim):
            account = self.account_of(employee)
            self.assertEqual(account.state, "revoked", employee.name)
            self.assertIn("Google Workspace refuses the delegation for acme.fr", account.last_error)
            self.assertIn("Domain-wide delegation", account.last_error)
            self.assertFalse(account.sudo().access_token)
        # the users' own connections go on
        self.assertEqual(self.jean_account.state, "connected")
        # the delegation given back, they recover by themselves
        self.emulator.authorize_delegation(self.key["client_id"], self.DOMAIN)
        self.cron()
        self.assertEqual(self.account_of(self.marc).state, "connected")
        self.assertFalse(self.account_of(self.marc).last_error)
        self.assertEqual(self.summaries(self.marc), ["Chez Marc Petit", "Nouveau Marc"])

    def test_nobody_is_synced_twice(self):
        email = "luc@acme.fr"
        self.emulator.add_account(email)
        luc = new_test_user(
            self.env,
            login="luc_own",
            email=email,
            groups="base.group_user,openfire_planning.group_of_planning_user",
        )
        luc_emp = self.env["hr.employee"].create(
            {"name": "Luc", "user_id": luc.id, "work_email": email}
        )
        own = self.env["of.google.account"]._for_user(luc)
        own._store_tokens(self.emulator.mint_token(email, client_id=CLIENT_ID, scopes=list(SCOPES)))
        self.make_rdv(name="Chez Luc", employees=luc_emp)
        self.cron()
        self.assertFalse(self.account_of(luc_emp), "his own connection syncs him")
        calendars = [
            calendar["summary"] for calendar in self.emulator.service.list_calendars(email)["items"]
        ]
        self.assertEqual(calendars.count("Interventions"), 1, calendars)
        self.assertEqual(
            [event["summary"] for event in self.emulator.phone(email).list_events(own.calendar_id)],
            ["Chez Luc"],
        )

    def test_a_technician_who_connects_himself_leaves_the_delegation(self):
        rdv = self.make_rdv(name="Chez Karim", employees=self.karim)
        self.cron()
        delegated = self.account_of(self.karim)
        self.assertEqual(self.summaries(self.karim), ["Chez Karim"])
        karim = new_test_user(
            self.env,
            login="karim_own",
            email="karim@acme.fr",
            groups="base.group_user,openfire_planning.group_of_planning_user",
        )
        self.karim.user_id = karim
        own = self.env["of.google.account"]._for_user(karim)
        own._store_tokens(
            self.emulator.mint_token("karim@acme.fr", client_id=CLIENT_ID, scopes=list(SCOPES))
        )
        rdv.name = "Renommé"
        self.cron()
        delegated.invalidate_recordset()
        self.assertEqual(delegated.state, "disconnected")
        self.assertIn("connected himself", delegated.last_error)
        self.assertEqual(
            [event["summary"] for event in self.phone_of(self.karim).list_events(own.calendar_id)],
            ["Renommé"],
        )
        self.assertEqual(self.summaries(self.karim), ["Chez Karim"], "left as it was")

    def test_primary_calendar_when_set(self):
        self.set_param(service_account.CALENDAR_PARAM, "primary")
        self.make_rdv(name="Dans l'agenda principal", employees=self.karim)
        self.cron()
        account = self.account_of(self.karim)
        self.assertEqual(account.calendar_id, "karim@acme.fr")
        self.assertEqual(
            [event["summary"] for event in self.phone_of(self.karim).list_events("karim@acme.fr")],
            ["Dans l'agenda principal"],
        )

    def test_planner_syncs_all_technicians(self):
        planner = new_test_user(
            self.env,
            login="planner_all",
            groups="base.group_user,openfire_planning.group_of_planning_manager",
        )
        self.make_rdv(name="Chez Julie", employees=self.julie)
        action = self.env["hr.employee"].with_user(planner).action_of_google_sync_technicians()
        self.assertEqual(action["params"]["type"], "info")
        account = self.account_of(self.julie)
        self.assertTrue(account.push_ids, "the cron is woken for the technicians")
        self.cron()
        self.assertEqual(self.summaries(self.julie), ["Chez Julie"])

    def test_push_notifications_cover_the_technicians(self):
        self.set_param("openfire_google_calendar.push_base_url", self.base_url())
        # only Marc's calendar opens a channel in this test: the users' would
        # send their hello while this thread works
        (self.jean_account | self.sophie_account).sync_stopped = True
        rdv = self.make_rdv(name="Chez Marc", employees=self.marc)
        self.cron()
        self.cron()  # the channel opens from the second sync on
        self.wait_for_push()
        account = self.account_of(self.marc)
        self.assertTrue(account.channel_id)
        self.phone_of(self.marc).patch_event(
            account.calendar_id, self.event_of_employee(rdv, self.marc), {"summary": "Vu"}
        )
        self.wait_for_push()
        account.invalidate_recordset(["push_ids"])
        self.assertEqual(len(account.push_ids), 1, "the notification reached the technician")
        self.cron()
        rdv.invalidate_recordset()
        self.assertEqual(rdv.name, "Vu")

    def test_administrators_list_and_its_actions(self):
        paul = self.field_employee("Paul Durand", "paul@other.fr")
        self.make_rdv(name="Chez Paul", employees=paul)
        rdv = self.make_rdv(name="Chez Marc", employees=self.marc)
        self.cron()
        action = self.env.ref("openfire_google_calendar.action_of_google_sync_technicians")
        listed = self.env["hr.employee"].search(safe_eval(action.domain))
        self.assertLessEqual(self.marc | paul, listed)
        self.assertEqual(listed, listed.filtered("of_google_synced"))
        self.assertTrue(paul.of_google_last_error)
        views = self.env["hr.employee"].get_views([(action.view_id.id, "list")])
        arch = views["views"]["list"]["arch"]
        for name in ("of_google_kind", "of_google_state", "of_google_last_error"):
            self.assertIn(name, arch)
        link = self.env["of.google.event.link"].search([("intervention_id", "=", rdv.id)])
        link.write({"sync_state": "error", "sync_error": "500 backendError"})
        self.marc.invalidate_recordset()  # as the next request reads it
        self.assertEqual(self.marc.of_google_error_count, 1)
        planner = new_test_user(
            self.env, login="planner_list", groups="openfire_planning.group_of_planning_manager"
        )
        with self.assertRaises(AccessError):
            self.marc.with_user(planner).action_of_google_admin_stop()
        self.marc.action_of_google_admin_stop()
        self.assertTrue(self.marc.of_google_sync_stopped)
        self.assertEqual(self.marc.of_google_last_error, "Sync stopped by an administrator.")
        self.marc.action_of_google_admin_restart()
        self.assertFalse(self.marc.of_google_sync_stopped)
        self.assertEqual(link.sync_state, "pending", "its RDVs in error are retried")
        self.assertTrue(self.account_of(self.marc).push_ids, "and the cron woken for him")
        self.cron()
        self.assertEqual(link.sync_state, "synced")
