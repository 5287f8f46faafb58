# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "OpenFire Google Calendar",
    "summary": "Two-way sync of the RDVs planning with the technicians' Google Calendar",
    "version": "17.0.1.3.0",
    "category": "Services/Field Service",
    "author": "openfire-google-calendar",
    "website": "https://github.com/openfire-google-calendar/openfire-google-calendar",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["openfire-google-calendar"],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "depends": ["openfire_planning", "google_calendar"],
    "external_dependencies": {"python": ["google-api-python-client", "google-auth-oauthlib"]},
    "data": [
        "security/of_planning_google_security.xml",
        "security/ir.model.access.csv",
        "data/of_planning_google_data.xml",
        "wizards/of_google_calendar_choice_views.xml",
        "wizards/of_planning_slot_finder_views.xml",
        "wizards/of_google_busy_calendar_choice_views.xml",
        "views/res_config_settings_views.xml",
        "views/res_config_settings_technicians_views.xml",
        "views/res_users_views.xml",
        "views/oauth_templates.xml",
        "views/of_planning_intervention_views.xml",
        "views/of_planning_intervention_content_views.xml",
        "views/of_google_sync_admin_views.xml",
        "views/hr_employee_views.xml",
        "views/of_google_proposal_views.xml",
    ],
    "assets": {
        "web.assets_backend": [
            "openfire_google_calendar/static/src/views/*",
            "openfire_google_calendar/static/src/activity_menu/*",
        ],
        "web.assets_tests": [
            "openfire_google_calendar/static/tests/tours/*",
        ],
    },
}
