# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""1.3.0: the events no longer invite the technicians (content hash v3):
Google had copied each event to every technician invited, so the RDVs
showed twice or more on the phones. The links stored before are looked at
again by the next sync, which removes those invitations with one write per
event (services/content_upgrade.py, sync/pair.py: uninvited_guests)."""

import logging

from odoo.addons.openfire_google_calendar.services.content_upgrade import mark_outdated_links

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    count = mark_outdated_links(cr)
    _logger.info("%s Google event links to re-send without the technicians' invitations", count)
