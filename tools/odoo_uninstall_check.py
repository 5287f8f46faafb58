# Run by tools/odoo_tier.sh through `odoo-bin shell`: uninstall the connector, then check the
# planning still plans, series included.
from datetime import datetime

module = env["ir.module.module"].search([("name", "=", "openfire_google_calendar")])
module.button_immediate_uninstall()
env.cr.commit()
env.invalidate_all()
assert (
    env["ir.module.module"].search([("name", "=", "openfire_google_calendar")]).state
    == "uninstalled"
)
assert env["ir.module.module"].search([("name", "=", "openfire_planning")]).state == "installed"
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
env.cr.rollback()
print("uninstall check: ok (connector uninstalled, a 3-RDV series still planned)")
