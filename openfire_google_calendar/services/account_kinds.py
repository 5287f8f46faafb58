# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Whose credentials reach an account's calendar, one class per
``of.google.account.kind``: a user's own connection (``oauth``), the
service account acting as a technician (``delegated``), or a planner's
connection holding the technician's calendar (``shared``). The account
model asks :data:`KINDS` and never branches on the kind, so a new way of
reaching a calendar is one new class here.

These are plain classes taking the record: ``_()`` finds the language in a
local named ``context``."""

import logging
from datetime import timedelta

from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request

from odoo import _, fields
from odoo.exceptions import UserError

from ..sync import GoogleError, make_credentials
from . import database_copy, google_oauth, google_refusal, service_account, settings
from .sync_session import GoogleAccessLost

_logger = logging.getLogger(__name__)


def _lang(account):
    return {"lang": account.env.lang or "en_US"}


def _employee_may_sync(account):
    """A technician's account syncs while connected or refused (it recovers
    by itself once the cause is fixed), unless his user connected his own
    Google account: he is synced there, never twice."""
    return account.state in ("connected", "revoked") and not account._has_own_connection()


def _token_fresh(account):
    return (
        account.access_token
        and account.token_expiry
        and account.token_expiry > fields.Datetime.now() + timedelta(minutes=1)
    )


class AccountKind:
    """What every kind does alike: a calendar of its own named after the
    settings, no sharing, the account itself holding the token."""

    def calendar(self, account, client):
        """``(calendar_id, name)`` of the dedicated calendar, created now; or,
        the connector installed again on this database, the one its earlier
        installation made: its events are adopted by the first sync, never
        put beside them."""
        context = _lang(account)  # noqa: F841  pylint: disable=unused-variable
        name = self.calendar_title(account)
        identity = database_copy.sync_identity(account.env)
        if database_copy.installed_again(account.env):
            earlier = client.find_own_calendar(
                name, identity, remembered=database_copy.remembered_calendar(account)
            )
            if earlier:
                database_copy.remember_calendar(account, earlier)
                return earlier, name
        tz = (
            account.user_id.tz
            or account.employee_id.tz
            or account.env.company.of_planning_tz
            or "Europe/Paris"
        )
        description = _("The RDVs planned in Odoo, synced by the connector.")
        made = client.create_calendar(name, tz, description, database_uuid=identity)
        database_copy.remember_calendar(account, made)
        return made, name

    def calendar_title(self, account):
        """The dedicated calendar's name, as the settings give it."""
        return settings.get(account.env, "calendar_name")

    def ensure_access(self, account, client, calendar_id):
        """Give the people who read the calendar their access (nobody but
        the account's owner, by default); returns what the account must
        tell of it, or None."""

    def token_holder(self, account):
        """The account whose tokens the credentials carry."""
        return account.sudo()


class OAuthKind(AccountKind):
    """A user connected his own Google account (OAuth consent)."""

    def is_connected(self, account):
        return account.state == "connected" and bool(account.sudo().refresh_token)

    def credentials(self, account):
        """The user's refresh token, the access token refreshed when expired.
        A revoked or unknown refresh token (invalid_grant) disconnects this
        user only, with a message that tells him how to reconnect."""
        context = _lang(account)  # noqa: F841  pylint: disable=unused-variable
        account = account.sudo()
        client_id, client_secret = account._client_credentials()
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
            token_uri=account._endpoints()["token_uri"],
            expiry=account.token_expiry or None,
            scopes=google_oauth.scopes_granted(account.granted_scopes),
        )
        if (
            not account.access_token
            or not account.token_expiry
            or account.token_expiry <= fields.Datetime.now() + timedelta(minutes=1)
        ):
            self._refresh(account, creds)
        return creds

    def _refresh(self, account, creds):
        context = _lang(account)  # noqa: F841  pylint: disable=unused-variable
        try:
            # its own transport, with a timeout; Google's outage raises
            # TokenUnavailable (sync/credentials.py): the user stays connected
            creds.refresh(Request())
        except RefreshError as exc:
            code = google_refusal.oauth_error(exc)[0]
            message = _(
                "Google refused the connection of %(user)s: %(reason)s. Press "
                '"Sync. with Google" to connect again.',
                user=account.user_id.name,
                reason=google_refusal.reason(account.env, exc),
            )
            account._disconnect(message, state="revoked")
            raise GoogleAccessLost(message, code) from exc
        account.write({"access_token": creds.token, "token_expiry": creds.expiry or False})
        return creds

    def lose_access(self, account, refusal):
        """The user reconnects himself."""
        context = _lang(account)  # noqa: F841  pylint: disable=unused-variable
        message = _(
            'Google refused the connection: %s. Press "Sync. with Google" to connect again.',
            google_refusal.reason(account.env, refusal),
        )
        account._disconnect(message, state="revoked")
        return message


