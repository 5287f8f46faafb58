# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""1.1.0: the events carry what a technician works from (content hash v2):
the links stored by 1.0 are looked at again by the next sync, which re-sends
each RDV once (services/content_upgrade.py)."""

import logging

from odoo.addons.openfire_google_calendar.services.content_upgrade import mark_outdated_links

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    count = mark_outdated_links(cr)
    _logger.info("%s Google event links to re-send with the new content", count)
