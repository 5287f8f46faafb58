/** @odoo-module **/

import {deserializeDateTime, serializeDateTime} from "@web/core/l10n/dates";
import {
    PlanningAvailabilityCommonRenderer,
    PlanningAvailabilityRenderer,
} from "./planning_availability";

const GHOST_COLOR = "#0dcaf0";

/**
 * Where technicians proposed, from Google, to move the RDVs the planning shows (its own
 * filters) over the loaded range: one call, answered from the database.
 */
export async function loadProposals(model, data) {
    if (model.meta.scale === "year") {
        return [];
    }
    const domain = [...model.meta.domain, ...model.computeFiltersDomain(data)];
    return model.orm.call(model.meta.resModel, "of_google_proposal_blocks", [
        domain,
        serializeDateTime(data.range.start),
        serializeDateTime(data.range.end),
    ]);
}

/**
 * A proposed time as a FullCalendar background event: a ghost beside the planned RDV,
 * labelled, neither clickable nor draggable (the renderer treats it as a block).
 */
function proposalToEvent(proposal) {
    const start = deserializeDateTime(proposal.start);
    const stop = deserializeDateTime(proposal.stop);
    const event = {
        id: `of_proposal_${proposal.id}`,
        title: proposal.label,
        backgroundColor: GHOST_COLOR,
        classNames: ["o_of_proposal_block"],
        // 17.0's FullCalendar reads "rendering", 18.0's and 19.0's "display"
        rendering: "background",
        display: "background",
        editable: false,
        extendedProps: {ofBlock: {...proposal, kind: "proposal"}},
    };
    if (proposal.all_day) {
        event.allDay = true;
        event.start = start.toISODate();
        event.end = stop.minus({milliseconds: 1}).startOf("day").plus({days: 1}).toISODate();
    } else {
        event.start = start.toISO();
        event.end = stop.toISO();
    }
    return event;
}

function isProposed(record) {
    return Boolean(record && record.rawRecord && record.rawRecord.of_google_proposal_pending);
}

/**
 * The grids with the changes technicians proposed: a badge on the RDV (its template), and the
 * proposed time drawn as a ghost beside it. In a month, a timed ghost would shade the whole
 * day: only the badge.
 */
export class PlanningProposalsCommonRenderer extends PlanningAvailabilityCommonRenderer {
    static eventTemplate = "openfire_google_calendar.PlanningEvent";

    mapRecordsToEvents() {
        const events = super.mapRecordsToEvents();
        const month = this.props.model.scale === "month";
        for (const proposal of this.props.model.ofProposals || []) {
            if (!month || proposal.all_day) {
                events.push(proposalToEvent(proposal));
            }
        }
        return events;
    }

    /** 17.0 (FullCalendar 4). */
    onEventRender(info) {
        const result = super.onEventRender(info);
        if (isProposed(this.props.model.records[info.event.id])) {
            info.el.classList.add("o_of_google_proposed_event");
        }
        return result;
    }

    /** 18.0 and 19.0 (FullCalendar 6). */
    eventClassNames(arg) {
        const classNames = super.eventClassNames(arg);
        if (isProposed(this.props.model.records[arg.event.id])) {
            return [...classNames, "o_of_google_proposed_event"];
        }
        return classNames;
    }
}

export class PlanningProposalsRenderer extends PlanningAvailabilityRenderer {
    static components = {
        ...PlanningAvailabilityRenderer.components,
        day: PlanningProposalsCommonRenderer,
        week: PlanningProposalsCommonRenderer,
        month: PlanningProposalsCommonRenderer,
    };
}
