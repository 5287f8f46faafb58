/** @odoo-module **/

import {deserializeDateTime, serializeDateTime} from "@web/core/l10n/dates";
import {CalendarCommonRenderer} from "@web/views/calendar/calendar_common/calendar_common_renderer";
import {calendarView} from "@web/views/calendar/calendar_view";

export const NO_AVAILABILITY = Object.freeze({enabled: false, blocks: [], doubts: []});

const COLORS = {busy: "#6c757d", absence: "#dc3545", location: "#0d6efd"};
// A month cell is a whole day: an hour of busy time would shade it all.
const MONTH_KINDS = new Set(["absence", "location"]);

/**
 * The technicians the planning shows: those of the RDVs it loaded, less those whose filter
 * the planner unticked.
 */
function shownTechnicians(meta, data) {
    const ids = new Set();
    for (const record of Object.values(data.records || {})) {
        for (const id of record.rawRecord.employee_ids || []) {
            ids.add(id);
        }
    }
    for (const [fieldName, section] of Object.entries(data.filterSections || {})) {
        const field = meta.fields[fieldName];
        if (field && field.relation === "hr.employee") {
            for (const filter of section.filters || []) {
                if (!filter.active && filter.type !== "all") {
                    ids.delete(filter.value);
                }
            }
        }
    }
    return [...ids];
}

/**
 * The technicians' Google busy time, absences and working locations over the loaded range,
 * and whose availability is unknown: one call, answered from the database.
 */
export async function loadAvailability(model, data) {
    const ids = model.meta.scale === "year" ? [] : shownTechnicians(model.meta, data);
    if (!ids.length) {
        return NO_AVAILABILITY;
    }
    return model.orm.call(model.meta.resModel, "of_availability_blocks", [
        ids,
        serializeDateTime(data.range.start),
        serializeDateTime(data.range.end),
    ]);
}

/**
 * A FullCalendar background event (FullCalendar 4 on 17.0, 6 on 18.0 and 19.0): labelled,
 * neither clickable nor draggable (the renderer treats it as a block); an all-day one covers
 * the days [start, stop) touches, in the days' row.
 */
export function backgroundEvent({id, title, color, classNames, block, start, stop, allDay}) {
    const event = {
        id,
        title,
        backgroundColor: color,
        classNames,
        // 17.0's FullCalendar reads "rendering", 18.0's and 19.0's "display"
        rendering: "background",
        display: "background",
        editable: false,
        extendedProps: {ofBlock: block},
    };
    const begin = deserializeDateTime(start);
    const end = deserializeDateTime(stop);
    if (allDay) {
        event.allDay = true;
        event.start = begin.toISODate();
        event.end = end.minus({milliseconds: 1}).startOf("day").plus({days: 1}).toISODate();
    } else {
        event.start = begin.toISO();
        event.end = end.toISO();
    }
    return event;
}

/** A block of availability: the day's place is an all-day event. */
function blockToEvent(block, index) {
    return backgroundEvent({
        id: `of_availability_${index}`,
        title:
            block.kind === "location"
                ? `${block.name} · ${block.label}`
                : `${block.kind_label} · ${block.name}`,
        color: COLORS[block.kind],
        classNames: ["o_of_availability_block", `o_of_availability_${block.kind}`],
        block,
        start: block.start,
        stop: block.stop,
        allDay: block.kind === "location",
    });
}

function blockOf(event) {
    return event.extendedProps && event.extendedProps.ofBlock;
}

/**
 * The day, week and month grids with the technicians' availability behind the RDVs, as
 * background events: not editable, not clickable, labelled with the kind and the technician.
 */
export class PlanningAvailabilityCommonRenderer extends CalendarCommonRenderer {
    mapRecordsToEvents() {
        const events = super.mapRecordsToEvents();
        const availability = this.props.model.ofAvailability || NO_AVAILABILITY;
        const month = this.props.model.scale === "month";
        availability.blocks.forEach((block, index) => {
            if (!month || MONTH_KINDS.has(block.kind)) {
                events.push(blockToEvent(block, index));
            }
        });
        return events;
    }

    /** 17.0 (FullCalendar 4): background events show no title; add it. */
    onEventRender(info) {
        const block = blockOf(info.event);
        if (!block) {
            return super.onEventRender(info);
        }
        info.el.classList.add(...info.event.classNames);
        info.el.title = info.event.title;
        if (!info.el.querySelector(".fc-event-title")) {
            const label = document.createElement("div");
            label.className = "fc-event-title";
            label.textContent = info.event.title;
            info.el.appendChild(label);
        }
    }

    /** 18.0 and 19.0 (FullCalendar 6). */
    eventClassNames(arg) {
        if (blockOf(arg.event)) {
            return [...arg.event.classNames];
        }
        return super.eventClassNames(arg);
    }

    onEventContent(arg) {
        if (blockOf(arg.event)) {
            return true; // FullCalendar's own: the title
        }
        return super.onEventContent(arg);
    }

    onEventDidMount(arg) {
        if (blockOf(arg.event)) {
            arg.el.title = arg.event.title;
            return;
        }
        return super.onEventDidMount(arg);
    }

    onEventClick(info) {
        if (!blockOf(info.event)) {
            return super.onEventClick(info);
        }
    }

    onEventMouseEnter(info) {
        if (!blockOf(info.event)) {
            return super.onEventMouseEnter(info);
        }
    }

    onEventMouseLeave(info) {
        if (!blockOf(info.event)) {
            return super.onEventMouseLeave(info);
        }
    }
}

export class PlanningAvailabilityRenderer extends calendarView.Renderer {
    static components = {
        ...calendarView.Renderer.components,
        day: PlanningAvailabilityCommonRenderer,
        week: PlanningAvailabilityCommonRenderer,
        month: PlanningAvailabilityCommonRenderer,
    };
}
