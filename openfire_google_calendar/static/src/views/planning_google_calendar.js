/** @odoo-module **/

import {onMounted, onWillStart, onWillUnmount, useState} from "@odoo/owl";
import {browser} from "@web/core/browser/browser";
import {AlertDialog, ConfirmationDialog} from "@web/core/confirmation_dialog/confirmation_dialog";
import {_t} from "@web/core/l10n/translation";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {CalendarController} from "@web/views/calendar/calendar_controller";
import {calendarView} from "@web/views/calendar/calendar_view";
import {NO_AVAILABILITY, loadAvailability} from "./planning_availability";
import {PlanningProposalsRenderer, loadProposals} from "./planning_proposals";

const SYNC_ROUTE = "/google_calendar/sync_data";
// Set just before leaving for Google's consent page: back in the planning, the sync resumes.
const RESUME_KEY = "openfire_google_calendar.resume_sync";
// "in_background": the cron goes on with the rest; the planning asks again this often.
const POLL_DELAY = 30000;

/**
 * Odoo 18 replaced the "rpc" and "user" services of 17 by the modules @web/core/network/rpc
 * and @web/core/user. One code line for every series: the module when the series has it
 * (looked up at run time, since importing a module a series lacks would break the bundle),
 * else the service.
 */
function webModule(name) {
    return odoo.loader && odoo.loader.modules.get(name);
}

/**
 * The interventions calendar with the "Sync. with Google" button: the pop-up before leaving
 * for Google, the sync on return, a notification of what happened, the calendar reloaded.
 */
export class PlanningGoogleCalendarController extends CalendarController {
    static template = "openfire_google_calendar.PlanningGoogleCalendarController";

    setup() {
        super.setup();
        const rpcModule = webModule("@web/core/network/rpc");
        this.rpc = rpcModule ? rpcModule.rpc : useService("rpc");
        this.dialog = useService("dialog");
        this.notification = useService("notification");
        const userModule = webModule("@web/core/user");
        this.userService = userModule ? userModule.user : useService("user");
        this.actionService = useService("action");
        this.google = useState({visible: false, busy: false, background: false});
        this.pollTimer = null;
        onWillUnmount(() => browser.clearTimeout(this.pollTimer));
        onWillStart(async () => {
            [this.google.visible, this.isSystemUser] = await Promise.all([
                this.userService.hasGroup("openfire_google_calendar.group_of_planning_google"),
                this.userService.hasGroup("base.group_system"),
            ]);
        });
        onMounted(() => {
            if (this.google.visible && browser.sessionStorage.getItem(RESUME_KEY)) {
                browser.sessionStorage.removeItem(RESUME_KEY);
                this.syncWithGoogle();
            }
        });
    }

    /** The technicians whose Google availability the planning cannot vouch for. */
    get ofAvailabilityDoubts() {
        return this.model.ofAvailability.doubts;
    }

    /** Only a path on this server: the callback refuses anything else. */
    get returnPath() {
        const {pathname, search, hash} = browser.location;
        return `${pathname}${search}${hash}`;
    }

    /** @param {boolean} [force] the user confirmed a sync the empty-side guard stopped */
    async syncWithGoogle(force = false) {
        if (this.google.busy) {
            return;
        }
        this.google.busy = true;
        try {
            const params = {model: this.props.resModel, fromurl: this.returnPath};
            if (force === true) {
                params.force = true;
            }
            const result = await this.rpc(SYNC_ROUTE, params);
            await this.onSyncResult(result);
        } finally {
            this.google.busy = false;
        }
    }

    async onSyncResult(result) {
        if (this.google.background && result.status === "already_running") {
            return this.pollLater(); // the cron is on it: ask again later, quietly
        }
        if (result.status !== "in_background") {
            this.google.background = false;
        }
        switch (result.status) {
            case "need_auth":
                return this.askToLeaveForGoogle(result);
            case "need_config_from_admin":
                return this.askForConfiguration(result);
            case "confirm_needed":
                return this.askToForce(result);
            case "in_background":
                return this.continueInBackground(result);
            case "copy_detected":
                return this.notification.add(
                    result.message ||
                        _t(
                            "This database is a copy: its synchronization with Google Calendar is stopped until an administrator decides."
                        ),
                    {type: "warning", title: _t("Google Calendar"), sticky: true}
                );
            case "sync_paused":
                return this.dialog.add(AlertDialog, {
                    title: _t("Google Calendar"),
                    body: _t("An administrator paused the synchronization with Google Calendar."),
                });
            case "sync_stopped":
                return this.notification.add(
                    _t("Your synchronization with Google Calendar is stopped."),
                    {type: "warning"}
                );
            case "already_running":
                return this.notification.add(
                    _t("A sync with Google is already running; try again in a moment."),
                    {type: "info"}
                );
            case "error":
                return this.notification.add(result.message || _t("The sync with Google failed."), {
                    type: "danger",
                    title: _t("Google Calendar"),
                });
            default:
                this.notifySummary(result);
                await this.model.load();
        }
    }

