# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import models


class QueueJob(models.Model):
    _inherit = "queue.job"

    def related_action_of_google_sync(self):
        """The person a sync job is for: the user (_job_sync_user) or the
        technician without a login (_job_sync_account). The job's records
        are the bare model, so queue_job's default action opens nothing."""
        self.ensure_one()
        if not self.args:
            return None
        if self.method_name == "_job_sync_user":
            record = self.env["res.users"].browse(self.args[0]).exists()
        else:
            account = self.env["of.google.account"].sudo().browse(self.args[0]).exists()
            record = account.employee_id or account.user_id
        if not record:
            return None
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
