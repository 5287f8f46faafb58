# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An addon upgrade that changes what is synced (a new version of the
content hash, sync/content_hash.py): every link stored by an older version is
made pending, so that the next sync of its user looks at it, compares both
sides with the old rules (no false conflict) and sends the new content once.
"""

from ..sync.content_hash import CANCELLED_HASH, VERSION


def mark_outdated_links(cr):
    """Make pending the links whose stored hash is of an older version;
    returns how many."""
    cr.execute(
        "UPDATE of_google_event_link SET sync_state = 'pending' "
        "WHERE content_hash IS NOT NULL AND content_hash != %s "
        "AND split_part(content_hash, ':', 1) != %s AND sync_state = 'synced'",
        [CANCELLED_HASH, VERSION],
    )
    return cr.rowcount
