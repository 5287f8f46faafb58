# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The LocalSide contract (sync/local_side_contract.py) against the ORM: the
same suite the sync core's tests run against their in-memory Odoo."""

from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from ..services.odoo_local_side import OdooLocalSide
from ..services.rdv_conversion import parse_key, series_key
from ..services.sync_session import _user_env
from ..sync.local_side_contract import LocalSideContract


@tagged("post_install", "-at_install")
class TestOdooLocalSideContract(LocalSideContract, HttpCase):
    """An HTTP case for its test mode: the side commits item by item, in a
    cursor that shares the test's transaction."""

    # The contract's tests are inherited: 18+ collects those only when told to.
    allow_inherited_tests_method = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env,
            login="contract_tech",
            tz="Europe/Paris",
            groups="base.group_user,openfire_planning.group_of_planning_user",
        )
        cls.employee = cls.env["hr.employee"].create({"name": "Contrat", "user_id": cls.user.id})
        cls.account = cls.env["of.google.account"]._for_user(cls.user)

    def new_side(self):
        self.env.flush_all()
        cursor = self.registry.cursor()
        self.addCleanup(cursor.close)
        account = _user_env(cursor, self.user.id)["of.google.account"].browse(self.account.id)
        return OdooLocalSide(account)

    def rdv(self, key):
        self.env.invalidate_all()
        return self.env["of.planning.intervention"].browse(parse_key(key)[1])

    def plan_rdv(self, summary, start, end, state="confirm", **_fields):
        naive = start.replace(tzinfo=None) - start.utcoffset()
        record = self.env["of.planning.intervention"].create(
            {
                "name": summary,
                "date": naive,
                "duree": (end - start) / timedelta(hours=1),
                "state": state,
                "tz": "Europe/Paris",
                "employee_ids": [Command.set(self.employee.ids)],
            }
        )
        # written now, as a planner's save is: the sides read it from their own cursors
        self.env.flush_all()
        return str(record.id)

    def replan_rdv(self, key, **fields):
        values = {"name": fields.pop("summary")} if "summary" in fields else {}
        self.rdv(key).write(values)

    def drop_rdv(self, key):
        self.rdv(key).unlink()

    def plan_series(self, summary, start, end, rule):
        first = self.env["of.planning.intervention"].browse(
            int(self.plan_rdv(summary=summary, start=start, end=end))
        )
        first.write({"recurrency": True, "rule_lines": rule})
        return series_key(first.recurrence_id)

    def conflict_notes(self, key):
        return "\n".join(self.rdv(key).message_ids.mapped("body"))
