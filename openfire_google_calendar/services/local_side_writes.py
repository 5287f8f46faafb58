# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Google's changes written into RDVs: creations (plain, series), updates,
cancellations, exceptions of series, never over an Odoo change the sync did
not read (the rows are locked and compared with what the plan assumed)."""

from dataclasses import replace

from odoo import Command, _

from ..sync import Kind, Rdv
from ..sync.content_hash import CANCELLED_HASH, content_hash, hash_as_of, is_current, version_of
from ..sync.event_content import has_block
from ..sync.proposals import FINISHED_STATES
from . import proposals
from . import rdv_conversion as conv
from .local_side_base import TransientLocalError
from .local_side_links import LinkStore
from .local_side_notes import SyncNotes

# The actions by which Google's version changes an RDV (or is kept for it).
GOOGLE_CHANGES = (Kind.UPDATE_LOCAL, Kind.CANCEL_LOCAL, Kind.PROPOSE)


class PulledWrites(LinkStore, SyncNotes):
    """The writes of :class:`.odoo_local_side.OdooLocalSide` (the pulled side)."""

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
        compared with what the plan assumed (the synced content, the Odoo
        version that lost a conflict, or the RDV a proposal holds); one
        that finished the RDV (done, cancelled) refuses Google's change
        whatever it holds, as the plan would have. The item is then retried:
        the next sync sees both changes and applies its rules."""
        column = "recurrence_id" if kind == "series" else "id"
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT max(google_write_date), bool_and(google_write_account_id IS NOT DISTINCT "
            "FROM %%s), bool_or(state = ANY(%%s)) FROM (SELECT google_write_date, "
            "google_write_account_id, state FROM of_planning_intervention WHERE %s = %%s "
            "FOR NO KEY UPDATE) AS locked" % column,
            [self.account.id, list(FINISHED_STATES), record_id],
        )
        changed, own_write, finished = self.env.cr.fetchone()
        self._take_watermark()
        if not changed or not self.watermark or changed < self.watermark or own_write:
            return  # read by this sync, or this sync's own write
        conflict = action.conflict
        if conflict is not None and conflict.loser == "odoo":
            assumed = conflict.loser_rdv
            expected = content_hash(assumed) if isinstance(assumed, Rdv) else None
        elif action.kind == Kind.PROPOSE and isinstance(action.held, Rdv):
            expected = content_hash(action.held)  # the RDV as the plan read it
        else:
            link = self.links.get(action.key)
            expected = link.content_hash if link else None
        if not expected or expected == CANCELLED_HASH:
            return  # nothing to compare with: the plan saw no content
        if finished and kind != "series" and action.kind in GOOGLE_CHANGES:
            # "done" hashes as "confirmed" did: only the state tells it
            raise TransientLocalError(
                "finished in Odoo since this sync read it: the next sync decides"
            )
        self.env.invalidate_all()  # what the sync read is cached: read the row again
        current = self._current(action.key)
        if current is None and action.kind == Kind.PROPOSE and kind != "series":
            # a regular occurrence of a series the phone changed first (its
            # own pair from the proposal on): the RDV as it is
            record = self.Rdv.browse(record_id).exists()
            current = conv.rdv_of(record) if record else None
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
            if action.reborn and not rdv.is_series:
                return self._come_back(action)
            return self._create(rdv)
        kind, record_id = conv.parse_key(action.key)
        # A proposal leaves the appointment as it is, but stores the RDV's
        # content as the synced version: over a change this sync did not read
        # (a planner's cancellation, another technician's sync), it would take
        # that change for synced, and the event would never get it.
        self._check_unread_change(action, kind, record_id)
        if action.kind == Kind.PROPOSE:
            return self._propose(action, kind, record_id, records)
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

    def _propose(self, action, kind, record_id, records=None):
        """Google's change kept for the planner (services/proposals.py)."""
        record = (
            records.get(record_id) if records is not None else self.Rdv.browse(record_id).exists()
        )
        if kind == "series" or not record:
            raise ValueError("RDV %s is gone" % action.key)
        proposals.record_proposal(self, record, action)
        return action.key, record

    def _state_after(self, action, key, record):
        """The state to store: for a proposal, the RDV's own content (its
        event shows the proposal, which must not be proposed again); for an
        event made on the phone, the RDV as Odoo made it."""
        state = action.state_after(key=key)
        if action.proposed and action.kind == Kind.CREATE_LOCAL and record.id not in self._joined:
            proposals.record_creation(self, record)
        made = action.kind == Kind.CREATE_LOCAL and not action.reborn
        pulled = (
            action.kind == Kind.UPDATE_LOCAL
            and action.rdv is not None
            and not has_block(action.rdv.description)
        )
        if made or pulled:
            # An event made on the phone (no generated block): the synced version
            # is the RDV as Odoo made it from the event, which the event shares
            # until one side changes; else any later look at the RDV (a stamp, a
            # claim to retry) took Odoo's generated block for a change made in
            # Odoo, which won over the phone's next change as a conflict. An RDV
            # come back is compared with its event (see _come_back).
            self.env.flush_all()
            current = self._current(key)
            if current is not None:
                state = replace(state, content_hash=content_hash(current))
        if action.kind == Kind.PROPOSE:
            self.env.flush_all()
            current = self._current(key)
            if current is None and record and record.recurrence_id:
                # a regular occurrence the phone changed first: its own pair from now on
                current = conv.rdv_of(record)
            state = replace(state, content_hash=content_hash(current) if current else None)
        return state

    def _new_values(self, rdv):
        values = dict(conv.content_values(rdv), **conv.schedule_values(rdv))
        values.update(conv.extra_values(self.env, rdv))
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

    def _come_back(self, action):
        """An event made for an RDV this database lost (restored from an older
        backup) comes back as an RDV: one per lost RDV, whichever technician's
        calendar holds its events. The first event to come back makes it; the
        others join it (their technician added), so that an RDV of several
        technicians never comes back as several RDVs. A lock per lost RDV keeps
        two technicians' syncs from both making it."""
        origin = self._lock_reborn([action])[0]
        record = self.Rdv.with_context(active_test=False).search(
            [("of_google_reborn_from", "=", origin)], order="id", limit=1
        )
        if not record:
            key, record = self._create(action.rdv)
            record.of_google_reborn_from = origin
            return key, record
        employees = self._employees()
        if employees - record.employee_ids:
            record.write({"employee_ids": [Command.link(e.id) for e in employees]})
        # stamped for every calendar, this one included: its next sync compares
        # the RDV (another version, or cancelled meanwhile) with this event
        record.with_context(of_google_sync_account=False)._mark_for_google()
        self._joined.add(record.id)
        return str(record.id), record

    def _lock_reborn(self, actions):
        """The lost RDVs these actions bring back, each locked until the
        transaction ends, in one order whatever the calendar listed first (two
        technicians' syncs bringing back the same RDVs never wait on each
        other in a cycle); their names (key@stamp) in the actions' order."""
        origins = ["%s@%s" % (a.reborn, a.reborn_stamp or "") for a in actions if a.reborn]
        for origin in sorted(set(origins)):
            self.env.cr.execute(
                "SELECT pg_advisory_xact_lock(hashtext('openfire_google_calendar.reborn'), "
                "hashtext(%s))",
                [origin],
            )
        return origins

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
