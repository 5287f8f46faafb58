# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.release import version_info

from ..services import (
    database_copy,
    google_oauth,
    google_refusal,
    push_channel,
    service_account,
    settings,
    sync_cron,
)
from ..services.sync_outcome import ErrorKind
from ..services.sync_runner import GoogleAccessLost
from ..sync import (
    GoogleClient,
    GoogleError,
    Policy,
    SyncSettings,
    Write,
    make_credentials,
    master_of,
)
from ..sync.mapping import parse_timestamp

_logger = logging.getLogger(__name__)
PARAM_PREFIX = "openfire_google_calendar."


STATES = [
    ("disconnected", "Not connected"),
    ("connected", "Connected"),
    ("revoked", "Access revoked"),
]
ERROR_KINDS = [
    (ErrorKind.QUOTA.value, "Google's quotas"),
    (ErrorKind.UNAVAILABLE.value, "Google unavailable"),
    (ErrorKind.ACCESS.value, "Access refused"),
    (ErrorKind.REFUSED.value, "Request refused"),
]
KINDS = [
    ("oauth", "His own Google account"),
    ("delegated", "Google Workspace delegation"),
    ("shared", "Calendar shared by a planner"),
]


class OfGoogleAccount(models.Model):
    """One calendar synced with the RDVs of one person.

    ``kind`` says whose credentials reach it: a user's own connection
    (``oauth``, the user consented), Google Workspace domain-wide delegation
    for an employee without an Odoo login (``delegated``: the service
    account acts as his work e-mail), or a calendar in a planner's connected
    account shared with the technician (``shared``: the owner's tokens).
    An account belongs to a user (oauth) or to an employee (the others), so
    technicians without a licence get their RDVs too; nobody has two.

    Tokens live here, not on res.users, so that only system administrators
    and the sync itself (through sudo) can read them: the secret fields are
    restricted to base.group_system and the record rule shows a user his own
    account only."""

    _name = "of.google.account"
    _description = "Google account of a planning user"

    user_id = fields.Many2one("res.users", ondelete="cascade", index=True)
    employee_id = fields.Many2one(
        "hr.employee", string="Technician", ondelete="cascade", index=True
    )
    kind = fields.Selection(KINDS, string="Sync mode", default="oauth", required=True)
    owner_account_id = fields.Many2one(
        "of.google.account",
        string="Calendar owner",
        ondelete="cascade",
        index=True,
        help="The planner's connected account that holds this technician's calendar.",
    )
    shared_with = fields.Char(
        string="Shared with",
        copy=False,
        help="The e-mail the calendar is shared with (Calendar ACL).",
    )
    shared_role = fields.Char(
        string="Role given", copy=False, help="The role given to the technician: reader or writer."
    )
    shared_rule_id = fields.Char(string="ACL rule", copy=False)
    state = fields.Selection(
        STATES,
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
    last_error_kind = fields.Selection(
        ERROR_KINDS,
        string="Kind of the last error",
        copy=False,
        help="Why Google refused the last sync, when it did: the administrators' figures "
        "read this, not the error's text.",
    )
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
        _employee_unique = models.Constraint(
            "unique(employee_id)", "An employee has one Google Calendar sync."
        )
        _owner_set = models.Constraint(
            "check(user_id IS NOT NULL OR employee_id IS NOT NULL)",
            "A Google Calendar sync belongs to a user or to an employee.",
        )
    else:
        _sql_constraints = [
            ("user_unique", "unique(user_id)", "A user has one Google account connection."),
            (
                "employee_unique",
                "unique(employee_id)",
                "An employee has one Google Calendar sync.",
            ),
            (
                "owner_set",
                "check(user_id IS NOT NULL OR employee_id IS NOT NULL)",
                "A Google Calendar sync belongs to a user or to an employee.",
            ),
        ]

    def write(self, vals):
        # An error written without its kind is not Google's: no stale kind
        # stays beside a newer error (services/sync_outcome.py).
        if "last_error" in vals and "last_error_kind" not in vals:
            vals = dict(vals, last_error_kind=False)
        return super().write(vals)

    @api.depends("user_id", "employee_id")
    def _compute_display_name(self):
        for account in self:
            account.display_name = account.user_id.name or account.employee_id.name or ""

    def _person_name(self):
        return self.user_id.name or self.employee_id.name or ""

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
        """The "Client ID" / "Client Secret" of Settings > Calendar (Odoo's
        google_calendar fields); (None, None) when either is missing."""
        get_param = self.env["ir.config_parameter"].sudo().get_param
        client_id = (get_param("google_calendar_client_id") or "").strip()
        client_secret = (get_param("google_calendar_client_secret") or "").strip()
        if not (client_id and client_secret):
            return None, None
        return client_id, client_secret

    @api.model
    def _consent_scopes(self, user):
        """What the consent asks of ``user``: the planner who holds the
        technicians' shared calendars also allows sharing them."""
        get_param = self.env["ir.config_parameter"].sudo().get_param
        scopes = google_oauth.SCOPES
        if get_param(service_account.MODE_PARAM) == "shared" and str(user.id) == (
            get_param(service_account.OWNER_PARAM) or ""
        ):
            scopes += (google_oauth.ACL_SCOPE,)
        if settings.availability_enabled(self.env):
            scopes += (google_oauth.FREEBUSY_SCOPE,)
        return scopes

    @api.model
    def _for_user(self, user=None):
        """The user's account record (sudo), created on first need."""
        user = user or self.env.user
        account = self.sudo().search([("user_id", "=", user.id)], limit=1)
        return account or self.sudo().create({"user_id": user.id})

    # ----------------------------------------------------------------- tokens

    def _is_connected(self):
        """True when a sync may talk to Google for this account. A delegated or
        shared account whose access Google refused is tried again (nobody
        would press a button for a technician without a login): it recovers
        by itself once the administrator fixed the delegation or the owner
        reconnected."""
        self.ensure_one()
        if self.kind == "oauth":
            return self.state == "connected" and bool(self.sudo().refresh_token)
        if self.state not in ("connected", "revoked") or self._has_own_connection():
            return False
        if self.kind == "shared":
            return bool(self.owner_account_id) and self.owner_account_id._is_connected()
        return bool(service_account.load_key(self.env))

    def _has_own_connection(self):
        """The employee's user connected his own Google account: he is synced
        there, never twice."""
        user = self.employee_id.user_id
        if not user:
            return False
        return bool(
            self.sudo().search_count(
                [("user_id", "=", user.id), ("kind", "=", "oauth"), ("state", "=", "connected")],
                limit=1,
            )
        )

    @api.model
    def _for_employee(self, employee):
        """The employee's account record (sudo), created on first need."""
        account = self.sudo().search([("employee_id", "=", employee.id)], limit=1)
        return account or self.sudo().create({"employee_id": employee.id, "kind": "delegated"})

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
        if self.kind == "delegated":
            return self._delegated_credentials()
        if self.kind == "shared":
            return self._owner_credentials()
        account = self.sudo()
        client_id, client_secret = self._client_credentials()
        if not client_id:
            raise UserError(
                _(
                    "Google Calendar is not configured: ask an administrator to "
                    "set the Client ID and Client Secret in Settings > Calendar."
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
            scopes=google_oauth.scopes_granted(account.granted_scopes),
        )
        if (
            not account.access_token
            or not account.token_expiry
            or account.token_expiry <= fields.Datetime.now() + timedelta(minutes=1)
        ):
            self._refresh(creds)
        return creds

    def _delegated_credentials(self):
        """google-auth service account credentials acting as the employee's
        work e-mail. The access token is kept (an hour) so that a sync where
        nothing changed costs one request; Google's refusal is stored on
        this account, or on every account it concerns (see _lose_access)."""
        account = self.sudo()
        info = service_account.load_key(self.env)
        if not info:
            raise UserError(
                _(
                    "No service account key is set: an administrator sets it in Settings > "
                    "Calendar, under Google Calendar, technicians without an Odoo login."
                )
            )
        get_param = self.env["ir.config_parameter"].sudo().get_param
        creds = service_account.credentials(
            info, account.google_email, token_uri=get_param(PARAM_PREFIX + "token_uri")
        )
        if (
            account.access_token
            and account.token_expiry
            and account.token_expiry > fields.Datetime.now() + timedelta(minutes=1)
        ):
            creds.token, creds.expiry = account.access_token, account.token_expiry
            return creds
        try:
            service_account.refresh(creds)
        except RefreshError as exc:
            raise GoogleAccessLost(
                self._lose_access(exc), google_refusal.oauth_error(exc)[0]
            ) from exc
        account.write(
            {
                "access_token": creds.token,
                "token_expiry": creds.expiry or False,
                "state": "connected",
            }
        )
        return creds

    def _owner_credentials(self):
        """The credentials of the planner whose account holds the calendar."""
        owner = self.sudo().owner_account_id
        if not owner or not owner._is_connected():
            raise UserError(self._owner_lost_message())
        try:
            return owner._credentials()
        except GoogleAccessLost as exc:
            self.env.cr.commit()  # pylint: disable=invalid-commit
            raise UserError(self._owner_lost_message()) from exc

    def _owner_lost_message(self):
        return _(
            "The calendar of %(technician)s is in the Google account of %(owner)s, which is "
            'not connected: %(owner)s presses "Sync. with Google" in the planning.',
            technician=self._person_name(),
            owner=self.sudo().owner_account_id._person_name() or "?",
        )

    def _lose_access(self, refusal):
        """Google refused this account's credentials (``refusal``: the error,
        see services/google_refusal.py); store why and return the message. A
        user reconnects himself; a delegation refused for a domain is refused
        for every employee of it, and a refused key for all of them, so they
        are all marked at once (those whose sync runs just now meet the
        refusal themselves)."""
        self.ensure_one()
        if self.kind == "shared":
            owner = self.sudo().owner_account_id
            owner._lose_access(refusal)
            message = self._owner_lost_message()
            self.sudo().write({"last_error": message})
            return message
        if self.kind == "oauth":
            message = _(
                'Google refused the connection: %s. Press "Sync. with Google" to connect again.',
                google_refusal.reason(self.env, refusal),
            )
            self._disconnect(message, state="revoked")
            return message
        reason = google_refusal.details(refusal)
        refused = service_account.refusal_kind(reason)
        info = service_account.load_key(self.env) or {}
        domain = service_account.domain_of(self.google_email)
        if refused == "delegation":
            message = _(
                "Google Workspace refuses the delegation for %(domain)s (%(reason)s): the service "
                "account %(account)s (client ID %(client_id)s) must be authorised for the Calendar "
                "scope %(scope)s in the Admin console of Google Workspace (Security > API "
                "controls > Domain-wide delegation).",
                domain=domain,
                reason=reason[:200],
                account=info.get("client_email") or "?",
                client_id=info.get("client_id") or "?",
                scope=" ".join(service_account.SCOPES),
            )
            concerned = [("google_email", "=ilike", "%@" + domain)]
        elif refused == "user":
            message = _(
                "Google Workspace has no user %(email)s (%(reason)s): check the work e-mail of "
                "%(name)s.",
                email=self.google_email,
                reason=reason[:200],
                name=self._person_name(),
            )
            concerned = None
        else:
            message = _(
                "Google refused the service account's key (%s): an administrator sets a valid "
                "key in the settings.",
                reason[:200],
            )
            concerned = []
        values = {
            "access_token": False,
            "token_expiry": False,
            "state": "revoked",
            "last_error": message,
        }
        self.sudo().write(values)
        if concerned is not None:
            others = self.sudo().search(
                [("kind", "=", "delegated"), ("id", "!=", self.id)] + concerned
            )
            if others:
                self.env.cr.execute(
                    "SELECT id FROM of_google_account WHERE id IN %s FOR NO KEY UPDATE SKIP LOCKED",
                    [tuple(others.ids)],
                )
                self.browse([row[0] for row in self.env.cr.fetchall()]).sudo().write(values)
        _logger.info("Google refused the account %s: %s", self.id, reason)
        return message

    def _refresh(self, creds):
        account = self.sudo()
        try:
            creds.refresh(Request())  # its own transport, with a timeout
        except RefreshError as exc:
            code = google_refusal.oauth_error(exc)[0]
            if code not in ("invalid_grant", "invalid_client"):
                raise
            message = _(
                "Google refused the connection of %(user)s: %(reason)s. Press "
                '"Sync. with Google" to connect again.',
                user=account.user_id.name,
                reason=google_refusal.reason(self.env, exc),
            )
            account._disconnect(message, state="revoked")
            raise GoogleAccessLost(message, code) from exc
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
        _logger.info("Google account %s disconnected: %s", self.ids, message)

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
                "shared_with": False,
                "shared_role": False,
                "shared_rule_id": False,
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
        private events never become RDVs (a delegated employee's primary
        calendar when the settings say so; a shared technician's calendar is
        created in the owner's account, "Interventions — Jean Dupont"). Its id
        is committed at once (the session owns its cursor): a crash later in
        the sync must not make the next one create a second."""
        account = self.sudo()
        if account.calendar_id:
            return account.calendar_id
        get_param = self.env["ir.config_parameter"].sudo().get_param
        if account.kind == "delegated" and get_param(service_account.CALENDAR_PARAM) == "primary":
            account.write({"calendar_id": account.google_email, "calendar_name": _("Primary")})
            self.env.cr.commit()  # pylint: disable=invalid-commit
            return account.calendar_id
        name = get_param(PARAM_PREFIX + "calendar_name") or "Interventions"
        if account.kind == "shared":
            name = "%s — %s" % (name, account.employee_id.name)
        tz = (
            account.user_id.tz
            or account.employee_id.tz
            or self.env.company.of_planning_tz
            or "Europe/Paris"
        )
        account.write({"calendar_id": client.create_calendar(name, tz), "calendar_name": name})
        self.env.cr.commit()  # pylint: disable=invalid-commit
        return account.calendar_id

    def _ensure_access(self, client, calendar_id):
        """A shared technician's calendar is shared with his e-mail, with the
        role the settings give (reader or writer); a changed e-mail or role
        is applied at the next sync, the old e-mail's access withdrawn."""
        account = self.sudo()
        if account.kind != "shared":
            return
        role = (
            self.env["ir.config_parameter"].sudo().get_param(service_account.ROLE_PARAM) or "reader"
        )
        email = account.google_email
        if account.shared_with == email and account.shared_role == role:
            return
        try:
            if account.shared_rule_id and account.shared_with != email:
                client.unshare_calendar(calendar_id, account.shared_rule_id)
            rule_id = client.share_calendar(calendar_id, email, role)
        except GoogleError as exc:
            if exc.status != 403:
                raise
            # the owner consented before he held the technicians' calendars
            raise UserError(
                _(
                    "%(owner)s has not allowed sharing calendars (%(reason)s): he presses "
                    '"Sync. with Google" in the planning once more and allows it.',
                    owner=account.owner_account_id._person_name(),
                    reason=exc,
                )
            ) from exc
        account.write({"shared_with": email, "shared_role": role, "shared_rule_id": rule_id})
        self.env.cr.commit()  # pylint: disable=invalid-commit

    def _ensure_watch(self, client, calendar_id):
        push_channel.ensure_watch(self, client, calendar_id)

    def _remember_token(self, creds):
        """googleapiclient refreshes an expired token by itself: keep the new one."""
        account = (self.owner_account_id if self.kind == "shared" else self).sudo()
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
