/** @odoo-module **/

import {registry} from "@web/core/registry";

/**
 * An RDV planned over its technician's busy time in Google: the form says so; "Find a slot"
 * proposes the first free time, and one click plans the RDV there (the warning is gone).
 */
registry.category("web_tour.tours").add("openfire_google_calendar_availability_tour", {
    steps: () => [
        {
            content: "The form warns of the busy time",
            trigger: ".o_of_availability_warning:contains('is busy (Google)')",
            run: () => {},
        },
        {
            content: "Find a slot",
            trigger: "button[name='action_of_find_slot']",
            run: "click",
        },
        {
            content: "Free slots are proposed",
            trigger: ".o_data_row:has(button[name='action_choose'])",
            run: () => {},
        },
        {
            content: "Plan the RDV in the first one",
            trigger: ".o_data_row:first button[name='action_choose']",
            run: "click",
        },
        {
            content: "The RDV is no longer over the busy time",
            trigger: ".o_form_view:not(:has(.o_of_availability_warning))",
            run: () => {},
        },
    ],
});
