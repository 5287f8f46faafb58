# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every system parameter of the connector in one place: its key, its
default, how its text is read, and what it means (the words the settings
and the configuration fragment use). Read them with :func:`get`; a test
checks that ``readme/CONFIGURE.md`` names each one."""

from dataclasses import dataclass

PREFIX = "openfire_google_calendar."


def _bool(text):
    return (text or "").strip().lower() not in ("", "0", "false", "no", "off")


def _int(text):
    return int(str(text).strip())


def _float(text):
    return float(str(text).strip())


def _text(text):
    return (text or "").strip()


@dataclass(frozen=True)
class Param:
    """A system parameter: ``name`` without the prefix, ``default`` as read
    when it is missing or unreadable, ``parse`` from its text."""

    name: str
    default: object
    parse: object
    label: str

    @property
    def key(self):
        return PREFIX + self.name


PARAMS = {
    param.name: param
    for param in (
        Param("auth_uri", "", _text, "Google's OAuth consent address (the emulator's in tests)"),
        Param("token_uri", "", _text, "Google's OAuth token address"),
        Param("revoke_uri", "", _text, "Google's OAuth revocation address"),
        Param("api_endpoint", "", _text, "Google Calendar API address"),
        Param("push_base_url", "", _text, "Address Google notifies (push)"),
        Param("conflict_policy", "odoo", _text, "Conflicts: odoo, google or recent"),
        Param("allow_delete", False, _bool, "Delete Google events of deleted RDVs"),
        Param("google_changes", "applied", _text, "Changes made in Google: applied or proposed"),
        Param("calendar_name", "Interventions", _text, "Name of the dedicated calendar"),
        Param("sync_window_days", 30, _int, "Past RDVs synced (days)"),
        Param("title_customer", True, _bool, "Customer in the event's title"),
        Param("color_by", "", _text, "Colour of the events (state, task or none)"),
        Param("reminders", "", _text, "Reminders of the events (minutes)"),
        Param("quota_per_user", 600, _int, "Google's quota per user and minute"),
        Param("quota_per_project", 10000, _int, "Google's quota per project and minute"),
        Param("poll_spread_seconds", None, _float, "Spread of the regular polls (queue_job)"),
        Param("technicians_mode", "", _text, "Technicians without an Odoo login: mode"),
        Param("workspace_domain", "", _text, "Google Workspace domain (delegation)"),
        Param("service_account_key", "", _text, "Service account key (delegation)"),
        Param("technician_calendar", "", _text, "Technicians' calendar (delegation)"),
        Param("shared_owner_id", "", _text, "Planner whose account shares the calendars"),
        Param("shared_role", "reader", _text, "Technicians' role on shared calendars"),
        Param("sharing_check_hours", 24.0, _float, "Shared calendars: hours between checks"),
        Param("availability", False, _bool, "Read the technicians' availability"),
        Param("availability_weeks", 4, _int, "Availability: weeks ahead"),
        Param("availability_all_day", "busy", _text, "Availability: all-day events (busy or free)"),
        Param("availability_allow_absence", False, _bool, "Availability: RDVs over an absence"),
        Param("sync_identity", "", _text, "Set by the connector: the database the events name"),
        Param("sync_database_uuid", "", _text, "Set by the connector: its database.uuid"),
    )
}


def get(env, name):
    """The value of parameter ``name`` (see :data:`PARAMS`)."""
    param = PARAMS[name]
    text = env["ir.config_parameter"].sudo().get_param(param.key)
    if text in (None, False, ""):
        return param.default
    try:
        return param.parse(text)
    except (TypeError, ValueError):
        return param.default


def availability_enabled(env):
    """Whether the technicians' availability is read from Google."""
    return get(env, "availability")
