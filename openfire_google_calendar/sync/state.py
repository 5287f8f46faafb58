# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the sync remembers of each (RDV, event) pair after a successful sync.

The Odoo layer stores one :class:`PairState` per synced RDV (on the record
itself, so that a local write and its new state commit together) and gives all
of them back to the next sync. The plan compares each side with it:

- Odoo changed    <=> ``content_hash(rdv) != state.content_hash``;
- Google changed  <=> the event's etag differs from ``state.etag`` *and* its
  content hash differs from ``state.content_hash`` (an etag alone also moves
  when Google touches fields we do not sync).

``content_hash`` is the hash of the content both sides agreed on, computed by
:func:`.content_hash.content_hash` the same way for both directions.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class PairState:
    """The last synced version of one pair.

    ``etag`` is Google's etag of the event as we last saw or wrote it (sent as
    If-Match on updates and deletes); None when unknown.
    """

    key: str
    event_id: str
    etag: str | None
    content_hash: str
