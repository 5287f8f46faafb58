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

const RDV =
    ".o_calendar_renderer .fc-event:not(.o_of_availability_block):contains('Planning tour')";

// The time grid's rows (half-hours): FullCalendar 4 (17.0), then 6 (18.0, 19.0).
const ROWS = ".fc-slats tr[data-time], .fc-timegrid-slots td.fc-timegrid-slot-lane[data-time]";

function nextFrame() {
    return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 20)));
}

/** The time grid's row at ``y`` (a viewport ordinate). */
function rowAt(y) {
    return [...document.querySelectorAll(ROWS)]
        .map((row) => row.getBoundingClientRect())
        .find((box) => box.top <= y && y < box.bottom);
}

/**
 * Drag the RDV onto the target block, with the mouse events FullCalendar listens to: grabbed
 * in its first row, dropped in the target's first row at the same height (the RDV then starts
 * when the block does), in the target's column.
 */
async function dragRdvTo(targetSelector) {
    // a block over midnight (in the browser's zone) is drawn in two parts: the longer one
    const target = [...document.querySelectorAll(targetSelector)].sort(
        (a, b) => b.getBoundingClientRect().height - a.getBoundingClientRect().height
    )[0];
    const rdv = [...document.querySelectorAll(".o_calendar_renderer .fc-event")].find(
        (el) =>
            !el.classList.contains("o_of_availability_block") &&
            el.textContent.includes("Planning tour")
    );
    // the RDV and the target's start in the middle of the grid: FullCalendar scrolls the grid
    // when the mouse nears its edges, which would move the drop
    const scroller = rdv.closest(".fc-scroller");
    const frame = scroller.getBoundingClientRect();
    const top = Math.max(target.getBoundingClientRect().top, frame.top);
    const middle = (rdv.getBoundingClientRect().top + top) / 2;
    scroller.scrollTop += middle - (frame.top + frame.height / 2);
    await nextFrame();
    const from = rdv.getBoundingClientRect();
    const fromRow = rowAt(from.top + 2);
    const box = target.getBoundingClientRect();
    // an all-day block starts before the visible hours: the RDV keeps its time
    const toRow = box.top < fromRow.top ? fromRow : rowAt(box.top + 2);
    // between the quarter-hours FullCalendar snaps to
    const inRow = fromRow.height * 0.25;
    const start = {x: from.left + from.width / 2, y: fromRow.top + inRow};
    const end = {x: box.left + box.width / 2, y: toRow.top + inRow};
    const mouse = (type, point, on) =>
        on.dispatchEvent(
            new MouseEvent(type, {
                bubbles: true,
                cancelable: true,
                view: window,
                button: 0,
                buttons: type === "mouseup" ? 0 : 1,
                clientX: point.x,
                clientY: point.y,
            })
        );
    mouse("mousedown", start, rdv.querySelector(".fc-content, .fc-event-main") || rdv);
    await nextFrame();
    for (let step = 1; step <= 10; step++) {
        const point = {
            x: start.x + ((end.x - start.x) * step) / 10,
            y: start.y + ((end.y - start.y) * step) / 10,
        };
        mouse("mousemove", point, document.elementFromPoint(point.x, point.y) || document.body);
        await nextFrame();
    }
    mouse("mouseup", end, document.elementFromPoint(end.x, end.y) || document.body);
    await nextFrame();
}

/**
 * The planning draws the technician's Google busy time and absence behind his RDVs; an RDV
 * dragged onto the busy time is warned of, onto the absence refused (and drawn back).
 */
registry.category("web_tour.tours").add("openfire_google_calendar_planning_availability_tour", {
    steps: () => [
        {
            content: "The RDV is in the planning",
            trigger: RDV,
            run: () => {},
        },
        {
            content: "The busy time is drawn",
            trigger: ".o_of_availability_busy:contains('Jean')",
            run: () => {},
        },
        {
            content: "The absence is drawn",
            trigger: ".o_of_availability_absence:contains('Jean')",
            run: () => {},
        },
        {
            content: "Drag the RDV onto the busy time",
            trigger: RDV,
            run: () => dragRdvTo(".o_of_availability_busy"),
        },
        {
            content: "A warning names the technician and the time",
            trigger: ".o_of_availability_notification:contains('Jean is busy (Google)')",
            run: () => {},
        },
        {
            content: "Drag the RDV onto the absence, the next day",
            trigger: RDV,
            run: () => dragRdvTo(".o_of_availability_absence"),
        },
        {
            content: "Refused: the technician is absent",
            trigger: ".o_of_availability_refused:contains('Jean is absent')",
            run: () => {},
        },
    ],
});
