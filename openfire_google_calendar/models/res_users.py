from odoo import _, fields, models

from ..services.sync_runner import google_session


class ResUsers(models.Model):
    _inherit = "res.users"

    of_google_account_ids = fields.One2many("of.google.account", "user_id",
                                            string="Google Calendar connection")
    of_google_state = fields.Selection(
        related="of_google_account_ids.state", string="Google Calendar (RDVs)")
    of_google_email = fields.Char(related="of_google_account_ids.google_email",
                                  string="Google account (RDVs)")
    of_google_calendar_name = fields.Char(related="of_google_account_ids.calendar_name",
                                          string="Synced calendar")
    of_google_last_sync = fields.Datetime(related="of_google_account_ids.last_sync",
                                          string="Last sync")
    of_google_last_sync_summary = fields.Char(
        related="of_google_account_ids.last_sync_summary", string="Last sync result")
    of_google_last_error = fields.Text(related="of_google_account_ids.last_error",
                                       string="Last sync error")

    @property
    def SELF_READABLE_FIELDS(self):
        return super().SELF_READABLE_FIELDS + [
            "of_google_state", "of_google_email", "of_google_calendar_name",
            "of_google_last_sync", "of_google_last_sync_summary", "of_google_last_error"]

    def action_of_google_change_account(self):
        """"Changer de compte Google": forget this user's connection and links
        (his own only) so the next sync connects and starts clean."""
        self.ensure_one()
        if self != self.env.user:
            return False
        with google_session(self.env, self.id) as account:
            if account is None:
                return {"type": "ir.actions.client", "tag": "display_notification", "params": {
                    "type": "warning", "message": _(
                        "A sync of your RDVs is running: try again in a moment.")}}
            account._forget_everything()
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {"type": "success", "sticky": False,
                       "message": _("Google account forgotten. Press \"Sync. with Google\" in "
                                    "the planning to connect another one.")},
        }
