# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The changes proposed from Google, where a planner sees them without
looking for them: the planning draws the proposed times beside the RDVs (one
call answered from the database, a few queries whatever the number of
proposals, never a call to Google), and the activity menu counts those to
decide, for the planners only."""

from datetime import datetime, timedelta

from odoo.exceptions import UserError
from odoo.release import version_info
from odoo.tests import new_test_user, tagged
from odoo.tools.translate import code_translations

from ..services import proposal_counter
from .sync_common import SyncCase

PARAM = "openfire_google_calendar.google_changes"
WEEK = ("2026-03-01 23:00:00", "2026-03-08 22:59:59")  # Monday to Sunday, Paris


def activity_groups(env):
    """What mail's activity menu shows the user of ``env``."""
    users = env["res.users"]
    if version_info[0] >= 18:
        return users._get_activity_groups()
    return users.systray_get_activities()


def proposal_groups(env):
    """The activity menu's entries for the changes proposed from Google."""
    return [group for group in activity_groups(env) if group.get("model") == "of.google.proposal"]


@tagged("post_install", "-at_install")
class TestProposalPlanning(SyncCase):
    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(PARAM, "proposed")
        self.clerk = new_test_user(self.env, login="clerk_plan", groups="base.group_user")

    def propose(self, rdv, start, hours=1.0, state="pending", **values):
        """A proposal as a sync keeps it (tests/test_proposals.py makes them
        from the phone): ``rdv`` moved to ``start`` for ``hours``."""
        return self.env["of.google.proposal"].create(
            {
                "intervention_id": rdv.id,
                "employee_id": self.jean_emp.id,
                "kind": "change",
                "state": state,
                "proposed_name": rdv.name,
                "proposed_date": start,
                "proposed_duree": hours,
                "proposed_date_deadline": start + timedelta(hours=hours),
                "held_name": rdv.name,
                "held_date": rdv.date,
                "held_date_deadline": rdv.date_deadline,
                **values,
            }
        )

    def planning(self, domain=None, start=WEEK[0], stop=WEEK[1], user=None):
        """The call the planning makes, and the queries it cost."""
        user = user or self.jean
        rdv_model = (
            self.env["of.planning.intervention"].with_user(user).with_context(lang=user.lang)
        )
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        answer = rdv_model.of_google_proposal_blocks(domain or [], start, stop)
        return answer, self.env.cr.sql_log_count - before

    def counter_queries(self):
        """The queries the activity menu's entry costs a planner, caches warm."""
        env = self.env(user=self.jean)
        proposal_counter.activity_group(env)
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        proposal_counter.activity_group(env)
        return self.env.cr.sql_log_count - before

    def test_a_phone_move_is_drawn_where_it_was_proposed(self):
        rdv = self.make_rdv(name="Déplacé au téléphone")
        self.sync()
        self.phone_moves(rdv, "2026-03-04T09:00:00Z", "2026-03-04T10:30:00Z")
        self.assertTrue(rdv.of_google_proposal_pending)
        self.assertEqual(rdv.date, datetime(2026, 3, 2, 8), "proposed, not applied")
        self.emulator.clear_log()
        answer, _queries = self.planning()
        self.assertEqual(
            answer,
            [
                {
                    "id": rdv.of_google_proposal_id.id,
                    "rdv_id": rdv.id,
                    "name": "Déplacé au téléphone",
                    "start": "2026-03-04 09:00:00",
                    "stop": "2026-03-04 10:30:00",
                    "all_day": False,
                    "label": "Proposed: Déplacé au téléphone",
                }
            ],
        )
        self.assertEqual(self.emulator.http_round_trips(), 0, self.emulator.request_log)
        # decided: nothing left to draw
        rdv.of_google_proposal_id.with_user(self.jean).action_refuse()
        self.assertEqual(self.planning()[0], [])

    def test_what_is_drawn_and_what_is_not(self):
        moved = self.make_rdv(name="Déplacé")
        outdated = self.make_rdv(name="Dépassé", date=datetime(2026, 3, 3, 8))
        renamed = self.make_rdv(name="Renommé", date=datetime(2026, 3, 3, 13))
        later = self.make_rdv(name="Plus tard")
        decided = self.make_rdv(name="Décidé")
        sophies = self.make_rdv(name="De Sophie", employees=self.sophie_emp)
        # new RDVs made on the phone: one moved there since, one as it was made
        new_moved = self.make_rdv(name="Nouveau", state="draft", date=datetime(2026, 3, 3, 15))
        new_kept = self.make_rdv(name="Tel quel", state="draft", date=datetime(2026, 3, 3, 16))
        self.propose(new_moved, datetime(2026, 3, 4, 16), kind="creation")
        self.propose(new_kept, new_kept.date, hours=new_kept.duree, kind="creation")
        self.propose(moved, datetime(2026, 3, 5, 14))
        self.propose(outdated, datetime(2026, 3, 6, 7), state="outdated")
        # the same time, another title: the badge says it, nothing to draw
        self.propose(renamed, renamed.date, hours=renamed.duree, proposed_name="Nouveau titre")
        self.propose(later, datetime(2026, 3, 20, 8))  # not in the week shown
        self.propose(decided, datetime(2026, 3, 5, 8), state="refused")
        self.propose(sophies, datetime(2026, 3, 5, 10))
        answer, _queries = self.planning()
        self.assertEqual(
            [(block["name"], block["start"]) for block in answer],
            [
                ("Nouveau", "2026-03-04 16:00:00"),
                ("De Sophie", "2026-03-05 10:00:00"),
                ("Déplacé", "2026-03-05 14:00:00"),
                ("Dépassé", "2026-03-06 07:00:00"),
            ],
        )
        self.assertTrue(renamed.of_google_proposal_pending, "its badge")
        # the planning's filters: Jean's RDVs only
        answer, _queries = self.planning([("employee_ids", "in", self.jean_emp.ids)])
        self.assertEqual([block["name"] for block in answer], ["Nouveau", "Déplacé", "Dépassé"])
        # someone who may not decide is shown none
        answer, _queries = self.planning(user=self.clerk)
        self.assertEqual(answer, [])

    def test_forty_proposals_cost_what_three_do(self):
        def week_of(count, offset):
            for index in range(count):
                rdv = self.make_rdv(
                    name="RDV %d" % (offset + index),
                    date=datetime(2026, 3, 2 + index % 5, 6 + index % 10),
                )
                self.propose(rdv, rdv.date + timedelta(days=1, minutes=30))

        week_of(3, 0)
        self.emulator.clear_log()
        self.planning()  # the registry's caches warm, as on a running server
        few, few_queries = self.planning([("employee_ids", "in", self.jean_emp.ids)])
        week_of(40, 3)
        many, many_queries = self.planning([("employee_ids", "in", self.jean_emp.ids)])
        self.assertEqual((len(few), len(many)), (3, 43))
        self.assertLessEqual(few_queries, 6)
        self.assertEqual(many_queries, few_queries, "the cost does not grow with the proposals")
        self.assertEqual(self.emulator.http_round_trips(), 0, self.emulator.request_log)

    def test_bad_input_is_a_clear_error(self):
        rdv_model = self.env["of.planning.intervention"].with_user(self.jean)
        with self.assertRaisesRegex(UserError, "empty period"):
            rdv_model.of_google_proposal_blocks([], WEEK[1], WEEK[0])
        with self.assertRaisesRegex(UserError, "at most six weeks"):
            rdv_model.of_google_proposal_blocks([], "2026-03-01 00:00:00", "2026-06-01 00:00:00")
        with self.assertRaisesRegex(UserError, "unreadable dates"):
            rdv_model.of_google_proposal_blocks([], "lundi", WEEK[1])
        for domain in ("everything", [("no_such_field", "=", 1)], [("name", "~~", "x")]):
            with self.assertRaisesRegex(UserError, "unreadable filter"):
                rdv_model.of_google_proposal_blocks(domain, *WEEK)

    def test_the_activity_menu_counts_them_for_planners(self):
        rdvs = [self.make_rdv(name="RDV %d" % n) for n in range(3)]
        self.propose(rdvs[0], datetime(2026, 3, 4, 9))
        self.propose(rdvs[1], datetime(2026, 3, 4, 11), state="outdated")
        self.propose(rdvs[2], datetime(2026, 3, 4, 13), state="accepted")
        groups = proposal_groups(self.env(user=self.jean))
        self.assertEqual(len(groups), 1)
        self.assertEqual(
            (groups[0]["name"], groups[0]["type"], groups[0]["total_count"]),
            ("Changes proposed", "of_google_proposal", 2),
        )
        self.assertTrue(groups[0]["icon"])
        # one count, whatever the number of proposals
        self.assertLessEqual(self.counter_queries(), 2)
        for rdv in [self.make_rdv(name="Autre %d" % n) for n in range(20)]:
            self.propose(rdv, datetime(2026, 3, 5, 9))
        self.assertLessEqual(self.counter_queries(), 2)
        self.assertEqual(proposal_groups(self.env(user=self.jean))[0]["total_count"], 22)
        # not to someone who may not decide them
        self.assertFalse(proposal_groups(self.env(user=self.clerk)))
        # none to decide: no entry
        self.env["of.google.proposal"].search([]).write({"state": "refused"})
        self.assertFalse(proposal_groups(self.env(user=self.jean)))

    def test_in_french(self):
        self.french()
        self.jean.lang = "fr_FR"
        rdv = self.make_rdv(name="Chaudière")
        self.propose(rdv, datetime(2026, 3, 4, 9))
        answer, _queries = self.planning()
        self.assertEqual(answer[0]["label"], "Proposé : Chaudière")
        groups = activity_groups(self.env(user=self.jean, context={"lang": "fr_FR"}))
        self.assertIn("Changements proposés", [group["name"] for group in groups])
        with self.assertRaisesRegex(UserError, "période vide"):
            self.env["of.planning.intervention"].with_user(self.jean).with_context(
                lang="fr_FR"
            ).of_google_proposal_blocks([], WEEK[1], WEEK[0])
        # the badge and the activity menu's line, as the web client gets them
        web = {
            message["id"]: message["string"]
            for message in code_translations.get_web_translations(
                "openfire_google_calendar", "fr_FR"
            )["messages"]
        }
        self.assertEqual(
            (web["Proposed"], web["Change proposed from Google Calendar"], web["to decide"]),
            ("Proposé", "Changement proposé depuis Google Agenda", "à décider"),
        )
        with self.assertRaisesRegex(UserError, "filtre illisible"):
            self.env["of.planning.intervention"].with_user(self.jean).with_context(
                lang="fr_FR"
            ).of_google_proposal_blocks("tout", *WEEK)
