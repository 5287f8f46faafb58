# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, models

from .of_google_account import uses_queue


class OfGooglePush(models.Model):
    _inherit = "of.google.push"

    @api.model
    def _receive(self, channel_id, token, resource_state):
        """A notification enqueues its account's sync job (one per account
        while it waits: a burst of notifications is one sync)."""
        accepted = super()._receive(channel_id, token, resource_state)
        if accepted and resource_state != "sync" and uses_queue(self.env):
            account = (
                self.env["of.google.account"]
                .sudo()
                .search([("channel_id", "=", channel_id)], limit=1)
            )
            account._enqueue()
        return accepted
