# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..services import availability, availability_blocks, proposal_blocks, settings
from ..sync.slots import BusyKind, Code

# Fields whose change must reach Google (what the plain Rdv is made of).
SYNCED_FIELDS = frozenset(
    {
        "name",
        "description",
        "address_id",
        "partner_id",
        "google_location",
        "date",
        "duree",
        "date_deadline",
        "forcer_dates",
        "date_deadline_forcee",
        "all_day",
        "tz",
        "state",
        "employee_ids",
        "recurrence_id",
        "recurrence_exception",
        "recurrence_original_date",
        "number",
        "tache_id",
        "of_google_phone_notes",
        "of_google_notice",
    }
)
# A planner's change of these outdates the change a technician proposed.
APPOINTMENT_FIELDS = frozenset(
    {"name", "google_location", "address_id", "date", "duree", "date_deadline", "all_day", "state"}
)


class OfPlanningIntervention(models.Model):
    """Marks RDVs whose synced content changed; the sync picks them up later.

    No HTTP happens here: a planner's save never waits for Google nor fails
    because of it."""

    _inherit = "of.planning.intervention"

    google_write_date = fields.Datetime(
        copy=False,
        readonly=True,
        index=True,
        help="Start of the transaction that last changed a synced field.",
    )
    of_google_reborn_from = fields.Char(
        string="Came back from Google as",
        copy=False,
        readonly=True,
        index="btree_not_null",
        help="The RDV (id and creation) whose events in Google this RDV came back from, "
        "after a database was restored from an older backup that had lost it: its event in "
        "another technician's calendar joins this RDV instead of making another one.",
    )
    google_write_account_id = fields.Integer(
        copy=False,
        readonly=True,
        help="The Google account whose sync made that change (none for a change in Odoo): "
        "its own next sync has nothing to send back, every other calendar of the RDV does.",
    )
    google_location = fields.Char(
        string="Location (Google)",
        copy=False,
        help="The location set in Google Calendar, when it is not the intervention address.",
    )
    of_google_phone_notes = fields.Text(
        string="Notes from the phone",
        copy=False,
        help="What the technician wrote in the event on his phone, outside the part "
        "Odoo generates. Shown in the event above that part.",
    )
    of_google_notice = fields.Char(
        string="Refusal shown on the phone",
        copy=False,
        readonly=True,
        help="The planner refused the technician's change: his event says so until the "
        "RDV's next change.",
    )
    of_google_proposal_ids = fields.One2many(
        "of.google.proposal", "intervention_id", string="Changes proposed from Google"
    )
    of_google_proposal_id = fields.Many2one(
        "of.google.proposal",
        string="Change to decide",
        compute="_compute_of_google_proposal",
    )
    of_google_proposal_pending = fields.Boolean(
        string="Change proposed",
        compute="_compute_of_google_proposal_pending",
        store=True,
        help="A technician proposed a change of this RDV from Google Calendar.",
    )
    google_internal_event_id = fields.Char(
        string="Google event (OpenFire 10)",
        copy=False,
        index=True,
        help="The event OpenFire 10 (of_planning_google) made for this RDV in its "
        "technician's primary calendar; adopted by the first sync of that calendar.",
    )
    of_google_link_ids = fields.One2many(
        "of.google.event.link", "intervention_id", string="Google events"
    )
    of_google_sync_state = fields.Selection(
        [("none", "Not synced"), ("synced", "Synced"), ("pending", "Pending"), ("error", "Error")],
        string="Google sync",
        compute="_compute_of_google_sync",
    )
    of_google_sync_error = fields.Text(
        string="Google sync error", compute="_compute_of_google_sync"
    )

    @api.depends("of_google_link_ids.sync_state", "of_google_link_ids.sync_error")
    def _compute_of_google_sync(self):
        for rdv in self:
            links = rdv.sudo().of_google_link_ids
            errors = links.filtered(lambda link: link.sync_state == "error")
            if errors:
                rdv.of_google_sync_state = "error"
                rdv.of_google_sync_error = "\n".join(
                    "%s: %s" % (link.account_id.display_name, link.sync_error or "")
                    for link in errors
                )
            else:
                rdv.of_google_sync_state = (
                    "pending"
                    if any(link.sync_state == "pending" for link in links)
                    else ("synced" if links else "none")
                )
                rdv.of_google_sync_error = False

    def _open_proposals(self):
        return self.sudo().of_google_proposal_ids.filtered(
            lambda p: p.state in ("pending", "outdated")
        )

    @api.depends("of_google_proposal_ids.state")
    def _compute_of_google_proposal(self):
        for rdv in self:
            rdv.of_google_proposal_id = rdv._open_proposals()[:1]

    @api.depends("of_google_proposal_ids.state")
    def _compute_of_google_proposal_pending(self):
        for rdv in self:
            rdv.of_google_proposal_pending = bool(rdv._open_proposals())

    def action_of_google_accept(self):
        self.ensure_one()
        return self.of_google_proposal_id.action_accept()

    def action_of_google_refuse(self):
        self.ensure_one()
        return self.of_google_proposal_id.action_refuse()

    def _mark_for_google(self):
        """Stamp the change for every calendar the RDV is in, the sync's own
        writes included: an RDV two technicians share, changed from one's
        phone, must reach the other's calendar (the calendar that wrote finds
        its own stored hash next time and does nothing)."""
        self.env.cr.execute(
            "UPDATE of_planning_intervention SET google_write_date = now(), "
            "google_write_account_id = %s WHERE id = ANY(%s)",
            [self.env.context.get("of_google_sync_account") or None, self.ids],
        )
        self.invalidate_recordset(["google_write_date", "google_write_account_id"])

    @api.model
    def _of_google_mark_shown(self, domain):
        """Stamp the coming RDVs matching ``domain``: something their events
        show but that is not an RDV field (the customer's phone, a task's
        name) changed. Past RDVs stay as their technicians saw them; an RDV
        no calendar holds is stamped for nothing, and costs nothing."""
        rdvs = (
            self.sudo()
            .with_context(active_test=False)
            .search(domain + [("date_deadline", ">=", fields.Datetime.now())])
        )
        if rdvs:
            rdvs.with_context(of_google_sync_account=None)._mark_for_google()

    @api.model_create_multi
    def create(self, vals_list):
        rdvs = super().create(vals_list)
        rdvs._mark_for_google()
        return rdvs

    def write(self, vals):
        planner = not self.env.context.get("of_google_sync") and not self.env.context.get(
            "of_google_deciding"
        )
        if (
            planner
            and self._of_google_synced_fields() & set(vals)
            and "of_google_notice" not in vals
        ):
            # the next change after a refusal: the phone no longer shows it
            noticed = self.filtered("of_google_notice")
            if noticed:
                super(OfPlanningIntervention, noticed).write({"of_google_notice": False})
        result = super().write(vals)
        if self._of_google_synced_fields() & set(vals):
            self._mark_for_google()
        if planner and APPOINTMENT_FIELDS & set(vals):
            pending = self.sudo().of_google_proposal_ids.filtered(lambda p: p.state == "pending")
            if pending:
                pending.write({"state": "outdated"})
        return result

    # -- hooks for integrators (override with _inherit) -------------------------

    @api.model
    def _of_google_synced_fields(self):
        """The fields whose change reaches Google at the next sync. An addon
        that adds a value to the event (:meth:`_of_google_event_values`) adds
        the fields it is made of."""
        return SYNCED_FIELDS

    def _of_google_event_values(self):
        """An addon's values carried by the RDV's event, {name: text} (names
        of at most 30 letters, texts of at most 1,024 characters): stored in
        the event's shared extended properties, synced both ways, part of
        what the sync compares. None by default."""
        self.ensure_one()
        return {}

    @api.model
    def _of_google_values_from_event(self, values):
        """ORM values for an addon's ``values`` read from an event ({name:
        text}, as :meth:`_of_google_event_values` gives them), for an RDV
        changed or created in Google. None by default."""
        del values  # nothing of the connector's own travels this way
        return {}

    @api.model
    def _of_google_sync_domain(self):
        """A domain the RDVs a technician syncs must also match (his own
        RDVs, in his companies, are the base). Everything by default."""
        return []

    def unlink(self):
        """A deleted RDV is cancelled (or deleted) in Google at the next sync;
        a deleted occurrence becomes an EXDATE of its series."""
        links = self.sudo().of_google_link_ids
        if links and not self.env.context.get("of_google_sync"):
            links.write({"sync_state": "pending"})
        if not self.env.context.get("of_recurrence_apply"):
            for rdv in self.filtered(lambda r: r.recurrence_id and not r.recurrence_exception):
                rdv.recurrence_id._exclude_date(rdv.recurrence_original_date)
        return super().unlink()

    def action_of_google_retry(self):
        """ "Réessayer": the RDV's failed calendars are synced again by the
        cron, woken now and taking these users first. Never in this request:
        it has just written the links the sync will write (see
        services/sync_session.py)."""
        links = self.sudo().of_google_link_ids
        accounts = links.filtered(lambda link: link.sync_state == "error").account_id
        links.write({"sync_state": "pending", "sync_error": False})
        self.env["of.google.push"]._wake(accounts)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "message": _("The RDV will be synced again with Google Calendar in a moment."),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # -- the technicians' availability: the form warns of Google busy time, other
    # RDVs and hours outside work; an absence refuses the RDV unless the settings
    # allow it. Only the database is read, never Google; a change that comes from
    # Google itself is never refused (the phone already holds it).

    of_availability_warning = fields.Text(
        string="Availability", compute="_compute_of_availability_warning"
    )

    def _of_availability_clashes(self):
        """(employee, code, interval) the RDV is planned over."""
        self.ensure_one()
        if (
            not settings.availability_enabled(self.env)
            or not self.date
            or not self.date_deadline
            or self.date_deadline <= self.date
            or not self.employee_ids
            or self.state in availability.CANCELLED_STATES
        ):
            return []
        rdv = self._origin  # the record itself, or the one a form edits
        return availability.clashes(
            self.env,
            self.employee_ids._origin,
            availability.aware(self.date),
            availability.aware(self.date_deadline),
            exclude=rdv if rdv.id else None,
        )

    def _of_clash_text(self, employee, code, interval):
        when = "%s - %s" % (
            availability.local(self.env, interval.start),
            availability.local(self.env, interval.end)[-5:],
        )
        texts = {
            BusyKind.BUSY: _("%(who)s is busy (Google) %(when)s.", who=employee.name, when=when),
            BusyKind.ABSENCE: _("%(who)s is absent %(when)s.", who=employee.name, when=when),
            BusyKind.RDV: _("%(who)s has another RDV %(when)s.", who=employee.name, when=when),
            Code.OUTSIDE_WORKING_HOURS: _(
                "%(who)s does not work %(when)s.", who=employee.name, when=when
            ),
            Code.AVAILABILITY_UNKNOWN: _(
                "%(who)s's Google availability is unknown or out of date %(when)s.",
                who=employee.name,
                when=when,
            ),
        }
        return texts.get(code, "%s: %s %s" % (employee.name, code, when))

    @api.depends("date", "date_deadline", "employee_ids", "state")
    def _compute_of_availability_warning(self):
        for rdv in self:
            clashes = rdv._of_availability_clashes() if rdv.date else []
            rdv.of_availability_warning = "\n".join(rdv._of_clash_text(*clash) for clash in clashes)

    @api.constrains("date", "date_deadline", "employee_ids", "state")
    def _check_of_availability_absence(self):
        if self.env.context.get("of_google_sync") or settings.get(
            self.env, "availability_allow_absence"
        ):
            return
        for rdv in self:
            absent = [
                clash for clash in rdv._of_availability_clashes() if clash[1] == BusyKind.ABSENCE
            ]
            if absent:
                raise ValidationError(
                    "\n".join(rdv._of_clash_text(*clash) for clash in absent)
                    + "\n"
                    + _("An RDV cannot be planned over an absence (see the settings).")
                )

    def action_of_find_slot(self):
        """ "Trouver un créneau" for this RDV."""
        self.ensure_one()
        return self.env["of.planning.slot.finder"].action_open(self)

    @api.model
    def of_availability_warnings(self, rdv_ids):
        """The warnings of these RDVs (the planning shows them after a drag
        and drop): {id: text}, empty texts left out."""
        rdvs = self.browse(rdv_ids).exists()
        return {rdv.id: rdv.of_availability_warning for rdv in rdvs if rdv.of_availability_warning}

    @api.model
    def of_availability_blocks(self, employee_ids, start, stop):
        """What the planning draws behind the RDVs of these technicians over
        [start, stop) (UTC strings): their Google busy time, absences and
        working locations, and whose availability it cannot vouch for. One
        call per load of the planning, from the database only, never Google
        (services/availability_blocks.py)."""
        return availability_blocks.planning_blocks(self.env, employee_ids, start, stop)

    @api.model
    def of_google_proposal_blocks(self, domain, start, stop):
        """The times technicians proposed from Google for the RDVs matching
        ``domain`` (the planning's filters), over [start, stop) (UTC
        strings): the planning draws them beside the planned RDVs. One call
        per load of the planning, from the database only, never Google
        (services/proposal_blocks.py)."""
        return proposal_blocks.planning_proposals(self.env, domain, start, stop)
