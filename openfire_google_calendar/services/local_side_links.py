# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The pairs of one account's sync in the database: the event links, read
once per sync, and written in an order the unique constraints accept (a
link whose event id another link is leaving waits until that one left)."""

from . import rdv_conversion as conv
from .local_side_base import LocalSideBase


class LinkStore(LocalSideBase):
    """The link store of :class:`.odoo_local_side.OdooLocalSide`: ``self``
    has the account, its environment and ``Link`` model."""

    def _record_for(self, key, records=None):
        """The RDV record a key's chatter goes to (a series: its first RDV);
        ``records``: id -> record already read (see _prefetch)."""
        try:
            kind, record_id = conv.parse_key(key)
        except ValueError:
            return self.Rdv
        if kind == "series":
            recurrence = self.env["of.planning.recurrence"].browse(record_id).exists()
            return conv.series_template(recurrence) if recurrence else self.Rdv
        if records is not None:
            return records.get(record_id, self.Rdv)
        return self.Rdv.browse(record_id).exists()

    def _store_many(self, stored):
        """_store for [(key, state, record)]: the new links in one create().
        A link taking the event of another (a moved series' occurrences:
        sync/series_moves.py) is written once that one has left it, so that an event
        is never linked twice (see _vacating_first)."""
        new = []
        for key, state, record in self._vacating_first(stored):
            if state is None or key in self.links:
                self._store(key, state, record)
                continue
            new.append(
                dict(self._link_values(state, record), account_id=self.account.id, rdv_key=key)
            )
        if new:
            self.Link.flush_model()
            for link in self.Link.create(new):
                self.links[link.rdv_key] = link

    def _vacating_first(self, stored):
        """``stored`` in an order where a link moving to an event another link
        of the batch holds comes after that one. Any other link still holding
        it (not moving in this batch) makes the write fail: the item is then
        retried, the other one being written in the meantime."""
        batch = {item[0] for item in stored}
        holders = {self.links[key].google_event_id: key for key in batch if key in self.links}
        pending, ordered = list(stored), []
        while pending:
            moving = {item[0] for item in pending}
            ready = [
                item
                for item in pending
                if item[1] is None
                or holders.get(item[1].event_id, item[0]) not in moving - {item[0]}
            ]
            ordered += ready or pending  # a cycle: the database refuses, the items retry
            pending = [item for item in pending if ready and item not in ready]
        return ordered

    def _store(self, key, state, record):
        link = self.links.get(key)
        if state is None:
            if link:
                link.unlink()
                del self.links[key]
            return
        values = self._link_values(state, record)
        if link:
            moved = link.google_event_id != values["google_event_id"]
            link.write(values)
            if moved:
                link.flush_recordset()  # the event it left is free for another link
        else:
            self.links[key] = self.Link.create(
                dict(values, account_id=self.account.id, rdv_key=key)
            )

    @staticmethod
    def _link_values(state, record):
        values = {
            "google_event_id": state.event_id,
            "etag": state.etag or False,
            "content_hash": state.content_hash or False,
            "sync_state": "synced",
            "sync_error": False,
        }
        if record:
            values["intervention_id"] = record.id
        return values
