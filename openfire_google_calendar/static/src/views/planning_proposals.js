/** @odoo-module **/

import {
    PlanningAvailabilityCommonRenderer,
    PlanningAvailabilityRenderer,
    backgroundEvent,
} from "./planning_availability";
import {serializeDateTime} from "@web/core/l10n/dates";

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

/** A proposed time: a ghost beside the planned RDV. */
function proposalToEvent(proposal) {
    return backgroundEvent({
        id: `of_proposal_${proposal.id}`,
        title: proposal.label,
        color: GHOST_COLOR,
        classNames: ["o_of_proposal_block"],
        block: {...proposal, kind: "proposal"},
        start: proposal.start,
        stop: proposal.stop,
        allDay: proposal.all_day,
    });
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
