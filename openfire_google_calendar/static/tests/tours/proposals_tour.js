/** @odoo-module **/

import {registry} from "@web/core/registry";

const RDVS = "/web#action=openfire_planning.action_of_planning_intervention";

/** A planner opens an RDV whose time a technician changed on his phone
 * (proposal mode): the banner shows it, and he answers with `button`. */
function answer(button) {
    return () => [
        {
            content: "Open the RDV the technician moved",
            trigger: ".o_data_row:contains('Proposition du tour') .o_data_cell:first",
            run: "click",
        },
        {
            content: "The banner shows the proposed change",
            trigger: ".o_of_google_proposal:contains('Change proposed from Google Calendar')",
            run: () => {},
        },
        {
            content: "Answer it",
            trigger: button,
            run: "click",
        },
        {
            content: "The banner is gone",
            trigger: ".o_form_view:not(:has(.o_of_google_proposal:visible))",
            run: () => {},
        },
    ];
}

registry.category("web_tour.tours").add("openfire_google_calendar_proposal_refuse_tour", {
    url: RDVS,
    steps: answer(".o_of_google_refuse"),
});

registry.category("web_tour.tours").add("openfire_google_calendar_proposal_accept_tour", {
    url: RDVS,
    steps: answer(".o_of_google_accept"),
});
