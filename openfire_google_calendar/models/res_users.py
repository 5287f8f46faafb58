# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.release import version_info

from ..services import proposal_counter
from ..services.sync_outcome import ErrorKind, stored_refusal_kind
from ..services.sync_session import google_session


class ResUsers(models.Model):
    _inherit = "res.users"

    of_google_account_ids = fields.One2many(
        "of.google.account", "user_id", string="Google Calendar connection"
    )
    of_google_state = fields.Selection(
        related="of_google_account_ids.state", string="Google Calendar (RDVs)"
    )
    of_google_email = fields.Char(
        related="of_google_account_ids.google_email", string="Google account (RDVs)"
    )
    of_google_calendar_name = fields.Char(
        related="of_google_account_ids.calendar_name", string="Synced calendar"
    )
    of_google_last_sync = fields.Datetime(
        related="of_google_account_ids.last_sync", string="Last sync"
    )
    of_google_last_sync_summary = fields.Char(
        related="of_google_account_ids.last_sync_summary", string="Last sync result"
    )
    of_google_last_error = fields.Text(
        related="of_google_account_ids.last_error", string="Last sync error"
    )

    of_google_busy_calendar_ids = fields.One2many(
        "of.google.busy.calendar",
        "user_id",
        string="Other calendars counted as busy",
        help="Besides your primary calendar, the Google calendars whose busy time counts in "
        "your availability.",
    )
    of_google_availability_message = fields.Text(
        string="Availability (Google)", compute="_compute_of_google_availability_message"
    )

    # -- the administrators' view of every user's sync (Settings > Users)
    of_google_sync_stopped = fields.Boolean(
        related="of_google_account_ids.sync_stopped", string="Sync stopped"
    )
    of_google_channel_expiration = fields.Datetime(
        related="of_google_account_ids.channel_expiration", string="Push channel expiry"
    )
    of_google_error_count = fields.Integer(
        string="RDVs in error",
        compute="_compute_of_google_admin",
        search="_search_of_google_error_count",
    )
    of_google_pending_count = fields.Integer(
        string="Pending pushes",
        compute="_compute_of_google_admin",
        help="Changes Google notified that no sync has looked at yet.",
    )
    of_google_quota_count = fields.Integer(
        string="Quota errors",
        compute="_compute_of_google_admin",
        help="RDVs whose last sync failed on Google's quotas (rate limits).",
    )
    of_google_in_trouble = fields.Boolean(
        string="Sync in trouble",
        compute="_compute_of_google_admin",
        search="_search_of_google_in_trouble",
        help="Access revoked, sync stopped, last sync failed, or RDVs in error.",
    )

    @api.depends("of_google_account_ids")
    @api.depends_context("uid")
    def _compute_of_google_admin(self):
        """Figures of the users' sync, for administrators only (others read
        zeros: the list is theirs, and the accounts of others are not)."""
        if not (self.env.su or self.env.user.has_group("base.group_system")):
            for user in self:
                user.of_google_error_count = user.of_google_quota_count = 0
                user.of_google_pending_count = 0
                user.of_google_in_trouble = False
            return
        Link = self.env["of.google.event.link"].sudo()
        Push = self.env["of.google.push"].sudo()
        accounts = self.sudo().of_google_account_ids
        errors = {account.id: 0 for account in accounts}
        quotas = dict(errors)
        for link in Link.search([("account_id", "in", accounts.ids), ("sync_state", "=", "error")]):
            errors[link.account_id.id] += 1
            if stored_refusal_kind(link.sync_error) is ErrorKind.QUOTA:
                quotas[link.account_id.id] += 1
        pushes = dict(errors)
        for account, count in Push._read_group(
            [("account_id", "in", accounts.ids)], ["account_id"], ["__count"]
        ):
            pushes[account.id] = count
        for user in self:
            account = user.sudo().of_google_account_ids[:1]
            user.of_google_error_count = errors.get(account.id, 0)
            user.of_google_quota_count = quotas.get(account.id, 0) + (
                1 if account.last_error_kind == ErrorKind.QUOTA.value else 0
            )
            user.of_google_pending_count = pushes.get(account.id, 0)
            user.of_google_in_trouble = bool(account) and (
                account.state == "revoked"
                or account.sync_stopped
                or bool(account.last_error)
                or errors.get(account.id, 0) > 0
            )

    def _trouble_account_ids(self, errors_only=False):
        self.env["of.google.event.link"].flush_model(["sync_state", "account_id"])
        self.env.cr.execute(
            "SELECT DISTINCT account_id FROM of_google_event_link WHERE sync_state = 'error'"
        )
        ids = {row[0] for row in self.env.cr.fetchall()}
        if not errors_only:
            ids |= set(
                self.env["of.google.account"]
                .sudo()
                .search(
                    [
                        "|",
                        "|",
                        ("state", "=", "revoked"),
                        ("sync_stopped", "=", True),
                        ("last_error", "!=", False),
                    ]
                )
                .ids
            )
        return list(ids)

    def _search_of_google_error_count(self, operator, value):
        if (operator, value) not in ((">", 0), ("!=", 0), (">=", 1)):
            raise NotImplementedError(_('Only "RDVs in error > 0" can be searched.'))
        return [("of_google_account_ids", "in", self._trouble_account_ids(errors_only=True))]

    def _search_of_google_in_trouble(self, operator, value):
        # 19 turns ('x', '=', True) into ('x', 'in', [True]) before asking
        if operator in ("in", "not in"):
            positive = (True in set(value)) == (operator == "in")
        elif operator in ("=", "!="):
            positive = bool(value) == (operator == "=")
        else:
            raise NotImplementedError(operator)
        return [
            ("of_google_account_ids", "in" if positive else "not in", self._trouble_account_ids())
        ]

    def _of_google_admin_accounts(self):
        if not self.env.user.has_group("base.group_system"):
            raise AccessError(_("Only administrators manage the users' Google Calendar sync."))
        return self.sudo().of_google_account_ids

    def action_of_google_admin_retry(self):
        """Sync these users again now: their RDVs in error are retried and
        the cron is woken for them (as "Réessayer" on an RDV), never here."""
        accounts = self._of_google_admin_accounts()
        self.env["of.google.event.link"].sudo().search(
            [("account_id", "in", accounts.ids), ("sync_state", "=", "error")]
        ).write({"sync_state": "pending", "sync_error": False})
        self.env["of.google.push"]._wake(accounts)
        return _admin_notification(
            _(
                "The sync of %s will run again in a moment.",
                ", ".join(accounts.user_id.mapped("name")),
            )
        )

    def action_of_google_admin_stop(self):
        """Stop these users' sync until an administrator restarts it."""
        accounts = self._of_google_admin_accounts()
        accounts.write({"sync_stopped": True, "last_error": _("Sync stopped by an administrator.")})
        return _admin_notification(
            _("Sync stopped for %s.", ", ".join(accounts.user_id.mapped("name")))
        )

    def action_of_google_admin_restart(self):
        """Undo a stop (by an administrator or by the sync) and sync again."""
        accounts = self._of_google_admin_accounts()
        accounts.write({"sync_stopped": False, "last_error": False})
        return self.action_of_google_admin_retry()

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + [
            "of_google_state",
            "of_google_email",
            "of_google_calendar_name",
            "of_google_last_sync",
            "of_google_last_sync_summary",
            "of_google_last_error",
            "of_google_busy_calendar_ids",
            "of_google_availability_message",
        ]

    def _compute_of_google_availability_message(self):
        employees = self.sudo().employee_ids
        rows = (
            self.env["of.google.availability"].sudo().search([("employee_id", "in", employees.ids)])
        )
        for user in self:
            texts = [
                row._admin_message()
                for row in rows
                if row.employee_id.user_id.id == user.id and row._admin_message()
            ]
            user.of_google_availability_message = "\n".join(texts) or False

    def action_of_google_busy_calendars(self):
        """The user ticks his calendars counted as busy (an administrator,
        another user's)."""
        self.ensure_one()
        return self.env["of.google.busy.calendar.choice"].action_open(user=self)

    def action_of_google_change_account(self):
        """ "Changer de compte Google": forget this user's connection and links
        (his own only) so the next sync connects and starts clean."""
        self.ensure_one()
        if self != self.env.user:
            return False
        with google_session(self.env, self.id) as account:
            if account is None:
                return {
                    "type": "ir.actions.client",
                    "tag": "display_notification",
                    "params": {
                        "type": "warning",
                        "message": _("A sync of your RDVs is running: try again in a moment."),
                    },
                }
            account._forget_everything()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "sticky": False,
                "message": _(
                    'Google account forgotten. Press "Sync. with Google" in '
                    "the planning to connect another one."
                ),
            },
        }

    # -- the planners' count of changes proposed from Google, in the activity menu

    if version_info[0] >= 18:

        def _get_activity_groups(self):
            return proposal_counter.with_proposals(self.env, super()._get_activity_groups())

    else:  # 17.0's activity menu reads its groups from this RPC

        @api.model
        def systray_get_activities(self):
            return proposal_counter.with_proposals(self.env, super().systray_get_activities())


def _admin_notification(message):
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "type": "info",
            "message": message,
            "next": {"type": "ir.actions.client", "tag": "soft_reload"},
        },
    }
