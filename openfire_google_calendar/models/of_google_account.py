import hmac
import logging
import secrets
import time
import uuid
from datetime import datetime, timedelta

import psycopg2
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..sync.cycle import sync_calendar
from ..sync.google_client import (
    GoogleClient, GoogleError, ReconnectNeeded, Write, make_credentials,
)
from ..sync.plan import Policy, SyncSettings
from . import google_oauth
from .odoo_local_side import OdooLocalSide

_logger = logging.getLogger(__name__)
PARAM_PREFIX = "openfire_google_calendar."
CHANNEL_TTL = 7 * 24 * 3600  # seconds a push channel lives before renewal
# What the user is told, per kind of action done (either side).
REPORTED_KINDS = {
    "create_remote": "created", "create_local": "created", "update_remote": "updated",
    "update_local": "updated", "cancel_remote": "cancelled", "cancel_local": "cancelled",
    "delete_remote": "cancelled",
}


class GoogleAccessLost(UserError):
    """Google refused this user's refresh token: he is marked disconnected.

    Callers catch it and carry on (other users, a status for the client)
    rather than let it roll the transaction back, which would undo the
    disconnection."""


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
        [("disconnected", "Not connected"), ("connected", "Connected"),
         ("revoked", "Access revoked")], default="disconnected", required=True)
    google_email = fields.Char(string="Google account")
    access_token = fields.Char(groups="base.group_system", copy=False)
    refresh_token = fields.Char(groups="base.group_system", copy=False)
    token_expiry = fields.Datetime(groups="base.group_system", copy=False)
    granted_scopes = fields.Char(groups="base.group_system", copy=False)
    sync_token = fields.Char(groups="base.group_system", copy=False,
                             help="Google's nextSyncToken for the synced calendar.")
    calendar_id = fields.Char(string="Google calendar ID", copy=False)
    calendar_name = fields.Char(string="Google calendar", copy=False)
    sync_stopped = fields.Boolean(string="Sync stopped", copy=False)
    last_error = fields.Text(copy=False)
    last_sync = fields.Datetime(copy=False)
    last_sync_summary = fields.Char(copy=False)
    sync_watermark = fields.Datetime(
        copy=False, help="RDVs changed at or after this moment are looked at by the next sync.")
    push_ids = fields.One2many("of.google.push", "account_id",
                               help="Changes Google notified and no sync has looked at yet.")
    channel_id = fields.Char(copy=False, index=True)
    channel_token = fields.Char(groups="base.group_system", copy=False)
    channel_resource_id = fields.Char(groups="base.group_system", copy=False)
    channel_expiration = fields.Datetime(copy=False)

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
        return {key: get_param(PARAM_PREFIX + key) or default
                for key, default in google_oauth.DEFAULT_ENDPOINTS.items()}

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
            if expires_in else False,
            "granted_scopes": tokens.get("scope") or False,
            "state": "connected", "last_error": False, "sync_stopped": False,
        }
        if tokens.get("refresh_token"):
            values["refresh_token"] = tokens["refresh_token"]
        self.sudo().write(values)

    def _credentials(self):
        """google-auth credentials for the sync, refreshed when expired.

        A revoked or unknown refresh token (invalid_grant) disconnects this
        user only, with a message that tells him how to reconnect."""
        self.ensure_one()
        account = self.sudo()
        client_id, client_secret = self._client_credentials()
        if not client_id:
            raise UserError(_("Google Calendar is not configured: ask an administrator to "
                              "set the Client ID and Client secret in General Settings."))
        if not account.refresh_token:
            raise UserError(_("%s has not connected a Google account yet.",
                              account.user_id.name))
        creds = make_credentials(
            account.access_token, account.refresh_token, client_id, client_secret,
            token_uri=self._endpoints()["token_uri"], expiry=account.token_expiry or None,
            scopes=google_oauth.SCOPES)
        if not account.access_token or not account.token_expiry \
                or account.token_expiry <= fields.Datetime.now() + timedelta(minutes=1):
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
            message = _("Google refused the connection of %(user)s (%(reason)s). Press "
                        "\"Sync. with Google\" to connect again.",
                        user=account.user_id.name, reason=reason[:200])
            account._disconnect(message, state="revoked")
            raise GoogleAccessLost(message) from exc
        account.write({
            "access_token": creds.token,
            "token_expiry": creds.expiry or False,
        })
        return creds

    def _disconnect(self, message=False, state="disconnected"):
        """Forget the tokens; the RDV links stay so a reconnection to the same
        account resumes without duplicates."""
        self.sudo().write({
            "access_token": False, "refresh_token": False, "token_expiry": False,
            "granted_scopes": False, "state": state, "last_error": message,
        })
        _logger.info("Google account of user %s disconnected: %s", self.user_id.id, message)

    def _use_calendar(self, calendar_id, name):
        """Sync into another calendar: the links and the sync token belong to
        the previous one, so the next sync starts clean there."""
        self.ensure_one()
        self.env["of.google.event.link"].sudo().search([("account_id", "=", self.id)]).unlink()
        self.sudo().write({"calendar_id": calendar_id, "calendar_name": name,
                           "sync_token": False, "sync_watermark": False, "channel_id": False,
                           "channel_expiration": False})

    def _forget_everything(self):
        """For a user switching Google accounts: tokens, sync token, calendar
        and every RDV's Google id and etag, so the next sync starts clean."""
        self.ensure_one()
        self._use_calendar(False, False)
        self.sudo().write({
            "access_token": False, "refresh_token": False, "token_expiry": False,
            "granted_scopes": False, "google_email": False, "state": "disconnected",
            "last_error": False, "last_sync": False, "sync_stopped": False,
        })

    # ------------------------------------------------------------------- sync

    @api.model
    def _sync_settings(self):
        get_param = self.env["ir.config_parameter"].sudo().get_param
        return SyncSettings(
            database_uuid=get_param("database.uuid"),
            policy=Policy(get_param(PARAM_PREFIX + "conflict_policy") or Policy.ODOO.value),
            allow_delete=bool(get_param(PARAM_PREFIX + "allow_delete")),
            default_tz=self.env.company.of_planning_tz or "Europe/Paris")

    def _client(self):
        self.ensure_one()
        creds = self._credentials()
        return GoogleClient(creds, api_endpoint=self._endpoints()["api_endpoint"])

    def _ensure_calendar(self, client, commit=True):
        """The dedicated calendar, created on the first sync, so the user's
        private events never become RDVs. Its id is made durable at once: a
        crash later in the sync must not make the next one create a second."""
        account = self.sudo()
        if account.calendar_id:
            return account.calendar_id
        name = self.env["ir.config_parameter"].sudo().get_param(
            PARAM_PREFIX + "calendar_name") or "Interventions"
        tz = account.user_id.tz or self.env.company.of_planning_tz or "Europe/Paris"
        account.write({"calendar_id": client.create_calendar(name, tz), "calendar_name": name})
        if commit:
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return account.calendar_id

    def _sync(self, commit=True, force=False, local_side_class=OdooLocalSide):
        """Pull then push this account's RDVs; return a summary for the user.

        Runs as the sync (sudo) for one user: only RDVs assigned to one of his
        employees, only his calendar."""
        self.ensure_one()
        account = self.sudo()
        if not self._try_lock():
            return {"status": "already_running"}
        try:
            client = account._client()
            first_sync = not account.sync_token
            calendar_id = account._ensure_calendar(client, commit=commit)
            local = local_side_class(account, commit=commit)
            report = sync_calendar(client, calendar_id, local, self._sync_settings(),
                                   force=force)
            if not first_sync:  # the first sync is the big one: the channel can wait a sync
                account._ensure_watch(client, calendar_id)
            account._remember_token(client.credentials)
            return account._record_report(report, local)
        except (GoogleAccessLost, ReconnectNeeded) as exc:
            if isinstance(exc, ReconnectNeeded):
                account._disconnect(_("Google refused the connection (%s). Press \"Sync. "
                                      "with Google\" to connect again.", exc), state="revoked")
            return {"status": "need_auth", "message": account.last_error or str(exc)}
        except GoogleError as exc:
            account.last_error = _("Google Calendar answered: %s", exc)
            return {"status": "error", "message": account.last_error, "errors": 1}
        finally:
            self._unlock()

    @api.model
    def _push_address(self):
        """Where Google may POST notifications: a public HTTPS address (or the
        push_base_url parameter, for the emulator); None means poll only."""
        get_param = self.env["ir.config_parameter"].sudo().get_param
        base = get_param(PARAM_PREFIX + "push_base_url")
        if not base:
            base = get_param("web.base.url") or ""
            if not base.startswith("https://") or google_oauth.is_loopback(base):
                return None
        return base.rstrip("/") + "/google_calendar/notifications"

    def _ensure_watch(self, client, calendar_id):
        """A push channel per user, renewed a day before it expires; a
        failure only means polling goes on."""
        account = self.sudo()
        address = self._push_address()
        soon = fields.Datetime.now() + timedelta(days=1)
        if not address or (account.channel_id and account.channel_expiration
                           and account.channel_expiration > soon):
            return
        old = (account.channel_id, account.channel_resource_id)
        channel_id, token = str(uuid.uuid4()), secrets.token_urlsafe(24)
        try:
            answer = client.watch(calendar_id, channel_id, address, token=token,
                                  ttl_seconds=CHANNEL_TTL)
            if old[0] and old[1]:
                client.stop_channel(*old)
        except GoogleError as exc:
            _logger.info("No push channel for user %s: %s", account.user_id.id, exc)
            return
        expiration = answer.get("expiration")
        account.write({
            "channel_id": channel_id, "channel_token": token,
            "channel_resource_id": answer.get("resourceId"),
            "channel_expiration": datetime.utcfromtimestamp(int(expiration) / 1000)
            if expiration else fields.Datetime.now() + timedelta(seconds=CHANNEL_TTL),
        })

    @api.model
    def _on_push(self, channel_id, token, resource_state):
        """A notification from Google: flag the account and wake the cron.
        Returns False for an unknown channel or a wrong token."""
        account = self.sudo().search([("channel_id", "=", channel_id)], limit=1) \
            if channel_id else self.sudo()
        if not account or not token or not hmac.compare_digest(
                account.channel_token or "", token):
            return False
        if resource_state != "sync":
            # Insert only: a sync of this account may be writing its row right now.
            self.env["of.google.push"].sudo().create({"account_id": account.id})
            self.env.ref("openfire_google_calendar.ir_cron_of_google_sync").sudo()._trigger()
        return True

    def _lock_key(self):
        return [0x0F6C, self.id]

    def _try_lock(self):
        """A session-level lock: two syncs of one user never overlap, and the
        lock survives the commits the sync makes as it goes."""
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s, %s)", self._lock_key())
        return self.env.cr.fetchone()[0]

    def _unlock(self):
        """Release the lock even when the sync failed mid-transaction: a
        session lock left behind on a pooled connection would block this
        user's syncs for as long as the connection lives."""
        try:
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", self._lock_key())
        except psycopg2.Error:
            self.env.cr.rollback()  # the failed transaction is lost anyway
            self.env.cr.execute("SELECT pg_advisory_unlock(%s, %s)", self._lock_key())

    def _remember_token(self, creds):
        """googleapiclient refreshes an expired token by itself: keep the new one."""
        account = self.sudo()
        if creds.token and creds.token != account.access_token:
            account.write({"access_token": creds.token, "token_expiry": creds.expiry or False})

    def _record_report(self, report, local):
        counts = {"created": 0, "updated": 0, "cancelled": 0, "errors": 0}
        for result in report.results:
            kind = result.action.kind.value
            if result.outcome.value == "done" and kind in REPORTED_KINDS:
                counts[REPORTED_KINDS[kind]] += 1
            elif result.outcome.value in ("failed", "retry", "skipped"):
                counts["errors"] += 1
                local.report_problem(result.key, result.event_id, result.reason or "; ".join(
                    result.action.problems))
        changed_in_odoo = any(result.action.side == "odoo" and result.outcome.value == "done"
                              for result in report.results)
        values = {"last_sync": fields.Datetime.now(), "last_error": report.stopped or False,
                  "last_sync_summary": _(
                      "%(created)s created, %(updated)s updated, %(cancelled)s cancelled, "
                      "%(conflicts)s conflicts, %(errors)s errors",
                      conflicts=len(report.conflicts), **counts)}
        self.sudo().write(values)
        local._durable()  # pylint: disable=protected-access
        return dict(counts, conflicts=len(report.conflicts), changed_in_odoo=changed_in_odoo,
                    stopped=report.stopped or False)

    def _sync_in_new_cursor(self, force=False):
        """Sync in a cursor of its own, committed item by item, so neither the
        caller's transaction nor a failure of the caller undoes it."""
        self.ensure_one()
        self.env.flush_all()  # what the caller wrote must be what the sync reads
        with self.env.registry.cursor() as cr:
            account = self.with_env(self.env(cr=cr, su=True))
            # What Google notified so far is what this sync will list.
            cr.execute("DELETE FROM of_google_push WHERE account_id = %s", [account.id])
            result = account._sync(commit=True, force=force)
            cr.commit()  # pylint: disable=invalid-commit
        self.invalidate_recordset()
        return result

    def _sync_from_button(self):
        """"Sync. with Google"."""
        self.ensure_one()
        return self._sync_in_new_cursor()

    @api.model
    def _cron_sync_all(self, time_budget=600):
        """Every connected user, each in his own cursor and transaction: one
        failing user never stops the others, and a run stops starting users
        after `time_budget` seconds (the next run goes on). Users Google
        notified of a change come first."""
        started = time.monotonic()
        accounts = self.sudo().search([("state", "=", "connected"), ("sync_stopped", "=", False)],
                                      order="last_sync asc nulls first, id")
        notified = {account.id for account, in
                    self.env["of.google.push"].sudo()._read_group([], ["account_id"])}
        accounts = accounts.sorted(lambda account: account.id not in notified)
        done = 0
        for account in accounts:
            user_id = account.user_id.id
            if time.monotonic() - started > time_budget:
                _logger.info("Google Calendar cron: time budget spent, %d of %d users synced",
                             done, len(accounts))
                break
            try:
                result = account._sync_in_new_cursor()
                _logger.info("Google Calendar sync of user %s: %s", user_id, result)
            except Exception:  # pylint: disable=broad-except
                _logger.exception("Google Calendar sync of user %s failed", user_id)
            done += 1
        return done

    def _delete_created_events(self):
        """Delete, in the connected account, the events the connector created
        (those of this account's links); returns how many went."""
        self.ensure_one()
        account = self.sudo()
        links = self.env["of.google.event.link"].sudo().search([("account_id", "=", self.id)])
        if not links or not account._is_connected() or not account.calendar_id:
            return 0
        client = account._client()
        writes = [Write("delete", link.google_event_id) for link in links
                  if "_" not in link.google_event_id]
        results = client.write(account.calendar_id, writes)
        return sum(1 for result in results if result.ok or result.status in (404, 410))


class OfGooglePush(models.Model):
    """One push notification from Google, waiting for its user's sync.

    Rows are only ever inserted by the notification route and deleted by the
    sync, so a notification never competes with a running sync for the
    account's row."""

    _name = "of.google.push"
    _description = "Google Calendar push notification"

    account_id = fields.Many2one("of.google.account", required=True, ondelete="cascade",
                                 index=True)
