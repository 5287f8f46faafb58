# Run by tools/odoo_tier.sh through `odoo-bin shell`: uninstall the connector, then check that
# nothing of it is left in the database's schema (the tables its init() makes in plain SQL
# included: its uninstall hook drops them) and that the planning still plans, series included.
from datetime import datetime

# What the connector made outside the ORM (services/quota.py): the check means something only
# when they were there before.
RAW_TABLES = {"of_google_quota_use", "of_google_not_before"}


def connector_relations():
    """Tables, indexes, sequences, views named after the connector's models (of.google.*)."""
    env.cr.execute(
        "SELECT relname, relkind FROM pg_class WHERE relname LIKE %s ORDER BY relname",
        ["%of\\_google\\_%"],
    )
    return env.cr.fetchall()


before = {name for name, _kind in connector_relations()}
assert RAW_TABLES <= before, "not created by the install: %s" % sorted(RAW_TABLES - before)

module = env["ir.module.module"].search([("name", "=", "openfire_google_calendar")])
module.button_immediate_uninstall()
env.cr.commit()
env.invalidate_all()
assert (
    env["ir.module.module"].search([("name", "=", "openfire_google_calendar")]).state
    == "uninstalled"
)
assert env["ir.module.module"].search([("name", "=", "openfire_planning")]).state == "installed"
left = connector_relations()
assert not left, "left by the uninstall: %s" % left

# An RDV made while the connector was there (demo data), moved below.
older = env["of.planning.intervention"].search([], limit=1)
employee = env["hr.employee"].create({"name": "After uninstall"})
rdv = env["of.planning.intervention"].create(
    {
        "name": "Still planning",
        "employee_ids": [(6, 0, employee.ids)],
        "date": datetime(2030, 1, 7, 8),
        "duree": 1.0,
        "recurrency": True,
        "rrule_type": "weekly",
        "mo": True,
        "end_type": "count",
        "count": 3,
    }
)
assert len(rdv.recurrence_id.intervention_ids) == 3, rdv.recurrence_id.intervention_ids
if older:
    older.write({"date": datetime(2030, 2, 4, 9)})
    older.flush_recordset()
env.cr.rollback()
print(
    "uninstall check: ok (connector uninstalled, %d of its relations gone with it, its SQL "
    "tables included; a 3-RDV series still planned)" % len(before)
)
