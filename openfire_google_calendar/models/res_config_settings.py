# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import json

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..services import database_copy, rdv_conversion, service_account


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    group_of_planning_google = fields.Boolean(
        string="(OF) Google Calendar",
        implied_group="openfire_google_calendar.group_of_planning_google",
        help="Sync the RDVs with the technicians' Google Calendar. Needs recurring RDVs.",
    )

    of_google_conflict_policy = fields.Selection(
        [("odoo", "Odoo wins"), ("google", "Google wins"), ("recent", "Most recent wins")],
        string="When an RDV changed on both sides",
        default="odoo",
        config_parameter="openfire_google_calendar.conflict_policy",
        help="The losing version is always written in the RDV's chatter.",
    )
    of_google_changes = fields.Selection(
        [("applied", "Applied"), ("proposed", "Proposed to the planner")],
        string="Changes made in Google",
        default="applied",
        config_parameter="openfire_google_calendar.google_changes",
        help="Applied: a technician's change on his phone changes the RDV. Proposed: it waits "
        "for a planner to accept or refuse it. A technician's own choice (employee form) "
        "overrides this one.",
    )
    of_google_allow_delete = fields.Boolean(
        string="Delete Google events of deleted RDVs",
        config_parameter="openfire_google_calendar.allow_delete",
        help="Off: the event of a deleted RDV is cancelled in Google, not deleted.",
    )
    of_google_sync_window_days = fields.Integer(
        string="Past RDVs synced (days)",
        default=30,
        config_parameter="openfire_google_calendar.sync_window_days",
        help="RDVs that ended more than this many days ago are not sent to Google Calendar on "
        "the first sync, and older events are not imported; moving one into this window "
        "syncs it. 0: no limit.",
    )
    of_google_calendar_name = fields.Char(
        string="Name of the dedicated calendar",
        default="Interventions",
        config_parameter="openfire_google_calendar.calendar_name",
    )

    # Not a config_parameter field: Odoo deletes the parameter of an unticked
    # box, and a missing parameter means "on" (the default a technician needs).
    of_google_title_customer = fields.Boolean(
        string="Customer in the event's title",
        help="The event's title is the RDV's name followed by the customer, unless the name "
        "already says it.",
    )
    of_google_color_by = fields.Selection(
        [("none", "Calendar's colour"), ("state", "By state"), ("task", "By task")],
        string="Events' colour",
        default="none",
        config_parameter="openfire_google_calendar.color_by",
    )
    of_google_reminders = fields.Char(
        string="Reminders (minutes before)",
        config_parameter="openfire_google_calendar.reminders",
        help='Phone reminders of the RDVs\' events, e.g. "30, 1440" (30 minutes and one day '
        "before). Empty: the calendar's default reminders.",
    )

    # -- the technicians' availability (Google freeBusy)
    of_google_availability = fields.Boolean(
        string="Technicians' availability (Google)",
        config_parameter="openfire_google_calendar.availability",
        help="Read when the technicians are busy or absent in Google Calendar (times only, never "
        'what): shown in the planning, checked when an RDV is planned, used by "Find a slot". '
        "Users connect again once to allow it.",
    )
    of_google_availability_weeks = fields.Integer(
        string="Availability: weeks ahead",
        default=4,
        config_parameter="openfire_google_calendar.availability_weeks",
    )
    of_google_availability_all_day = fields.Selection(
        [("busy", "Busy"), ("free", "Free")],
        string="All-day events in Google",
        default="busy",
        config_parameter="openfire_google_calendar.availability_all_day",
    )
    of_google_availability_allow_absence = fields.Boolean(
        string="RDVs may be planned over an absence",
        config_parameter="openfire_google_calendar.availability_allow_absence",
        help="Off: an RDV over a technician's absence in Google is refused.",
    )

    # -- technicians without an Odoo login (Settings > Calendar, Google Calendar)
    of_google_technicians_mode = fields.Selection(
        [
            ("none", "Not synced"),
            ("delegated", "Google Workspace delegation"),
            ("shared", "Calendars shared by a planner"),
        ],
        string="Technicians without their own connection",
        default="none",
        config_parameter=service_account.MODE_PARAM,
        help="How the RDVs of technicians who have no Odoo login, or did not connect their "
        "Google account, reach their phone.",
    )
    of_google_workspace_domain = fields.Char(
        string="Google Workspace domain",
        config_parameter=service_account.DOMAIN_PARAM,
        help="The domain of the technicians' work e-mails (several: separated by commas).",
    )
    of_google_technician_calendar = fields.Selection(
        [("dedicated", "A dedicated calendar"), ("primary", "His primary calendar")],
        string="Technician's calendar",
        default="dedicated",
        config_parameter=service_account.CALENDAR_PARAM,
    )
    # Write-only: what is typed is stored in a system parameter when the
    # settings are saved, and never read back into the form (see create).
    of_google_service_account_key = fields.Char(
        string="Service account key (JSON)",
        groups="base.group_system",
        help="The JSON key file of a service account authorised for domain-wide delegation "
        "with the Calendar scope. It is kept on the server and never shown again.",
    )
    of_google_service_account_status = fields.Char(
        string="Service account",
        compute="_compute_of_google_service_account_status",
        groups="base.group_system",
    )
    of_google_shared_owner_id = fields.Many2one(
        "res.users",
        string="Planner holding the calendars",
        config_parameter=service_account.OWNER_PARAM,
        help="His connected Google account owns one calendar per technician and shares it "
        "with the technician's work e-mail.",
    )
    of_google_shared_role = fields.Selection(
        [("reader", "Reader: sees his RDVs"), ("writer", "Writer: his changes come back")],
        string="Technicians' access",
        default="reader",
        config_parameter=service_account.ROLE_PARAM,
    )

    of_google_copy_status = fields.Char(
        string="Google Calendar sync of this copy",
        compute="_compute_of_google_copy_status",
        help="Set when this database is a copy of the one whose RDVs are in Google Calendar.",
    )

    def _compute_of_google_service_account_status(self):
        summary = (
            service_account.key_summary(self.env)
            if self.env.user.has_group("base.group_system")
            else False
        )
        for settings in self:
            settings.of_google_service_account_status = summary or _("No key set")

    @api.model_create_multi
    def create(self, vals_list):
        """A new service account key goes to its system parameter here, not
        into the settings' table: the save's answer to the browser and the
        transient records never hold it."""
        for vals in vals_list:
            key = vals.pop("of_google_service_account_key", None)
            if key:
                self._of_google_store_key(key)
        return super().create(vals_list)

    @api.model
    def _of_google_store_key(self, text):
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(_("Only administrators set the service account key."))
        try:
            info = service_account.parse_key(self.env, text)
        except service_account.InvalidKey as exc:
            raise UserError(str(exc)) from exc
        self.env["ir.config_parameter"].sudo().set_param(
            service_account.KEY_PARAM, json.dumps(info)
        )
        # Tokens of the previous key belong to another service account.
        self.env["of.google.account"].sudo().search([("kind", "=", "delegated")]).write(
            {"access_token": False, "token_expiry": False}
        )

    def action_of_google_remove_key(self):
        """Forget the service account key (the delegated technicians stop)."""
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(_("Only administrators remove the service account key."))
        self.env["ir.config_parameter"].sudo().set_param(service_account.KEY_PARAM, False)
        self.env["of.google.account"].sudo().search([("kind", "=", "delegated")]).write(
            {"access_token": False, "token_expiry": False}
        )
        return {"type": "ir.actions.client", "tag": "reload"}

    def _compute_of_google_copy_status(self):
        status = (
            database_copy.copy_status(self.env)
            if self.env.user.has_group("base.group_system")
            else False
        )
        for settings in self:
            settings.of_google_copy_status = status or False

    def action_of_google_sync_here(self):
        """This database is the production one now: it syncs with the events
        of the original, under their names."""
        database_copy.accept(self.env)
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_of_google_disconnect_copy(self):
        """This database is a copy: forget every Google connection here."""
        database_copy.disconnect_copy(self.env)
        return {"type": "ir.actions.client", "tag": "reload"}

    @api.onchange("group_of_planning_recurring")
    def _onchange_group_of_planning_recurring(self):
        if not self.group_of_planning_recurring:
            self.group_of_planning_google = False

    @api.onchange("group_of_planning_google")
    def _onchange_group_of_planning_google(self):
        if self.group_of_planning_google:
            self.group_of_planning_recurring = True

    @api.model
    def get_values(self):
        values = super().get_values()
        values["of_google_title_customer"] = rdv_conversion.customer_in_title(self.env)
        return values

    def set_values(self):
        """The connector syncs series, so it cannot run without them: whatever
        the client sent, no recurring RDVs means no Google sync."""
        for settings in self:
            if not settings.group_of_planning_recurring:
                settings.group_of_planning_google = False
        result = super().set_values()
        for settings in self:
            rdv_conversion.set_customer_in_title(self.env, settings.of_google_title_customer)
        return result
