# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What every part of one account's sync shares on the Odoo side: the
account, its environment (the session's own cursor), the RDVs it may see,
the pairs as the database holds them, and an item's transaction.

Every write is made in a savepoint and committed at once (the durability
contract of sync/local_side.py): a database error fails that one item, which
the executor reports, and the rest of the sync goes on."""

from contextlib import contextmanager

import psycopg2

from . import rdv_conversion as conv


class TransientLocalError(Exception):
    """The database refused a write (lock, serialization, constraint): the
    item is retried at the next sync."""


class LocalSideBase:
    """The state of one account's sync (see :class:`.odoo_local_side.OdooLocalSide`)."""

    def __init__(self, account, watermark=None):
        self.account = account
        self.env = account.env
        self.user = account.user_id
        # An employee without an Odoo login (Workspace delegation, shared
        # calendar): his RDVs are those he is assigned to, in his company.
        self.employee = account.employee_id if not self.user else None
        # No tracking, follower or assignment notice from a sync (its writes
        # are the technician's own, made on his phone): a quiet note instead.
        self.Rdv = self.env["of.planning.intervention"].with_context(
            of_google_sync=True,
            of_google_sync_account=account.id,
            tracking_disable=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
            mail_auto_subscribe_no_notify=True,
        )
        self.Link = self.env["of.google.event.link"]
        # Taken with the session's lock (services/sync_session.py), else when first needed.
        self.watermark = watermark
        self.last_sync_written = False  # save_sync_token also set last_sync
        self._reported = True  # changed_rdvs reported something (or was not asked)
        self.notes = []  # what the user must read in the sync's result
        self._links = None
        self._tache = None
        self._joined = set()  # ids of RDVs come back that an event of another calendar joined
        self._unsettled = {}  # link id -> (key, write_date) of pending/error links listed

    @contextmanager
    def _atomic(self):
        """One item: a savepoint, then a commit. The sync owns its cursor
        (services/sync_session.py), so committing here makes each item durable
        and never commits anybody else's work."""
        try:
            with self.env.cr.savepoint():
                yield
        except psycopg2.Error as exc:
            self._forget_cache()
            raise TransientLocalError(str(exc)) from exc
        self.env.cr.commit()  # pylint: disable=invalid-commit

    def _forget_cache(self):
        """After a rolled-back savepoint the ORM cache and our link map may
        hold what was undone."""
        self.env.invalidate_all()
        self._links = None

    def _take_watermark(self):
        if self.watermark is None:
            self.env.cr.execute(
                "SELECT least(min(xact_start), now()) FROM pg_stat_activity "
                "WHERE datname = current_database()"
            )
            self.watermark = self.env.cr.fetchone()[0]
            if self.watermark is not None and self.watermark.tzinfo is not None:
                self.watermark = self.watermark.replace(tzinfo=None) - self.watermark.utcoffset()

    @property
    def links(self):
        if self._links is None:
            self._links = {
                link.rdv_key: link
                for link in self.Link.search_fetch(
                    [("account_id", "=", self.account.id)],
                    [
                        "rdv_key",
                        "google_event_id",
                        "etag",
                        "content_hash",
                        "sync_state",
                        "write_date",
                    ],
                )
            }
        return self._links

    def _is_mine(self, record):
        if self.employee is not None:
            mine = self.employee in record.employee_ids and (
                not record.company_id or record.company_id == self.employee.company_id
            )
        else:
            mine = self.user in record.employee_ids.user_id and (
                not record.company_id or record.company_id in self.user.company_ids
            )
        extra = self.Rdv._of_google_sync_domain()
        return mine and (not extra or bool(record.filtered_domain(extra)))

    def _user_domain(self):
        """The RDVs this account syncs: the technician's, in his companies,
        and what an addon's hook adds (_of_google_sync_domain)."""
        if self.employee is not None:
            base = [
                ("employee_ids", "in", self.employee.ids),
                "|",
                ("company_id", "=", False),
                ("company_id", "=", self.employee.company_id.id),
            ]
        else:
            base = [
                ("employee_ids.user_id", "=", self.user.id),
                "|",
                ("company_id", "=", False),
                ("company_id", "in", self.user.company_ids.ids),
            ]
        return base + list(self.Rdv._of_google_sync_domain())

    def _own_pair(self, record):
        """True for an occurrence synced as its own pair: an exception, or a
        regular RDV that took over an occurrence Google holds an exception for
        (left by a moved series, see sync/series_moves.py)."""
        return record.recurrence_exception or str(record.id) in self.links

    def _views_of(self, records):
        """key -> Rdv for these records: series masters, and exceptions for
        occurrences (see _own_pair), the RDV itself otherwise."""
        views = {}
        for record in records:
            if record.recurrence_id:
                key = conv.series_key(record.recurrence_id)
                if key not in views:
                    views[key] = conv.series_rdv_of(record.recurrence_id)
                if self._own_pair(record):
                    views[str(record.id)] = conv.rdv_of(record)
            else:
                views[str(record.id)] = conv.rdv_of(record)
        return views

    def _current(self, key):
        """The Rdv of a key as Odoo has it now for this user, None if gone."""
        kind, record_id = conv.parse_key(key)
        if kind == "series":
            recurrence = self.env["of.planning.recurrence"].browse(record_id).exists()
            mine = recurrence.intervention_ids.filtered(self._is_mine) if recurrence else None
            return conv.series_rdv_of(recurrence) if mine else None
        record = self.Rdv.browse(record_id).exists()
        if not record or not self._is_mine(record):
            return None
        if record.recurrence_id and not self._own_pair(record):
            return None  # a regular occurrence is Google's expansion of the master
        return conv.rdv_of(record)
