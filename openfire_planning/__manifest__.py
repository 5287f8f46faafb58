# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "OpenFire Planning",
    "summary": "Field-service appointments (RDVs) with recurring series, for OpenFire users",
    "version": "17.0.1.0.0",
    "category": "Services/Field Service",
    "author": "openfire-google-calendar",
    "website": "https://github.com/openfire-google-calendar/openfire-google-calendar",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["openfire-google-calendar"],
    "depends": ["mail", "hr"],
    "external_dependencies": {"python": ["python-dateutil"]},
    "data": [
        "security/of_planning_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/of_planning_tache_data.xml",
        "views/of_planning_tache_views.xml",
        "views/of_planning_intervention_views.xml",
        "views/res_config_settings_views.xml",
        "views/of_planning_menus.xml",
    ],
    "demo": ["demo/of_planning_demo.xml"],
    "application": True,
}
