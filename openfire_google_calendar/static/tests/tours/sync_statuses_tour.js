/** @odoo-module **/

import {registry} from "@web/core/registry";

const PLANNING = "/web#action=openfire_planning.action_of_planning_intervention_calendar";
const pressSync = {
    content: "Press Sync. with Google",
    trigger: ".o_of_google_sync:not([disabled])",
    run: "click",
};

/** The empty-side guard stopped the sync: the user reads why, confirms, and it syncs. */
registry.category("web_tour.tours").add("openfire_google_calendar_confirm_tour", {
    url: PLANNING,
    steps: () => [
        pressSync,
        {
            content: "The dialog says why the sync stopped",
            trigger: ".modal-body:contains('looks empty')",
            run: () => {},
        },
        {
            content: "Sync anyway",
            trigger: ".modal-footer .btn-primary:contains('Sync anyway')",
            run: "click",
        },
        {
            content: "The forced sync ran",
            trigger: ".o_notification:contains('Synced with Google')",
            run: () => {},
        },
    ],
});

/** A copy of the database: a warning, and nothing is sent to Google. */
registry.category("web_tour.tours").add("openfire_google_calendar_copy_tour", {
    url: PLANNING,
    steps: () => [
        pressSync,
        {
            content: "The warning says this database is a copy",
            trigger: ".o_notification:contains('is a copy')",
            run: () => {},
        },
    ],
});

/** Google's quotas leave part of a big sync to the cron: the planning says so. */
registry.category("web_tour.tours").add("openfire_google_calendar_background_tour", {
    url: PLANNING,
    steps: () => [
        pressSync,
        {
            content: "The rest goes on in the background",
            trigger: ".o_notification:contains('in the background')",
            run: () => {},
        },
    ],
});
