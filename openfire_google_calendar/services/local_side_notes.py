# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What a sync tells in the RDVs' chatter: quiet notes (no follower is
notified), the version that lost a conflict, the problems of a version read
from Google. A technician without an Odoo login is the author of his own."""

from markupsafe import Markup, escape

from odoo import _

from ..sync import Rdv
from ..sync.content_hash import content_hash
from . import rdv_conversion as conv
from .local_side_base import LocalSideBase


class SyncNotes(LocalSideBase):
    """The chatter of :class:`.odoo_local_side.OdooLocalSide`."""

    def _note(self, records, body):
        """A quiet note in the chatter of ``records`` (no follower notified)."""
        if records:
            # An employee without a login is the author of his own changes.
            author = self.employee.work_contact_id.id if self.employee is not None else None
            records._message_log_batch(
                bodies=dict.fromkeys(records.ids, body), author_id=author or None
            )

    def _details(self, version):
        """A version of an RDV, as the chatter shows one that was not kept."""
        if not isinstance(version, Rdv) or version.cancelled:  # a deletion has no content
            return escape(_("(deleted)"))
        when = version.start.isoformat() if version.start else ""
        return Markup("<br/>").join(
            [
                escape(_("Title: %s", version.summary)),
                escape(_("Start: %s", when)),
                escape(_("Location: %s", version.location or "")),
                escape(_("Description: %s", (version.description or "")[:500])),
            ]
        )

    def _post_conflict(self, record, conflict):
        loser = conflict.loser_rdv
        side = _("Google Calendar") if conflict.loser == "google" else _("Odoo")
        details = self._details(loser)
        if conflict.reason == "finished":
            why = _(
                "This RDV is done or cancelled: the change made in Google Calendar was put "
                "back. The version of Google Calendar that was not kept:"
            )
        elif conflict.reason == "series":
            why = _(
                "The changes made in Google Calendar are proposed to the planner, but a "
                "series cannot be: it was put back. The version of Google Calendar that was "
                "not kept:"
            )
        else:
            why = _(
                "Changed in Odoo and in Google Calendar since the last sync. Kept: the version "
                "of %(winner)s (policy: %(policy)s). The version of %(loser)s that was not kept:",
                winner=_("Odoo") if conflict.winner == "odoo" else _("Google Calendar"),
                policy=conflict.policy.value,
                loser=side,
            )
        body = Markup("<p>%s</p><p>%s</p>") % (why, details)
        self._note(record, body)

    def _post_reborn(self, record, action):
        """An event made for an RDV this database no longer has (restored from
        an older backup), come back from Google as ``record`` (or joined to
        it: see :meth:`.local_side_writes.PulledWrites._come_back`)."""
        if action.reborn and record and record.id in self._joined:
            name = (self.employee or self.user.employee_ids[:1]).name or self.user.name
            if action.content_hash == content_hash(conv.rdv_of(record)):
                body = escape(
                    _(
                        "Its event in the calendar of %(name)s, made by Odoo for the same "
                        "lost RDV %(key)s, is this RDV's too.",
                        name=name,
                        key=action.reborn,
                    )
                )
            else:
                body = Markup("<p>%s</p><p>%s</p>") % (
                    _(
                        "Its event in the calendar of %(name)s, made by Odoo for the same "
                        "lost RDV %(key)s, is this RDV's too; it showed another version, "
                        "which the next sync replaces with this RDV's:",
                        name=name,
                        key=action.reborn,
                    ),
                    self._details(action.rdv),
                )
            self._note(record, body)
        elif action.reborn and record:
            self._note(
                record,
                _(
                    "Came back from Google Calendar: its event was made by Odoo for RDV "
                    "%s, which this database no longer has (restored from an older "
                    "backup?). Google's version is kept; cancel this RDV if it is not "
                    "wanted any more.",
                    action.reborn,
                ),
            )

    def _post_problems(self, record, action):
        """What Google's version could not give as it was (an unknown time
        zone, an end before the start...), noted on the RDV it was written to."""
        if action.problems and record:
            self._note(
                record,
                _(
                    "Read from Google Calendar with these problems: %s",
                    "; ".join(action.problems),
                ),
            )
