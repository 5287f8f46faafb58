# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Odoo side of one user's sync: the sync core's LocalSide, with the ORM.

Which RDVs may have changed is found with one indexed query: RDVs whose
google_write_date (the start of the transaction that changed them) is at or
after the watermark of the last complete sync, plus the pairs left pending
or in error. The watermark is the start of the oldest transaction open when
the sync read Odoo, so a change committed later is never missed, and a sync
where nothing changed costs the same few queries whatever the number of RDVs.
"""

from contextlib import suppress

from odoo import _
from odoo.exceptions import UserError, ValidationError

from ..sync import Kind, PairState
from . import rdv_conversion as conv
from .local_side_base import TransientLocalError
from .local_side_writes import PulledWrites


class OdooLocalSide(PulledWrites):
    """LocalSide (see sync/local_side.py) for one of.google.account.

    ``account`` lives in the sync's own environment: its user is the synced
    user (his company, language, authorship of chatter notes), in sudo mode,
    since RDVs are found through his employees, which he may not read."""

    # The protocol's methods, in the order a sync calls them; the rest is in
    # the parts: local_side_base (state), local_side_links (pairs),
    # local_side_writes (pulled changes), local_side_notes (chatter).

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

    def never_had(self, keys, stamps):
        """Keys beyond the ids the table's sequence gave (a database restored
        from an older backup gets the sequence it had then back), or given to
        a record, whoever's it is, created at another time than the event
        says (its stamp)."""
        given = {}
        for model in ("of.planning.intervention", "of.planning.recurrence"):
            self.env.cr.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass)",
                [self.env[model]._table],
            )
            given[model] = self.env.cr.fetchone()[0] or 0
        never = []
        for key in keys:
            try:
                kind, record_id = conv.parse_key(key)
            except ValueError:
                continue
            model = "of.planning.recurrence" if kind == "series" else "of.planning.intervention"
            if record_id > given[model]:
                never.append(key)
                continue
            record = self.env[model].browse(record_id).exists()
            stamp = conv.stamp_of(record) if record else None
            if stamp and stamps.get(key) and stamps[key] != stamp:
                never.append(key)
        return never

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
                self._store(key, self._state_after(action, key, record), record)
                if action.conflict is not None:
                    self._post_conflict(record, action.conflict)
                self._post_reborn(record, action)
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
        self._lock_reborn(actions)
        records = self._prefetch([action.key for action in actions if action.key])
        plain = [
            action
            for action in actions
            if action.kind == Kind.CREATE_LOCAL
            and not action.rdv.is_exception
            and not action.rdv.is_series
            and not action.reborn  # one RDV per lost RDV: see _come_back
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
            stored.append((key, self._state_after(action, key, record), record))
            answers.append(key)
        self._store_many(stored)
        for (_key, _state, record), action in zip(stored, actions, strict=True):
            if action.conflict is not None:
                self._post_conflict(record, action.conflict)
            self._post_reborn(record, action)
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