    askToLeaveForGoogle(result) {
        const body = result.message
            ? `${result.message}\n\n${_t("You will be sent to Google to allow Odoo to access your calendar.")}`
            : _t("You will be sent to Google to allow Odoo to access your calendar.");
        this.dialog.add(ConfirmationDialog, {
            title: _t("Sync. with Google"),
            body,
            confirmLabel: _t("OK"),
            confirm: () => {
                browser.sessionStorage.setItem(RESUME_KEY, "1");
                browser.location.assign(result.url);
            },
            cancel: () => {},
        });
    }

    /**
     * Google's quotas left part of the sync to the cron: say so once, show what changed, and
     * ask again later until the sync is done (then the usual summary).
     */
    async continueInBackground(result) {
        if (!this.google.background && result.message) {
            this.notification.add(result.message, {type: "info", title: _t("Google Calendar")});
        }
        this.google.background = true;
        if (result.changed_in_odoo) {
            await this.model.load();
        }
        this.pollLater();
    }

    pollLater() {
        browser.clearTimeout(this.pollTimer);
        this.pollTimer = browser.setTimeout(() => this.syncWithGoogle(), POLL_DELAY);
    }

    /** The empty-side guard stopped the sync: say why, and sync anyway only on OK. */
    askToForce(result) {
        this.dialog.add(ConfirmationDialog, {
            title: _t("Sync. with Google"),
            body: result.message || _t("The sync with Google needs your confirmation."),
            confirmLabel: _t("Sync anyway"),
            confirm: () => this.syncWithGoogle(true),
            cancel: () => {},
        });
    }

    askForConfiguration(result) {
        if (this.isSystemUser && result.action) {
            this.dialog.add(ConfirmationDialog, {
                title: _t("Configuration"),
                body: _t(
                    "The synchronization with Google Calendar must be configured first. Do it now?"
                ),
                confirmLabel: _t("Configure"),
                confirm: () => this.actionService.doAction(result.action),
                cancel: () => {},
            });
        } else {
            this.dialog.add(AlertDialog, {
                title: _t("Configuration"),
                body: _t(
                    "An administrator must configure the synchronization with Google Calendar first."
                ),
            });
        }
    }

    notifySummary(result) {
        const parts = [];
        const add = (count, label) => count && parts.push(`${count} ${label}`);
        add(result.created, _t("created"));
        add(result.updated, _t("updated"));
        add(result.cancelled, _t("cancelled"));
        add(result.conflicts, _t("conflicts resolved"));
        if (result.errors) {
            this.notification.add(
                _t("%s RDVs could not be synced: see their form.", result.errors),
                {type: "danger", title: _t("Google Calendar")}
            );
        }
        this.notification.add(
            parts.length
                ? _t("Synced with Google: %s.", parts.join(", "))
                : _t("Synced with Google: nothing new."),
            {type: "success", title: _t("Google Calendar")}
        );
    }
}

/**
 * The technicians' availability with the RDVs: their Google busy time, absences and working
 * locations drawn behind them, loaded with them (one call, from the database); and the times
 * technicians proposed from Google, drawn beside the RDVs (another, alongside). An RDV moved
 * (drag and drop, resize) over any of it is warned of; an absence refuses the move on the
 * server, which says so, and the RDV goes back where it was.
 */
export class PlanningGoogleCalendarModel extends calendarView.Model {
    get ofAvailability() {
        return this.data.ofAvailability || NO_AVAILABILITY;
    }

    /** The times technicians proposed from Google, drawn beside the RDVs. */
    get ofProposals() {
        return this.data.ofProposals || [];
    }

    async updateData(data) {
        await super.updateData(data);
        [data.ofAvailability, data.ofProposals] = await Promise.all([
            loadAvailability(this, data),
            loadProposals(this, data),
        ]);
    }

    async updateRecord(record, options = {}) {
        let result;
        try {
            result = await super.updateRecord(record, options);
        } catch (error) {
            await this.load(); // refused: the RDV is drawn where it still is
            if (error.exceptionName !== "odoo.exceptions.ValidationError") {
                throw error;
            }
            // an absence (or another rule) refused the move: said where the planner looks
            this.env.services.notification.add(error.data.message, {
                type: "danger",
                title: _t("Availability"),
                className: "o_of_availability_refused",
            });
            return;
        }
        const warnings = await this.orm.call(this.meta.resModel, "of_availability_warnings", [
            [record.id],
        ]);
        const text = warnings[record.id] || warnings[String(record.id)];
        if (text) {
            this.env.services.notification.add(text, {
                type: "warning",
                title: _t("Availability"),
                className: "o_of_availability_notification",
            });
        }
        return result;
    }
}

export const planningGoogleCalendarView = {
    ...calendarView,
    Controller: PlanningGoogleCalendarController,
    Model: PlanningGoogleCalendarModel,
    Renderer: PlanningProposalsRenderer,
};

registry.category("views").add("of_planning_google_calendar", planningGoogleCalendarView);
