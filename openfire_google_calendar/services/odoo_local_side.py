# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Odoo side of one user's sync: the sync core's LocalSide, with the ORM.

Which RDVs may have changed is found with one indexed query: RDVs whose
google_write_date (the start of the transaction that changed them) is at or
after the watermark of the last complete sync, plus the pairs left pending
or in error. The watermark is the start of the oldest transaction open when
the sync read Odoo, so a change committed later is never missed, and a sync
where nothing changed costs the same few queries whatever the number of RDVs.

Every write is made in a savepoint and committed at once (the durability
contract of sync/local_side.py): a database error fails that one item, which
the executor reports, and the rest of the sync goes on.
"""

from contextlib import contextmanager, suppress

import psycopg2
from markupsafe import Markup, escape

from odoo import Command, _
from odoo.exceptions import UserError, ValidationError

from ..sync import Kind, PairState, Rdv
from ..sync.content_hash import CANCELLED_HASH, content_hash, hash_as_of, is_current, version_of
from . import rdv_conversion as conv


class TransientLocalError(Exception):
    """The database refused a write (lock, serialization, constraint): the
    item is retried at the next sync."""


class OdooLocalSide:
    """LocalSide (see sync/local_side.py) for one of.google.account.

    ``account`` lives in the sync's own environment: its user is the synced
    user (his company, language, authorship of chatter notes), in sudo mode,
    since RDVs are found through his employees, which he may not read."""

    def __init__(self, account):
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
        # Taken with the session's lock (services/sync_runner.py), else here.
        self.watermark = self.env.context.get("of_google_watermark")
        self.last_sync_written = False  # save_sync_token also set last_sync
        self._reported = True  # changed_rdvs reported something (or was not asked)
        self.notes = []  # what the user must read in the sync's result
        self._links = None
        self._tache = None
        self._unsettled = {}  # link id -> (key, write_date) of pending/error links listed

    # ------------------------------------------------------------- helpers

    @contextmanager
    def _atomic(self):
        """One item: a savepoint, then a commit. The sync owns its cursor
        (services/sync_runner.py), so committing here makes each item durable
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
            return self.employee in record.employee_ids and (
                not record.company_id or record.company_id == self.employee.company_id
            )
        return self.user in record.employee_ids.user_id and (
            not record.company_id or record.company_id in self.user.company_ids
        )

    def _user_domain(self):
        if self.employee is not None:
            return [
                ("employee_ids", "in", self.employee.ids),
                "|",
                ("company_id", "=", False),
                ("company_id", "=", self.employee.company_id.id),
            ]
        return [
            ("employee_ids.user_id", "=", self.user.id),
            "|",
            ("company_id", "=", False),
            ("company_id", "in", self.user.company_ids.ids),
        ]

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

    # ------------------------------------------------------------ LocalSide

    def load_sync_token(self):
        return self.account.sync_token or None

    def save_sync_token(self, token):
        """One statement (the token, the watermark, the moment of this
        complete sync), committed; nothing when Google's token did not change
        and Odoo reported nothing: the old watermark still covers what the
        next sync must see."""
        self._take_watermark()
        if (token or False) == self.account.sync_token and not self._reported:
            return
        self.env.cr.execute(
            "UPDATE of_google_account SET sync_token = %s, sync_watermark = %s, "
            "last_sync = now() AT TIME ZONE 'UTC', write_date = now() AT TIME ZONE 'UTC', "
            "write_uid = %s WHERE id = %s",
            [token or None, self.watermark, self.env.uid, self.account.id],
        )
        self.account.invalidate_recordset(
            ["sync_token", "sync_watermark", "last_sync", "write_date", "write_uid"]
        )
        self.env.cr.commit()  # pylint: disable=invalid-commit
        self.last_sync_written = True

    def load_states(self):
        return {
            key: PairState(
                key=key,
                event_id=link.google_event_id,
                etag=link.etag or None,
                content_hash=link.content_hash or None,
            )
            for key, link in self.links.items()
        }

    def _nothing_changed(self, mark):
        """True when no RDV changed since ``mark`` and no pair is pending
        (one query: the sync where nothing changed stays this cheap)."""
        self.env.cr.execute(
            "SELECT EXISTS(SELECT 1 FROM of_planning_intervention WHERE google_write_date >= %s "
            "AND google_write_account_id IS DISTINCT FROM %s)"
            " OR EXISTS(SELECT 1 FROM of_google_event_link WHERE account_id = %s "
            "AND sync_state != 'synced')",
            [mark, self.account.id, self.account.id],
        )
        return not self.env.cr.fetchone()[0]

    def changed_rdvs(self):
        self._take_watermark()
        mark = self.account.sync_watermark
        if mark and self._nothing_changed(mark):
            self._reported = False
            return {}
        changed = {}
        if mark:
            # This calendar's own writes have nothing to send back.
            records = self.Rdv.search(
                [
                    ("google_write_date", ">=", mark),
                    "|",
                    ("google_write_account_id", "=", False),
                    ("google_write_account_id", "!=", self.account.id),
                ]
            )
            mine = records.filtered(self._is_mine)
            changed.update(self._views_of(mine))
            for record in records - mine:
                key = str(record.id)
                if key in self.links:
                    changed[key] = None
                if record.recurrence_id:
                    series = conv.series_key(record.recurrence_id)
                    if series in self.links and series not in changed:
                        changed[series] = self._current(series)
        for key, link in self.links.items():
            if link.sync_state != "synced":
                self._unsettled[link.id] = (key, link.write_date)
                if key not in changed:
                    changed[key] = self._current(key)
        return changed

    def all_rdvs(self):
        self._take_watermark()
        views = self._views_of(self.Rdv.search(self._user_domain()))
        return {key: rdv for key, rdv in views.items() if rdv is not None}

    def get_rdvs(self, keys):
        found = {}
        for key in keys:
            try:
                rdv = self._current(key)
            except ValueError:
                continue
            if rdv is not None:
                found[key] = rdv
        return found

    def regular_occurrences(self, starts):
        """The regular RDVs of this user's series at these original starts
        (series key -> aware datetimes, or dates for all-day series)."""
        found = {}
        Recurrence = self.env["of.planning.recurrence"]
        for key, wanted in starts.items():
            try:
                kind, record_id = conv.parse_key(key)
            except ValueError:
                continue
            recurrence = Recurrence.browse(record_id).exists() if kind == "series" else None
            if not recurrence:
                continue
            for record in conv.occurrences_at(recurrence, wanted):
                if not record.recurrence_exception and self._is_mine(record):
                    found[str(record.id)] = conv.rdv_of(record)
        return found

    def write_rdv(self, action):
        """Apply a change from Google and store its state, in one step.

        Odoo's validation errors become ValueError: bad input from Google is
        reported for that event and the sync of the others goes on."""
        try:
            with self._atomic():
                key, record = self._apply(action)
                self._store(key, action.state_after(key=key), record)
                if action.conflict is not None:
                    self._post_conflict(record, action.conflict)
                self._post_problems(record, action)
        except (UserError, ValidationError) as exc:
            self._forget_cache()
            raise ValueError(str(exc)) from exc
        return key

    def write_rdvs(self, actions):
        """write_rdv for a batch, in one transaction: plain RDVs created with
        one create(), their notes logged in one go, their links inserted
        together. When the batch fails, each action is written alone, so that
        only the ones Odoo refuses fail."""
        try:
            with self._atomic():
                return self._apply_batch(actions)
        except (TransientLocalError, UserError, ValidationError, ValueError):
            self._forget_cache()
        answers = []
        for action in actions:
            try:
                answers.append(self.write_rdv(action))
            except Exception as exc:  # pylint: disable=broad-except
                answers.append(exc)
        return answers

    def _apply_batch(self, actions):
        records = self._prefetch([action.key for action in actions if action.key])
        plain = [
            action
            for action in actions
            if action.kind == Kind.CREATE_LOCAL
            and not action.rdv.is_exception
            and not action.rdv.is_series
        ]
        records_made = self._create_many([action.rdv for action in plain])
        created = dict(zip(map(id, plain), records_made, strict=True))
        answers, stored = [], []
        for action in actions:
            if id(action) in created:
                record = created[id(action)]
                key = str(record.id)
            else:
                key, record = self._apply(action, records)
            stored.append((key, action.state_after(key=key), record))
            answers.append(key)
        self._store_many(stored)
        for (_key, _state, record), action in zip(stored, actions, strict=True):
            if action.conflict is not None:
                self._post_conflict(record, action.conflict)
            self._post_problems(record, action)
        return answers

    def _prefetch(self, keys):
        """id -> record of the plain RDVs among ``keys``, read together."""
        ids = []
        for key in keys:
            try:
                kind, record_id = conv.parse_key(key)
            except ValueError:
                continue
            if kind != "series":
                ids.append(record_id)
        return {record.id: record for record in self.Rdv.browse(ids).exists()}

    def save_state(self, key, state):
        with self._atomic():
            self._store(key, state, self._record_for(key))

    def save_states(self, states):
        """save_state for a batch (the results of one Google batch), in one
        transaction; item by item when it fails."""
        with suppress(TransientLocalError):
            with self._atomic():
                records = self._prefetch([key for key, _state in states])
                self._store_many(
                    [(key, state, self._record_for(key, records)) for key, state in states]
                )
            return [None] * len(states)
        answers = []
        for key, state in states:
            try:
                self.save_state(key, state)
                answers.append(None)
            except Exception as exc:  # pylint: disable=broad-except
                answers.append(exc)
        return answers

    def post_conflict(self, key, conflict):
        """Google's losing version, posted before Odoo's wins in Google."""
        with self._atomic():
            record = self._record_for(key)
            if record:
                self._post_conflict(record, conflict)
                return
        # The deletion won: no chatter to write in, so the user reads it in
        # the sync's result (services/sync_runner.py keeps these notes).
        self.notes.append(_("Conflict on a deleted RDV (%s): the deletion was kept.", key))

    def report_problem(self, key, event_id, reason):
        """Keep a failed item visible on its RDV (the 'Réessayer' button)."""
        if not key:
            return
        with self._atomic():
            link = self.links.get(key)
            if link:
                link.write({"sync_state": "error", "sync_error": reason})
            elif event_id and not any(
                other.google_event_id == event_id for other in self.links.values()
            ):
                # (Not when another pair holds the event: a regular RDV that was
                # to take over an occurrence of a moved series, whose move is
                # retried as a whole.)
                self.links[key] = self.Link.create(
                    {
                        "account_id": self.account.id,
                        "rdv_key": key,
                        "google_event_id": event_id,
                        "intervention_id": self._record_for(key).id or False,
                        "sync_state": "error",
                        "sync_error": reason,
                    }
                )

    def settle(self, report):
        """Pending or failed pairs this sync looked at and found in sync are
        synced: the plan had nothing to do for them, so nothing else says so.
        A link changed since it was listed (an RDV deleted meanwhile) stays."""
        failed = {result.key for result in report.errors}
        settled = [
            (link_id, write_date)
            for link_id, (key, write_date) in self._unsettled.items()
            if key not in failed
        ]
        if not settled or not report.token_saved:
            return
        with self._atomic():
            for link_id, write_date in settled:
                self.env.cr.execute(
                    "UPDATE of_google_event_link SET sync_state = 'synced', sync_error = NULL "
                    "WHERE id = %s AND write_date = %s AND sync_state != 'synced'",
                    [link_id, write_date],
                )
            self.Link.invalidate_model(["sync_state", "sync_error"])

    # --------------------------------------------------------- ORM details

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

    def _post_conflict(self, record, conflict):
        loser = conflict.loser_rdv
        side = _("Google Calendar") if conflict.loser == "google" else _("Odoo")
        if isinstance(loser, Rdv) and not loser.cancelled:  # a deletion has no content
            when = loser.start.isoformat() if loser.start else ""
            details = Markup("<br/>").join(
                [
                    escape(_("Title: %s", loser.summary)),
                    escape(_("Start: %s", when)),
                    escape(_("Location: %s", loser.location or "")),
                    escape(_("Description: %s", (loser.description or "")[:500])),
                ]
            )
        else:
            details = escape(_("(deleted)"))
        body = Markup("<p>%s</p><p>%s</p>") % (
            _(
                "Changed in Odoo and in Google Calendar since the last sync. Kept: the version "
                "of %(winner)s (policy: %(policy)s). The version of %(loser)s that was not kept:",
                winner=_("Odoo") if conflict.winner == "odoo" else _("Google Calendar"),
                policy=conflict.policy.value,
                loser=side,
            ),
            details,
        )
        self._note(record, body)

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

    def _employees(self):
        """The technician of an RDV made from his event: its guests are his
        own (an invitation is no assignment, see sync/content_hash.py, v3)."""
        employees = self.employee if self.employee is not None else self.user.employee_ids[:1]
        if not employees:
            raise ValueError(_("%s has no employee to assign the RDV to.", self.user.name))
        return employees

    def _check_unread_change(self, action, kind, record_id):
        """Refuse to write Google's version over an Odoo change this sync did
        not read: a planner's save committed after the sync read Odoo, or
        another technician's sync of a shared RDV. The rows are locked first,
        so none can commit between this check and the write. A change
        stamped before this sync's watermark was read; a later one is
        compared with what the plan assumed (the synced content, or the Odoo
        version that lost a conflict). The item is then retried: the next
        sync sees both changes and applies the conflict policy."""
        column = "recurrence_id" if kind == "series" else "id"
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT max(google_write_date), bool_and(google_write_account_id IS NOT DISTINCT "
            "FROM %%s) FROM (SELECT google_write_date, google_write_account_id FROM "
            "of_planning_intervention WHERE %s = %%s FOR NO KEY UPDATE) AS locked" % column,
            [self.account.id, record_id],
        )
        changed, own_write = self.env.cr.fetchone()
        self._take_watermark()
        if not changed or not self.watermark or changed < self.watermark or own_write:
            return  # read by this sync, or this sync's own write
        conflict = action.conflict
        if conflict is not None and conflict.loser == "odoo":
            assumed = conflict.loser_rdv
            expected = content_hash(assumed) if isinstance(assumed, Rdv) else None
        else:
            link = self.links.get(action.key)
            expected = link.content_hash if link else None
        if not expected or expected == CANCELLED_HASH:
            return  # nothing to compare with: the plan saw no content
        self.env.invalidate_all()  # what the sync read is cached: read the row again
        current = self._current(action.key)
        if current is not None:
            current = (
                content_hash(current)
                if is_current(expected)
                else hash_as_of(current, version_of(expected))
            )
        if current != expected:
            raise TransientLocalError(
                "changed in Odoo since this sync read it: the next sync decides"
            )

    def _apply(self, action, records=None):
        """Create, update or cancel in Odoo; return (key, record).
        ``records``: id -> record already read (see _prefetch)."""
        rdv = action.rdv
        if action.kind == Kind.CREATE_LOCAL:
            if rdv.is_exception:
                return self._write_exception(rdv)
            return self._create(rdv)
        kind, record_id = conv.parse_key(action.key)
        self._check_unread_change(action, kind, record_id)
        if kind == "series":
            recurrence = self.env["of.planning.recurrence"].browse(record_id).exists()
            if not recurrence:
                raise ValueError("series %s is gone" % action.key)
            self._write_series(recurrence, rdv, cancel=action.kind == Kind.CANCEL_LOCAL)
            return action.key, conv.series_template(recurrence)
        record = (
            records.get(record_id) if records is not None else self.Rdv.browse(record_id).exists()
        )
        if not record:
            raise ValueError("RDV %s is gone" % action.key)
        if action.kind == Kind.CANCEL_LOCAL:
            if record.state != "cancel":
                record.write({"state": "cancel", "recurrence_update": "self_only"})
                self._note(record, _("Cancelled: the event was deleted in Google Calendar."))
            return action.key, record
        values = dict(conv.content_values(rdv, record), **conv.schedule_values(rdv))
        record.write(dict(values, recurrence_update="self_only"))
        return action.key, record

    def _note(self, records, body):
        """A quiet note in the chatter of ``records`` (no follower notified)."""
        if records:
            # An employee without a login is the author of his own changes.
            author = self.employee.work_contact_id.id if self.employee is not None else None
            records._message_log_batch(
                bodies=dict.fromkeys(records.ids, body), author_id=author or None
            )

    def _new_values(self, rdv):
        values = dict(conv.content_values(rdv), **conv.schedule_values(rdv))
        values.update(
            employee_ids=[Command.set(self._employees().ids)],
            tz=rdv.tz,
            # an employee's RDV made on his phone: the planner whose account
            # holds his shared calendar, or none
            user_id=self.user.id or self.account.owner_account_id.user_id.id or False,
            company_id=(self.user.company_id or self.employee.company_id).id,
            tache_id=self._tache_id,
        )
        return values

    @property
    def _tache_id(self):
        """The task of RDVs made in Google, looked up once per sync."""
        if self._tache is None:
            self._tache = self.env.ref("openfire_google_calendar.tache_google").id
        return self._tache

    def _create(self, rdv):
        if rdv.is_series:
            return self._create_series(rdv, self._new_values(rdv))
        record = self._create_many([rdv])[0]
        return str(record.id), record

    def _create_many(self, rdvs):
        """Plain RDVs from Google, in one create(); their records in order."""
        if not rdvs:
            return self.Rdv
        records = self.Rdv.create([self._new_values(rdv) for rdv in rdvs])
        self._note(records, _("Created from Google Calendar."))
        return records

    def _create_series(self, rdv, values):
        lines = conv.rule_lines_of(rdv)
        if not lines:
            raise ValueError("a series needs recurrence lines, got %r" % (rdv.recurrence,))
        # Google's lines, verbatim, decide the dates (openfire_planning expands them).
        record = self.Rdv.create(dict(values, recurrency=True, rule_lines=lines))
        recurrence = record.recurrence_id
        self._note(record, _("Series created from Google Calendar."))
        if recurrence.rule_error:
            self._note(
                record,
                _(
                    "The recurrence rule from Google Calendar cannot be read "
                    "(%s): only the first RDV of the series is planned.",
                    recurrence.rule_error,
                ),
            )
        return conv.series_key(recurrence), record

    def _write_series(self, recurrence, rdv, cancel=False):
        template = conv.series_template(recurrence)
        if cancel:
            template.write({"state": "cancel", "recurrence_update": "all_events"})
            self._note(template, _("Series cancelled: it was deleted in Google Calendar."))
            return
        schedule = conv.schedule_values(rdv)
        values = dict(
            conv.content_values(rdv, template),
            duree=schedule["duree"],
            all_day=schedule["all_day"],
            recurrence_update="all_events",
        )
        delta = schedule["date"] - recurrence.dtstart
        if delta:
            values["date"] = template.date + delta
        # Google's lines, verbatim, when they changed (the RDVs follow) or the
        # series moved (its EXDATE/RDATE are Google's, not shifted by the move).
        lines = conv.rule_lines_of(rdv)
        if lines and (delta or sorted(lines.splitlines()) != sorted(recurrence._google_lines())):
            values["rule_lines"] = lines
        template.write(values)
        if delta:
            # The series' exceptions moved with it in Odoo, to the occurrences
            # they belong to; Google keeps them where they were made: the next
            # sync moves them there too (sync/series_moves.py).
            for record in recurrence.intervention_ids.filtered("recurrence_exception"):
                link = self.links.get(str(record.id))
                if link and link.sync_state == "synced":
                    link.sync_state = "pending"

    def _write_exception(self, rdv):
        """An occurrence changed or cancelled in Google."""
        kind, record_id = conv.parse_key(rdv.series_key)
        recurrence = self.env["of.planning.recurrence"].browse(record_id).exists()
        if kind != "series" or not recurrence:
            raise ValueError("occurrence of an unknown series %s" % rdv.series_key)
        record = conv.find_occurrence(recurrence, rdv)
        if not record:
            template = conv.series_template(recurrence)
            original = conv.original_start_values(recurrence, rdv)
            record = self.Rdv.with_context(of_recurrence_apply=True).create(
                dict(
                    template._series_template(),
                    recurrence_id=recurrence.id,
                    recurrence_original_date=original,
                    recurrence_exception=True,
                    date=original,
                )
            )
        if rdv.cancelled:
            record.write({"state": "cancel", "recurrence_update": "self_only"})
        else:
            values = dict(conv.content_values(rdv, record), **conv.schedule_values(rdv))
            record.write(dict(values, recurrence_update="self_only"))
        return str(record.id), record
