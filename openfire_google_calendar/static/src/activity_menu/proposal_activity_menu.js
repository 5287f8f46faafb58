/** @odoo-module **/

import {ActivityMenu} from "@mail/core/web/activity_menu";
import {patch} from "@web/core/utils/patch";

// The entry the server adds for the changes proposed from Google (services/proposal_counter.py).
const GROUP_TYPE = "of_google_proposal";
const ACTION = "openfire_google_calendar.action_of_google_proposals";

/** The proposals' entry of the activity menu opens their list, filtered on those to decide. */
patch(ActivityMenu.prototype, {
    openActivityGroup(group, filter, newWindow) {
        if (group.type !== GROUP_TYPE) {
            return super.openActivityGroup(...arguments);
        }
        if (this.dropdown) {
            this.dropdown.close(); // 18.0 and 19.0
        } else {
            document.body.click(); // 17.0 closes its dropdown so
        }
        return this.action.doAction(ACTION, {clearBreadcrumbs: true, newWindow});
    },
});
