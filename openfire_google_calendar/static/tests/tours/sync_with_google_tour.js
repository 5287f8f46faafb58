/** @odoo-module **/

import {registry} from "@web/core/registry";
import {session} from "@web/session";

// One tour for every series: 18 refuses the keys `test` and `extra_trigger` (a step of its
// own does the waiting; not a `:has()` trigger, which 17's jQuery cannot match), and 19 wants
// `expectUnloadPage` on the step that leaves the page, a key 18 refuses.
const SERIES = (session.server_version_info || [17])[0];
const leavesPage = SERIES >= 19 ? {expectUnloadPage: true} : {};

/**
 * The user's story: "Sync. with Google" in the planning, the pop-up, Google's consent page
 * (the emulator's, which approves itself in this test), back in Odoo, the sync runs by itself.
 */
registry.category("web_tour.tours").add("openfire_google_calendar_sync_tour", {
    url: "/web#action=openfire_planning.action_of_planning_intervention_calendar",
    steps: () => [
        {
            content: "Press Sync. with Google",
            trigger: ".o_of_google_sync:not([disabled])",
            run: "click",
        },
        {
            content: "The pop-up says we are going to Google",
            trigger: ".modal-body:contains('sent to Google')",
            run: () => {},
        },
        {
            content: "OK: off to Google",
            trigger: ".modal-footer .btn-primary",
            run: "click",
            ...leavesPage,
        },
        {
            content: "Back from Google, the sync ran by itself",
            trigger: ".o_notification:contains('Synced with Google')",
            run: () => {},
        },
    ],
});
