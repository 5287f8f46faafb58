/** @odoo-module **/

import {registry} from "@web/core/registry";

/**
 * The Interventions settings say where Google's Client ID and secret are set:
 * the words and the link beside them lead to the two fields.
 */
registry.category("web_tour.tours").add("openfire_google_calendar_credentials_tour", {
    url: "/web#action=openfire_planning.action_of_planning_config_settings",
    steps: () => [
        {
            content: "The settings say where the credentials are",
            trigger: ".text-muted:contains('Settings > Calendar, under \"Google Calendar\"')",
            run: () => {},
        },
        {
            content: "Follow the link beside the words",
            trigger: "button:contains('Google credentials')",
            run: "click",
        },
        {
            content: "The Calendar settings, section Google Calendar",
            trigger: ".o_setting_box:contains('Google Calendar') [name='cal_client_id'] input",
            run: () => {},
        },
        {
            content: "The Client Secret beside it",
            trigger: ".o_setting_box:contains('Google Calendar') [name='cal_client_secret'] input",
            run: () => {},
        },
    ],
});
