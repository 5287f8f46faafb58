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

const PROPOSED_RDV =
    ".o_calendar_renderer .fc-event.o_of_google_proposed_event:contains('Proposition du tour')";

/**
 * The planner sees the technician's move in the planning, without opening the RDV: a badge
 * on the RDV, the proposed time drawn beside it; and the activity menu counts it, one click
 * from the list of the changes to decide.
 */
registry.category("web_tour.tours").add("openfire_google_calendar_proposal_planning_tour", {
    steps: () => [
        {
            content: "The RDV carries the badge",
            trigger: `${PROPOSED_RDV} .o_of_google_proposed:contains('Proposed')`,
            run: () => {},
        },
        {
            content: "The proposed time is drawn beside it",
            trigger:
                ".o_calendar_renderer .o_of_proposal_block:contains('Proposed: Proposition du tour')",
            run: () => {},
        },
        {
            content: "Open the activity menu",
            trigger: ".o_menu_systray .fa-clock-o",
            run: "click",
        },
        {
            content: "It counts the change to decide",
            trigger: ".o-mail-ActivityGroup:contains('Changes proposed'):contains('1 to decide')",
            run: "click",
        },
        {
            content: "The list of the changes to decide opens",
            trigger: ".o_list_view .o_data_row:contains('Proposition du tour')",
            run: () => {},
        },
    ],
});
