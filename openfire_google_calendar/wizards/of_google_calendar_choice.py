# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command, _, api, fields, models

from ..services import google_calendars, of10_migration


class OfGoogleCalendarChoice(models.TransientModel):
    """Pick the Google calendar the RDVs go to: the dedicated one (default) or
    one of the user's own calendars. Changing it starts the sync afresh on the
    new calendar; the old one keeps what it has."""

    _name = "of.google.calendar.choice"
    _description = "Choose the Google calendar of the RDVs"

    line_ids = fields.One2many("of.google.calendar.choice.line", "wizard_id")

    @api.model
    def action_open(self):
        """Google's list of the user's calendars, fetched in a session of its
        own: a refusal by Google (revoked access) disconnects the user for
        good, and he is told so instead of an error that would undo it."""
        try:
            calendars, (current, of10_current) = google_calendars.list_calendars(
                self.env,
                user_id=self.env.uid,
                read=lambda account: (
                    account.calendar_id,
                    bool(account.of10_until or account.of10_report),
                ),
            )
        except google_calendars.Unlisted as unlisted:
            return unlisted.action
        lines = [
            Command.create(
                {
                    "calendar_id": calendar["id"],
                    "name": calendar.get("summaryOverride") or calendar.get("summary") or "",
                    "current": calendar["id"] == current and not of10_current,
                    "primary": bool(calendar.get("primary")),
                }
            )
            for calendar in calendars
            if calendar.get("accessRole") in ("owner", "writer", None)
        ]
        primary = [calendar for calendar in calendars if calendar.get("primary")]
        if primary and of10_migration.has_of10_rdvs(self.env):
            # Coming from OpenFire 10: its RDVs are in the primary calendar.
            lines.insert(
                0,
                Command.create(
                    {
                        "calendar_id": primary[0]["id"],
                        "primary": True,
                        "of10": True,
                        "name": _("My primary calendar, where OpenFire 10 put my RDVs"),
                        "current": primary[0]["id"] == current and of10_current,
                    }
                ),
            )
        wizard = self.create({"line_ids": lines})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
            "name": _("Google calendar of my RDVs"),
        }
