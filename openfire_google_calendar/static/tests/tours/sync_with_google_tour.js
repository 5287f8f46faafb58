/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * The user's story: "Sync. with Google" in the planning, the pop-up, Google's consent page
 * (the emulator's, which approves itself in this test), back in Odoo, the sync runs by itself.
 */
registry.category("web_tour.tours").add("openfire_google_calendar_sync_tour", {
    test: true,
    url: "/web#action=openfire_planning.action_of_planning_intervention_calendar",
    steps: () => [
        {
            content: "Press Sync. with Google",
            trigger: ".o_of_google_sync:not([disabled])",
            run: "click",
        },
        {
            content: "The pop-up says we are going to Google: OK",
            trigger: ".modal-footer .btn-primary",
            extra_trigger: ".modal-body:contains('sent to Google')",
            run: "click",
        },
        {
            content: "Back from Google, the sync ran by itself",
            trigger: ".o_notification:contains('Synced with Google')",
            run: () => {},
        },
    ],
});
