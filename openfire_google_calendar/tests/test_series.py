# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from psycopg2 import IntegrityError

from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestSeriesConstraints(TransactionCase):
    """Odoo 19 silently ignores _sql_constraints (models.Constraint instead): on every
    series the unique constraints must be in PostgreSQL, under the same names."""

    def test_unique_constraints_are_in_postgresql(self):
        self.env.cr.execute("""
            SELECT conname FROM pg_constraint
             WHERE contype = 'u'
               AND conrelid IN ('of_google_account'::regclass, 'of_google_event_link'::regclass)
        """)
        self.assertEqual(
            sorted(name for (name,) in self.env.cr.fetchall()),
            [
                "of_google_account_employee_unique",
                "of_google_account_user_unique",
                "of_google_event_link_event_unique",
                "of_google_event_link_key_unique",
            ],
        )

    def test_an_account_belongs_to_a_user_or_an_employee(self):
        self.env.cr.execute(
            "SELECT conname FROM pg_constraint WHERE contype = 'c' "
            "AND conrelid = 'of_google_account'::regclass"
        )
        self.assertIn("of_google_account_owner_set", [name for (name,) in self.env.cr.fetchall()])
        Account = self.env["of.google.account"].sudo()
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Account.create({"kind": "delegated"})
        employee = self.env["hr.employee"].create({"name": "Series technician"})
        Account.create({"employee_id": employee.id, "kind": "delegated"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Account.create({"employee_id": employee.id, "kind": "shared"})

    def test_a_second_account_for_a_user_is_refused(self):
        user = new_test_user(self.env, login="series_tech", groups="base.group_user")
        Account = self.env["of.google.account"].sudo()
        Account.create({"user_id": user.id})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            with self.env.cr.savepoint():
                Account.create({"user_id": user.id})
