from odoo import http
from odoo.http import request
from odoo.addons.google_calendar.controllers.main import GoogleCalendarController

from .oauth_callback import start_consent

MODEL = "of.planning.intervention"


def connector_status():
    """What stands between this user and a sync, as the statuses Odoo's
    calendar clients know; None when nothing does."""
    env = request.env
    Account = env["of.google.account"]
    is_admin = env.user.has_group("base.group_system")
    if not env.user.has_group("openfire_google_calendar.group_of_planning_google"):
        action = env.ref("openfire_planning.action_of_planning_config_settings")
        return {"status": "need_config_from_admin", "url": "",
                "action": action.id if is_admin else ""}
    if not Account._client_credentials()[0]:
        action = env.ref("base_setup.action_general_configuration")
        return {"status": "need_config_from_admin", "url": "",
                "action": action.id if is_admin else ""}
    if env["ir.config_parameter"].sudo().get_param("google_calendar_sync_paused"):
        return {"status": "sync_paused", "url": ""}
    account = Account._for_user()
    if account.sync_stopped:
        return {"status": "sync_stopped", "url": ""}
    if not account._is_connected():
        return {"status": "need_auth", "url": "", "message": account.last_error or ""}
    return None


class OfGoogleCalendarController(GoogleCalendarController):

    @http.route()
    def google_calendar_sync_data(self, model, **kw):
        """For RDVs: the connection state, then the sync. Any other model is
        Odoo's own Google Calendar sync, untouched."""
        if model != MODEL:
            return super().google_calendar_sync_data(model, **kw)
        status = connector_status()
        if status and status["status"] == "need_auth":
            status["url"] = start_consent(kw.get("fromurl"))
        if status:
            return status
        account = request.env["of.google.account"]._for_user()
        result = account._sync_from_button()
        if result.get("status") == "need_auth":  # Google revoked the access meanwhile
            return dict(result, url=start_consent(kw.get("fromurl")))
        if result.get("status"):  # already_running, error: said as is
            return dict(result, url="")
        return dict(result, status="need_refresh" if result.get("changed_in_odoo")
                    else "no_new_event_from_google", url="")

    @http.route("/google_calendar/remove_references", type="json", auth="user")
    def google_calendar_remove_references(self, model=MODEL, delete_events=False, **_kw):
        """Before switching Google accounts: forget the caller's tokens, sync
        token and RDV links (his only), and optionally delete in the old
        account the events the connector created there."""
        if model != MODEL:
            return {"status": "unknown_model"}
        account = request.env["of.google.account"]._for_user()
        deleted = account._delete_created_events() if delete_events else 0
        account._forget_everything()
        return {"status": "success", "deleted_events": deleted}
