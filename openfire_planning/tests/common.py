# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from datetime import datetime

from odoo.exceptions import ValidationError
from odoo.release import version_info
from odoo.tests import TransactionCase

# Odoo 19 renamed res.users.groups_id to group_ids, which holds the groups given directly;
# the implied ones are in all_group_ids (17 and 18 add them to groups_id).
USER_GROUPS = "group_ids" if version_info[0] >= 19 else "groups_id"
USER_ALL_GROUPS = "all_group_ids" if version_info[0] >= 19 else "groups_id"


class PlanningCase(TransactionCase):
    """Technicians and a customer made here, so the tests also run on a
    database without demo data."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Rdv = cls.env["of.planning.intervention"]
        cls.tech_user = cls.env["res.users"].create(
            {
                "name": "Tech Test",
                "login": "tech_test@example.com",
                "tz": "Europe/Paris",
                USER_GROUPS: [(6, 0, [cls.env.ref("openfire_planning.group_of_planning_user").id])],
            }
        )
        cls.tech = cls.env["hr.employee"].create(
            {
                "name": "Tech Test",
                "user_id": cls.tech_user.id,
                "work_email": "tech_test@example.com",
            }
        )
        cls.tech2 = cls.env["hr.employee"].create({"name": "Second Tech"})
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Client Test",
                "street": "1 rue de la Paix",
                "city": "Paris",
            }
        )
        cls.tache = cls.env["of.planning.tache"].create({"name": "Test task", "duree": 2.5})

    def make_rdv(self, **values):
        base = {
            "name": "RDV test",
            "employee_ids": [(6, 0, self.tech.ids)],
            "date": datetime(2026, 3, 2, 8, 0),
            "duree": 2.0,
            "tz": "Europe/Paris",
            "partner_id": self.customer.id,
        }
        base.update(values)
        return self.Rdv.create(base)

    def weekly_series(self, count=5, **values):
        """A Monday 09:00 (Paris) series starting 2 March 2026."""
        return self.make_rdv(
            recurrency=True,
            rrule_type="weekly",
            interval=1,
            mo=True,
            end_type="count",
            count=count,
            **values,
        )

    @contextmanager
    def assertRefused(self, message):
        """The operation is refused with `message`; then, as a request would,
        forget the failed transaction's state so what follows reads the
        database."""
        # assertRaises, unlike assertRaisesRegex, rolls back to a savepoint.
        with self.assertRaises(ValidationError) as caught:
            yield
        self.assertRegex(str(caught.exception), message)
        self.env.clear()
