# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.release import version_info

from ..services import database_copy, google_oauth, push_channel, sync_cron
from ..services.sync_runner import GoogleAccessLost
from ..sync import GoogleClient, Policy, SyncSettings, Write, make_credentials, master_of
from ..sync.mapping import parse_timestamp

_logger = logging.getLogger(__name__)
PARAM_PREFIX = "openfire_google_calendar."


class OfGoogleAccount(models.Model):
    """A user's connection to his Google account.

    Tokens live here, not on res.users, so that only system administrators
    and the sync itself (through sudo) can read them: the secret fields are
    restricted to base.group_system and the record rule shows a user his own
    account only."""

    _name = "of.google.account"
    _description = "Google account of a planning user"
    _rec_name = "user_id"

    user_id = fields.Many2one("res.users", required=True, ondelete="cascade", index=True)
    state = fields.Selection(
        [
            ("disconnected", "Not connected"),
            ("connected", "Connected"),
            ("revoked", "Access revoked"),
        ],
        default="disconnected",
        required=True,
    )
    google_email = fields.Char(string="Google account")
    access_token = fields.Char(groups="base.group_system", copy=False)
    refresh_token = fields.Char(groups="base.group_system", copy=False)
    token_expiry = fields.Datetime(groups="base.group_system", copy=False)
    granted_scopes = fields.Char(groups="base.group_system", copy=False)
    sync_token = fields.Char(
        groups="base.group_system",
        copy=False,
        help="Google's nextSyncToken for the synced calendar.",
    )
    calendar_id = fields.Char(string="Google calendar ID", copy=False)
    calendar_name = fields.Char(string="Google calendar", copy=False)
    sync_stopped = fields.Boolean(string="Sync stopped", copy=False)
    last_error = fields.Text(copy=False)
    last_sync = fields.Datetime(copy=False)
    last_sync_summary = fields.Char(copy=False)
    sync_watermark = fields.Datetime(
        copy=False, help="RDVs changed at or after this moment are looked at by the next sync."
    )
    push_ids = fields.One2many(
        "of.google.push",
        "account_id",
        help="Changes Google notified and no sync has looked at yet.",
    )
    channel_id = fields.Char(copy=False, index=True)
    channel_token = fields.Char(groups="base.group_system", copy=False)
    channel_resource_id = fields.Char(groups="base.group_system", copy=False)
    channel_expiration = fields.Datetime(copy=False)
    of10_until = fields.Char(
        copy=False,
        help="OpenFire 10's calendar: events not of this connector created up to "
        "this moment (Google's clock, RFC 3339) are left alone.",
    )
    of10_report = fields.Text(string="OpenFire 10 events", copy=False)

    # 19 ignores _sql_constraints (models.Constraint instead); same constraint name in both.
    if version_info[0] >= 19:
        _user_unique = models.Constraint(
            "unique(user_id)", "A user has one Google account connection."
        )
    else:
        _sql_constraints = [
            ("user_unique", "unique(user_id)", "A user has one Google account connection."),
        ]

    # --------------------------------------------------------------- settings

    @api.model
    def _endpoints(self):
        """Google's endpoints, each overridable by a system parameter
        (openfire_google_calendar.auth_uri, .token_uri, .revoke_uri,
        .api_endpoint) so tests and the demo can use the emulator."""
        get_param = self.env["ir.config_parameter"].sudo().get_param
        return {
            key: get_param(PARAM_PREFIX + key) or default
            for key, default in google_oauth.DEFAULT_ENDPOINTS.items()
        }

    @api.model
    def _client_credentials(self):
        """The "ID client" / "Code secret" of General Settings (Odoo's
        google_calendar fields); (None, None) when either is missing."""
        get_param = self.env["ir.config_parameter"].sudo().get_param
        client_id = (get_param("google_calendar_client_id") or "").strip()
        client_secret = (get_param("google_calendar_client_secret") or "").strip()
        if not (client_id and client_secret):
            return None, None
        return client_id, client_secret

    @api.model
    def _for_user(self, user=None):
        """The user's account record (sudo), created on first need."""
        user = user or self.env.user
        account = self.sudo().search([("user_id", "=", user.id)], limit=1)
        return account or self.sudo().create({"user_id": user.id})

    # ----------------------------------------------------------------- tokens

    def _is_connected(self):
        self.ensure_one()
        return self.state == "connected" and bool(self.sudo().refresh_token)

    def _store_tokens(self, tokens):
        self.ensure_one()
        expires_in = tokens.get("expires_in")
        values = {
            "access_token": tokens["access_token"],
            "token_expiry": fields.Datetime.now() + timedelta(seconds=int(expires_in))
            if expires_in
            else False,
            "granted_scopes": tokens.get("scope") or False,
            "state": "connected",
            "last_error": False,
            "sync_stopped": False,
        }
        if tokens.get("refresh_token"):
            values["refresh_token"] = tokens["refresh_token"]
        database_copy.bind(self.env)
        self.sudo().write(values)

    def _credentials(self):
        """google-auth credentials for the sync, refreshed when expired.

        A revoked or unknown refresh token (invalid_grant) disconnects this
        user only, with a message that tells him how to reconnect."""
        self.ensure_one()
        account = self.sudo()
        client_id, client_secret = self._client_credentials()
        if not client_id:
            raise UserError(
                _(
                    "Google Calendar is not configured: ask an administrator to "
                    "set the Client ID and Client secret in General Settings."
                )
            )
        if not account.refresh_token:
            raise UserError(_("%s has not connected a Google account yet.", account.user_id.name))
        creds = make_credentials(
            account.access_token,
            account.refresh_token,
            client_id,
            client_secret,
            token_uri=self._endpoints()["token_uri"],
            expiry=account.token_expiry or None,
            scopes=google_oauth.SCOPES,
        )
        if (
            not account.access_token
            or not account.token_expiry
            or account.token_expiry <= fields.Datetime.now() + timedelta(minutes=1)
        ):
            self._refresh(creds)
        return creds

    def _refresh(self, creds):
        account = self.sudo()
        try:
            creds.refresh(Request())  # its own transport, with a timeout
        except RefreshError as exc:
            reason = str(exc)
            if "invalid_grant" not in reason and "invalid_client" not in reason:
                raise
            message = _(
                "Google refused the connection of %(user)s (%(reason)s). Press "
                '"Sync. with Google" to connect again.',
                user=account.user_id.name,
                reason=reason[:200],
            )
            account._disconnect(message, state="revoked")
            raise GoogleAccessLost(message) from exc
        account.write(
            {
                "access_token": creds.token,
                "token_expiry": creds.expiry or False,
            }
        )
        return creds

    def _disconnect(self, message=False, state="disconnected"):
        """Forget the tokens; the RDV links stay so a reconnection to the same
        account resumes without duplicates."""
        self.sudo().write(
            {
                "access_token": False,
                "refresh_token": False,
                "token_expiry": False,
                "granted_scopes": False,
                "state": state,
                "last_error": message,
            }
        )
        _logger.info("Google account of user %s disconnected: %s", self.user_id.id, message)

    def _use_calendar(self, calendar_id, name):
        """Sync into another calendar: the links and the sync token belong to
        the previous one, so the next sync starts clean there."""
        self.env["of.google.event.link"].sudo().search([("account_id", "in", self.ids)]).unlink()
        self.sudo().write(
            {
                "calendar_id": calendar_id,
                "calendar_name": name,
                "sync_token": False,
                "sync_watermark": False,
                "channel_id": False,
                "channel_expiration": False,
                "of10_until": False,
                "of10_report": False,
            }
        )

    def _forget_everything(self):
        """For a user switching Google accounts: tokens, sync token, calendar
        and every RDV's Google id and etag, so the next sync starts clean."""
        self._use_calendar(False, False)
        self.sudo().write(
            {
                "access_token": False,
                "refresh_token": False,
                "token_expiry": False,
                "granted_scopes": False,
                "google_email": False,
                "state": "disconnected",
                "last_error": False,
                "last_sync": False,
                "sync_stopped": False,
            }
        )

    # ------------------------------------------------------------------- sync

    @api.model
    def _sync_settings(self):
        get_param = self.env["ir.config_parameter"].sudo().get_param
        return SyncSettings(
            database_uuid=database_copy.sync_identity(self.env),
            policy=Policy(get_param(PARAM_PREFIX + "conflict_policy") or Policy.ODOO.value),
            allow_delete=bool(get_param(PARAM_PREFIX + "allow_delete")),
            default_tz=self.env.context.get("of_google_company_tz")  # set by the session
            or self.env.company.of_planning_tz
            or "Europe/Paris",
            foreign_until=parse_timestamp(self.of10_until) if len(self) == 1 else None,
            sync_colors=bool(get_param(PARAM_PREFIX + "color_by") not in (None, False, "", "none")),
        )

    def _client(self, backoff=None):
        """``backoff``: the retry policy (the cron's default when None; the
        button passes a short one, see services/sync_runner.py)."""
        self.ensure_one()
        creds = self._credentials()
        return GoogleClient(creds, api_endpoint=self._endpoints()["api_endpoint"], backoff=backoff)

    def _ensure_calendar(self, client):
        """The dedicated calendar, created on the first sync, so the user's
        private events never become RDVs. Its id is committed at once (the
        session owns its cursor): a crash later in the sync must not make the
        next one create a second."""
        account = self.sudo()
        if account.calendar_id:
            return account.calendar_id
        name = (
            self.env["ir.config_parameter"].sudo().get_param(PARAM_PREFIX + "calendar_name")
            or "Interventions"
        )
        tz = account.user_id.tz or self.env.company.of_planning_tz or "Europe/Paris"
        account.write({"calendar_id": client.create_calendar(name, tz), "calendar_name": name})
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return account.calendar_id

    def _ensure_watch(self, client, calendar_id):
        push_channel.ensure_watch(self, client, calendar_id)

    def _remember_token(self, creds):
        """googleapiclient refreshes an expired token by itself: keep the new one."""
        account = self.sudo()
        if creds.token and creds.token != account.access_token:
            account.write({"access_token": creds.token, "token_expiry": creds.expiry or False})

    # ---------------------------------------------------------------- entry

    @api.model
    def _cron_sync_all(self, time_budget=None):
        """The scheduled action (see services/sync_cron.py)."""
        return sync_cron.sync_all(self.env, time_budget)

    def _delete_created_events(self, client):
        """Delete, in the connected account, the events the connector created
        (those of this account's links); returns how many went."""
        self.ensure_one()
        account = self.sudo()
        links = self.env["of.google.event.link"].sudo().search([("account_id", "=", self.id)])
        if not links or not account.calendar_id:
            return 0
        writes = [
            Write("delete", link.google_event_id)
            for link in links
            if master_of(link.google_event_id) is None
        ]
        results = client.write(account.calendar_id, writes)
        return sum(1 for result in results if result.ok or result.status in (404, 410))
