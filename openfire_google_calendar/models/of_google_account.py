# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.release import version_info

from ..services import (
    account_kinds,
    database_copy,
    google_oauth,
    proposals,
    push_channel,
    settings,
    sync_cron,
)
from ..services.sync_outcome import ErrorKind
from ..sync import (
    GoogleClient,
    Policy,
    SyncSettings,
    Write,
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
    shared_checked = fields.Datetime(
        string="Sharing checked",
        copy=False,
        help="When the sync last found the calendar still shared with the technician in Google.",
    )
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
    # the channel on the technician's primary calendar, while his availability is read
    busy_channel_id = fields.Char(copy=False, index=True)
    busy_channel_token = fields.Char(groups="base.group_system", copy=False)
    busy_channel_resource_id = fields.Char(groups="base.group_system", copy=False)
    busy_channel_expiration = fields.Datetime(copy=False)
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
        return {
            key: settings.get(self.env, key) or default
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
        scopes = google_oauth.SCOPES
        owner = settings.get(self.env, "shared_owner_id")
        if settings.get(self.env, "technicians_mode") == "shared" and str(user.id) == owner:
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
        return account_kinds.KINDS[self.kind].is_connected(self)

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
        """google-auth credentials for the sync, refreshed when expired; a
        refusal disconnects this account only (see services/account_kinds.py)."""
        self.ensure_one()
        return account_kinds.KINDS[self.kind].credentials(self)

    def _lose_access(self, refusal):
        """Google refused this account's credentials (``refusal``: the error,
        see services/google_refusal.py); store why and return the message."""
        self.ensure_one()
        return account_kinds.KINDS[self.kind].lose_access(self, refusal)

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
                "shared_checked": False,
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
                "busy_channel_id": False,
                "busy_channel_expiration": False,
            }
        )

    # ------------------------------------------------------------------- sync

    @api.model
    def _sync_settings(self):
        get_param = self.env["ir.config_parameter"].sudo().get_param
        return SyncSettings(
            database_uuid=database_copy.sync_identity(self.env),
            policy=Policy(settings.get(self.env, "conflict_policy")),
            allow_delete=bool(get_param(PARAM_PREFIX + "allow_delete")),
            default_tz=self.env.context.get("of_google_company_tz")  # set by the session
            or self.env.company.of_planning_tz
            or "Europe/Paris",
            foreign_until=parse_timestamp(self.of10_until) if len(self) == 1 else None,
            sync_colors=settings.get(self.env, "color_by") not in ("", "none"),
            proposals=len(self) == 1 and proposals.proposal_mode(self),
        )

    def _client(self, backoff=None, timeout=None):
        """``backoff``: the retry policy (the cron's default when None; the
        button passes a short one, see services/sync_runner.py); ``timeout``:
        the seconds a request may take (the client's default when None)."""
        self.ensure_one()
        creds = self._credentials()
        options = {"timeout": timeout} if timeout else {}
        return GoogleClient(
            creds, api_endpoint=self._endpoints()["api_endpoint"], backoff=backoff, **options
        )

    def _ensure_calendar(self, client):
        """The dedicated calendar, created on the first sync, so the user's
        private events never become RDVs (its kind names it). Its id is
        committed at once (the session owns its cursor): a crash later in
        the sync must not make the next one create a second."""
        account = self.sudo()
        if not account.calendar_id:
            calendar_id, name = account_kinds.KINDS[account.kind].calendar(account, client)
            account.write({"calendar_id": calendar_id, "calendar_name": name})
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return account.calendar_id

    def _ensure_access(self, client, calendar_id):
        """Give the calendar's readers their access (a shared technician);
        returns what the account must tell of it, or None."""
        return account_kinds.KINDS[self.kind].ensure_access(self, client, calendar_id)

    def _ensure_watch(self, client, calendar_id):
        push_channel.ensure_watch(self, client, calendar_id)

    def _ensure_busy_watch(self, client):
        """A channel on the primary calendar while the availability is read
        from it (not the calendar of the RDVs, not a shared calendar's
        technician: his owner may not list it)."""
        wanted = (
            settings.availability_enabled(self.env)
            and self.kind != "shared"
            and self.calendar_id not in ("primary", self.google_email)
        )
        push_channel.ensure_busy_watch(self, client, "primary", wanted)

    def _remember_token(self, creds):
        """googleapiclient refreshes an expired token by itself: keep the new one."""
        account = account_kinds.KINDS[self.kind].token_holder(self)
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