class DelegatedKind(AccountKind):
    """The service account acts as the technician's work e-mail (Google
    Workspace domain-wide delegation)."""

    def is_connected(self, account):
        return _employee_may_sync(account) and bool(service_account.load_key(account.env))

    def credentials(self, account):
        """The access token is kept (an hour) so that a sync where nothing
        changed costs one request; Google's refusal is stored on this
        account, or on every account it concerns (see :meth:`lose_access`)."""
        context = _lang(account)  # noqa: F841  pylint: disable=unused-variable
        account = account.sudo()
        info = service_account.load_key(account.env)
        if not info:
            raise UserError(
                _(
                    "No service account key is set: an administrator sets it in Settings > "
                    "Calendar, under Google Calendar, technicians without an Odoo login."
                )
            )
        creds = service_account.credentials(
            info, account.google_email, token_uri=settings.get(account.env, "token_uri")
        )
        if _token_fresh(account):
            creds.token, creds.expiry = account.access_token, account.token_expiry
            return creds
        try:
            service_account.refresh(creds)
        except RefreshError as exc:
            raise GoogleAccessLost(
                account._lose_access(exc), google_refusal.oauth_error(exc)[0]
            ) from exc
        account.write(
            {
                "access_token": creds.token,
                "token_expiry": creds.expiry or False,
                "state": "connected",
            }
        )
        return creds

    def calendar(self, account, client):
        """The employee's primary calendar when the settings say so."""
        context = _lang(account)  # noqa: F841  pylint: disable=unused-variable
        if settings.get(account.env, "technician_calendar") == "primary":
            return account.google_email, _("Primary")
        return super().calendar(account, client)

    def lose_access(self, account, refusal):
        """A delegation refused for a domain is refused for every employee of
        it, and a refused key for all of them, so they are all marked at
        once (those whose sync runs just now meet the refusal themselves)."""
        context = _lang(account)  # noqa: F841  pylint: disable=unused-variable
        reason = google_refusal.details(refusal)
        refused = service_account.refusal_kind(reason)
        info = service_account.load_key(account.env) or {}
        domain = service_account.domain_of(account.google_email)
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
                email=account.google_email,
                reason=reason[:200],
                name=account._person_name(),
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
        account.sudo().write(values)
        if concerned is not None:
            _mark_others(account, concerned, values)
        _logger.info("Google refused the account %s: %s", account.id, reason)
        return message


def _mark_others(account, concerned, values):
    """Write ``values`` on the other delegated accounts in ``concerned``
    that no sync holds just now."""
    others = account.sudo().search(
        [("kind", "=", "delegated"), ("id", "!=", account.id)] + concerned
    )
    if others:
        account.env.cr.execute(
            "SELECT id FROM of_google_account WHERE id IN %s FOR NO KEY UPDATE SKIP LOCKED",
            [tuple(others.ids)],
        )
        account.browse([row[0] for row in account.env.cr.fetchall()]).sudo().write(values)


class SharedKind(AccountKind):
    """The technician's calendar lives in a planner's account (the owner)
    and is shared with the technician's e-mail."""

    def is_connected(self, account):
        return (
            _employee_may_sync(account)
            and bool(account.owner_account_id)
            and account.owner_account_id._is_connected()
        )

    def credentials(self, account):
        """The credentials of the planner whose account holds the calendar."""
        owner = account.sudo().owner_account_id
        if not owner or not owner._is_connected():
            raise UserError(self.owner_lost_message(account))
        try:
            return owner._credentials()
        except GoogleAccessLost as exc:
            account.env.cr.commit()  # pylint: disable=invalid-commit
            raise UserError(self.owner_lost_message(account)) from exc

    def owner_lost_message(self, account):
        context = _lang(account)  # noqa: F841  pylint: disable=unused-variable
        return _(
            "The calendar of %(technician)s is in the Google account of %(owner)s, which is "
            'not connected: %(owner)s presses "Sync. with Google" in the planning.',
            technician=account._person_name(),
            owner=account.sudo().owner_account_id._person_name() or "?",
        )

    def lose_access(self, account, refusal):
        """The owner's access is the one lost."""
        account.sudo().owner_account_id._lose_access(refusal)
        message = self.owner_lost_message(account)
        account.sudo().write({"last_error": message})
        return message

    def calendar_title(self, account):
        """Created in the owner's account: "Interventions — Jean Dupont"."""
        return "%s — %s" % (super().calendar_title(account), account.employee_id.name)

    def ensure_access(self, account, client, calendar_id):
        """Shared with the technician's e-mail, with the role the settings
        give (reader or writer); a changed e-mail or role is applied at the
        next sync, the old e-mail's access withdrawn; a sharing withdrawn in
        Google is given again, and said."""
        context = _lang(account)  # noqa: F841  pylint: disable=unused-variable
        account = account.sudo()
        role = settings.get(account.env, "shared_role")
        email = account.google_email
        unshared = False
        if account.shared_with == email and account.shared_role == role:
            if not self._check_due(account):
                return None
            unshared = client.shared_role(calendar_id, account.shared_rule_id) != role
            if not unshared:
                account.write({"shared_checked": fields.Datetime.now()})
                return None
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
        values = {
            "shared_with": email,
            "shared_role": role,
            "shared_rule_id": rule_id,
            "shared_checked": fields.Datetime.now(),
        }
        account.write(values)
        account.env.cr.commit()  # pylint: disable=invalid-commit
        if unshared:  # said in the administrators' list until the next sync
            _logger.info("Calendar of account %s was unshared in Google: shared again", account.id)
            return _(
                "The calendar of %(technician)s was no longer shared with %(email)s in Google: "
                "it is shared again. To stop syncing him, stop his sync in the list of the "
                "technicians' Google Calendar syncs rather than unsharing his calendar.",
                technician=account._person_name(),
                email=email,
            )
        return None

    @staticmethod
    def _check_due(account):
        """The sharing is read back from Google every ``sharing_check_hours``
        (a day by default): unshared in Google, the technician's phone would
        show nothing, and the sync itself (the owner's) would never notice.
        Not at every sync: one more request per technician and round."""
        checked = account.shared_checked
        hours = settings.get(account.env, "sharing_check_hours")
        return not checked or checked < fields.Datetime.now() - timedelta(hours=hours)

    def token_holder(self, account):
        return account.owner_account_id.sudo()


KINDS = {"oauth": OAuthKind(), "delegated": DelegatedKind(), "shared": SharedKind()}
