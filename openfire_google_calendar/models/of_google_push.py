# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import hmac

from odoo import api, fields, models

from ..services import quota


class OfGooglePush(models.Model):
    """One push notification from Google, waiting for its user's sync.

    Rows are only ever inserted by the notification route and deleted by a
    sync once its listing covered them (the ids it saw when it started,
    under the user's lock), so a notification never competes with a running
    sync for the account's row, and one that comes in during a sync wakes the
    next one."""

    _name = "of.google.push"
    _description = "Google Calendar push notification"

    account_id = fields.Many2one("of.google.account", required=True, ondelete="cascade", index=True)

    def init(self):
        """The scheduler's log of Google calls (services/quota.py) lives
        beside the notifications: plain SQL, read in the session's lock
        statement, never through the ORM."""
        self.env.cr.execute(quota.TABLE)

    @api.model
    def _receive(self, channel_id, token, resource_state):
        """A notification from Google: remember it and wake the cron.
        Returns False for an unknown channel or a wrong token."""
        Account = self.env["of.google.account"].sudo()
        account = Account.search([("channel_id", "=", channel_id)], limit=1) if channel_id else None
        if not account and channel_id:
            return self._receive_busy(channel_id, token, resource_state)
        if not account or not token or not hmac.compare_digest(account.channel_token or "", token):
            return False
        if resource_state != "sync":  # "sync" only says the channel is open
            self._wake(account)
        return True

    @api.model
    def _receive_busy(self, channel_id, token, resource_state):
        """A change in a technician's primary calendar (services/push_channel.py,
        ensure_busy_watch): his availability is read at his sync, woken now."""
        account = (
            self.env["of.google.account"]
            .sudo()
            .search([("busy_channel_id", "=", channel_id)], limit=1)
        )
        if not account or not token:
            return False
        if not hmac.compare_digest(account.busy_channel_token or "", token):
            return False
        if resource_state != "sync":
            employees = account.employee_id or account.user_id.employee_ids
            rows = self.env["of.google.availability"].sudo()._of(employees)
            # Google wants a quick answer: a row a sync holds now is being
            # read by it, and not waited for.
            self.env.cr.execute(
                "UPDATE of_google_availability SET to_read = true WHERE id IN ("
                "SELECT id FROM of_google_availability WHERE id = ANY(%s) "
                "FOR NO KEY UPDATE SKIP LOCKED)",
                [[row.id for row in rows.values()]],
            )
            self.env["of.google.availability"].invalidate_model(["to_read"])
            self._wake(account)
        return True

    @api.model
    def _wake(self, accounts, at=None):
        """The cron syncs these accounts first, now (or ``at``): a row each, as a
        notification would leave, and the cron triggered."""
        self.sudo().create([{"account_id": account.id} for account in accounts])
        self.env.ref("openfire_google_calendar.ir_cron_of_google_sync").sudo()._trigger(at=at)

    @api.model
    def _notified_accounts(self):
        """Ids of the accounts with notifications waiting."""
        self.env.cr.execute("SELECT DISTINCT account_id FROM of_google_push")
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _last_seen(self, account):
        """The newest notification of this account a sync starting now covers."""
        self.env.cr.execute(
            "SELECT max(id) FROM of_google_push WHERE account_id = %s", [account.id]
        )
        return self.env.cr.fetchone()[0] or 0

    @api.model
    def _forget_until(self, account, last_id):
        """Drop the notifications a sync's listing covered."""
        if last_id:
            self.env.cr.execute(
                "DELETE FROM of_google_push WHERE account_id = %s AND id <= %s",
                [account.id, last_id],
            )
