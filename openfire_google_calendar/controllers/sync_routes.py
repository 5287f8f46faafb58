# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request
from odoo.release import version_info

from odoo.addons.google_calendar.controllers.main import GoogleCalendarController

from ..services import database_copy, quota
from ..services.sync_outcome import SyncStatus
from ..services.sync_runner import run_sync
from ..services.sync_session import GoogleAccessLost, blocked_status, google_session
from ..sync import GoogleError
from .oauth_callback import start_consent

MODEL = "of.planning.intervention"
# 19 renamed the JSON-RPC route type ("json" is a deprecated alias there; 17 and 18 know "json").
JSON_ROUTE = "jsonrpc" if version_info[0] >= 19 else "json"


def own_account(env):
    """The user's account if he has one; read only, since a sync must not
    start from a transaction that wrote (services/sync_session.py)."""
    return env["of.google.account"].sudo().search([("user_id", "=", env.uid)], limit=1)


def connector_status():
    """What stands between this user and a sync, as the statuses Odoo's
    calendar clients know; None when nothing does."""
    env = request.env
    Account = env["of.google.account"]
    is_admin = env.user.has_group("base.group_system")
    if not env.user.has_group("openfire_google_calendar.group_of_planning_google"):
        action = env.ref("openfire_planning.action_of_planning_config_settings")
        return {
            "status": "need_config_from_admin",
            "url": "",
            "action": action.id if is_admin else "",
        }
    if not Account._client_credentials()[0]:
        action = env.ref("calendar.calendar_settings_action")
        return {
            "status": "need_config_from_admin",
            "url": "",
            "action": action.id if is_admin else "",
        }
    if env["ir.config_parameter"].sudo().get_param("google_calendar_sync_paused"):
        return {"status": "sync_paused", "url": ""}
    copy = database_copy.copy_status(env, do_bind=False)
    if copy:
        return {"status": "copy_detected", "url": "", "message": copy}
    account = own_account(env)
    if account.sync_stopped:
        return {"status": "sync_stopped", "url": ""}
    if not account or not account._is_connected():
        return {"status": "need_auth", "url": "", "message": account.last_error or ""}
    return None


class OfGoogleCalendarController(GoogleCalendarController):
    @http.route()
    def google_calendar_sync_data(self, model, **kw):
        """For RDVs: the connection state, then the sync. Any other model is
        Odoo's own Google Calendar sync, untouched. ``force`` syncs past the
        empty-side guard, once the user confirmed ("confirm_needed")."""
        if model != MODEL:
            return super().google_calendar_sync_data(model, **kw)
        status = connector_status()
        if status and status["status"] == "need_auth":
            status["url"] = start_consent(kw.get("fromurl"))
        if status:
            return status
        # A few seconds at most: a bigger sync answers "in_background" (done /
        # todo) and the cron goes on, within Google's quotas.
        outcome = run_sync(
            request.env,
            request.env.uid,
            force=bool(kw.get("force")),
            share=quota.BUTTON_SHARE,
            interactive=True,
        )
        if outcome.status is SyncStatus.NEED_AUTH:  # Google revoked the access meanwhile
            return dict(outcome.as_dict(), url=start_consent(kw.get("fromurl")))
        return dict(outcome.as_dict(), url="")

    @http.route("/google_calendar/remove_references", type=JSON_ROUTE, auth="user")
    def google_calendar_remove_references(self, model=MODEL, delete_events=False, **_kw):
        """Before switching Google accounts: forget the caller's tokens, sync
        token and RDV links (his only), and optionally delete in the old
        account the events the connector created there."""
        if model != MODEL:
            return {"status": "unknown_model"}
        with google_session(request.env, request.env.uid) as account:
            if account is None:
                return {"status": "already_running"}
            deleted = 0
            if delete_events and account._is_connected() and not blocked_status(account):
                try:
                    deleted = account._delete_created_events(account._client())
                except (GoogleAccessLost, GoogleError):
                    deleted = 0  # the old account refuses us: nothing to delete there
            account._forget_everything()
        return {"status": "success", "deleted_events": deleted}
