# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models
from odoo.release import version_info


class OfGoogleEventLink(models.Model):
    """Which Google event an RDV is in one user's calendar, and what was last
    synced: an RDV with two technicians lives in two calendars, so this state
    belongs to the (RDV, account) pair and not to the RDV."""

    _name = "of.google.event.link"
    _description = "RDV in a Google calendar"
    _rec_name = "google_event_id"

    account_id = fields.Many2one("of.google.account", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one(related="account_id.user_id", store=True, index=True)
    intervention_id = fields.Many2one(
        "of.planning.intervention", ondelete="set null", index=True, string="RDV"
    )
    rdv_key = fields.Char(
        string="Sync key",
        required=True,
        index=True,
        help="The sync's key: the RDV id, or 's' + series id for a series.",
    )
    google_event_id = fields.Char(required=True, index=True)
    etag = fields.Char()
    content_hash = fields.Char(help="Hash of the synced fields at the last sync.")
    sync_state = fields.Selection(
        [("synced", "Synced"), ("pending", "Pending"), ("error", "Error")],
        default="pending",
        required=True,
        index=True,
    )
    sync_error = fields.Text()

    # 19 ignores _sql_constraints (models.Constraint instead); same constraint names in both.
    if version_info[0] >= 19:
        _event_unique = models.Constraint(
            "unique(account_id, google_event_id)", "A Google event is linked once per account."
        )
        _key_unique = models.Constraint(
            "unique(account_id, rdv_key)", "An RDV is linked once per account."
        )
    else:
        _sql_constraints = [
            (
                "event_unique",
                "unique(account_id, google_event_id)",
                "A Google event is linked once per account.",
            ),
            ("key_unique", "unique(account_id, rdv_key)", "An RDV is linked once per account."),
        ]
