# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .of_planning_recurrence import (
    BYDAY,
    END_TYPES,
    MONTH_BY,
    RRULE_TYPES,
    RULE_FIELDS,
    WEEKDAY_SELECTION,
)
from .recurrence_rule import TIME_ZONES, day_fields_moved, shift_moment

STATES = [
    ("draft", "Draft"),
    ("confirm", "Confirmed"),
    ("done", "Done"),
    ("unfinished", "Unfinished"),
    ("cancel", "Cancelled"),
    ("postponed", "Postponed"),
]
RECURRENCE_UPDATE = [
    ("self_only", "This RDV"),
    ("future_events", "This and following RDVs"),
    ("all_events", "All RDVs of the series"),
]
# What an occurrence inherits from its series when the rule creates it.
SERIES_FIELDS = (
    "name",
    "employee_ids",
    "user_id",
    "company_id",
    "partner_id",
    "address_id",
    "tache_id",
    "description",
    "all_day",
    "duree",
    "tz",
    "state",
)
# Values that, written on one occurrence only, make it differ from its series.
OCCURRENCE_CONTENT = set(SERIES_FIELDS) | {
    "date",
    "date_deadline",
    "forcer_dates",
    "date_deadline_forcee",
}
RULE_AND_TOGGLE = set(RULE_FIELDS) | {"recurrency"}


def _tz_selection(_model):
    """Odoo's zones and the fixed offsets an event from another program may
    be in (GMT+05:30 is kept as UTC+05:30: no IANA zone has that offset
    all year round)."""
    return TIME_ZONES


class OfPlanningIntervention(models.Model):
    """An RDV: one visit of one or more technicians to a customer.

    Field names follow OpenFire's `of_planning` so its users and its other
    modules find what they know."""

    _name = "of.planning.intervention"
    _description = "RDV (intervention)"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"

    name = fields.Char(string="Title", required=True, tracking=True)
    number = fields.Char(readonly=True, copy=False, index=True)
    state = fields.Selection(
        STATES, default="draft", required=True, tracking=True, group_expand="_group_expand_states"
    )
    employee_ids = fields.Many2many(
        "hr.employee",
        "of_planning_intervention_employee_rel",
        "intervention_id",
        "employee_id",
        string="Technicians",
        required=True,
        default=lambda self: self.env.user.employee_ids[:1],
    )
    employee_main_id = fields.Many2one(
        "hr.employee",
        string="Main technician",
        compute="_compute_employee_main_id",
        store=True,
        readonly=False,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Planner", default=lambda self: self.env.user, tracking=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Customer", tracking=True)
    address_id = fields.Many2one(
        "res.partner",
        string="Intervention address",
        compute="_compute_address_id",
        store=True,
        readonly=False,
    )
    tache_id = fields.Many2one("of.planning.tache", string="Task")
    description = fields.Text()
    all_day = fields.Boolean(string="All day")
    date = fields.Datetime(
        string="Start",
        required=True,
        tracking=True,
        default=lambda self: (
            fields.Datetime.now().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        ),
    )
    duree = fields.Float(string="Duration", default=1.0, tracking=True, help="Duration in hours.")
    date_deadline = fields.Datetime(
        string="End",
        compute="_compute_date_deadline",
        inverse="_inverse_date_deadline",
        store=True,
        readonly=False,
    )
    forcer_dates = fields.Boolean(
        string="Force the end", help="Set the end by hand instead of start + duration."
    )
    date_deadline_forcee = fields.Datetime(string="Forced end")
    tz = fields.Selection(
        _tz_selection, string="Time zone", default=lambda self: self._default_tz()
    )
    color = fields.Integer(related="employee_main_id.color")

    # RDVs réguliers
    recurrence_id = fields.Many2one(
        "of.planning.recurrence", string="Series", index=True, ondelete="set null", copy=False
    )
    recurrence_exception = fields.Boolean(
        copy=False, help="Changed or cancelled apart from its series: series edits leave it."
    )
    recurrence_original_date = fields.Datetime(
        string="Original start",
        copy=False,
        help="Start the series' rule gave this RDV, whatever it was moved to.",
    )
    recurrency = fields.Boolean(string="Recurrent", compute="_compute_recurrence", readonly=False)
    recurrence_update = fields.Selection(
        RECURRENCE_UPDATE, string="Apply to", store=False, default="self_only"
    )
    rrule = fields.Char(related="recurrence_id.rrule", string="Recurrence rule")
    rrule_type = fields.Selection(
        RRULE_TYPES, string="Repeat every", compute="_compute_recurrence", readonly=False
    )
    interval = fields.Integer(compute="_compute_recurrence", readonly=False)
    end_type = fields.Selection(
        END_TYPES, string="Until", compute="_compute_recurrence", readonly=False
    )
    count = fields.Integer(string="Repetitions", compute="_compute_recurrence", readonly=False)
    until = fields.Date(string="End date", compute="_compute_recurrence", readonly=False)
    month_by = fields.Selection(
        MONTH_BY, string="Option", compute="_compute_recurrence", readonly=False
    )
    day = fields.Integer(string="Date of month", compute="_compute_recurrence", readonly=False)
    byday = fields.Selection(BYDAY, string="By day", compute="_compute_recurrence", readonly=False)
    weekday = fields.Selection(WEEKDAY_SELECTION, compute="_compute_recurrence", readonly=False)
    mo = fields.Boolean("Mon", compute="_compute_recurrence", readonly=False)
    tu = fields.Boolean("Tue", compute="_compute_recurrence", readonly=False)
    we = fields.Boolean("Wed", compute="_compute_recurrence", readonly=False)
    th = fields.Boolean("Thu", compute="_compute_recurrence", readonly=False)
    fr = fields.Boolean("Fri", compute="_compute_recurrence", readonly=False)
    sa = fields.Boolean("Sat", compute="_compute_recurrence", readonly=False)
    su = fields.Boolean("Sun", compute="_compute_recurrence", readonly=False)

    @api.model
    def _default_tz(self):
        return self.env.user.tz or self.env.company.of_planning_tz or "Europe/Paris"

    @api.model
    def _group_expand_states(self, _states, _domain, _order=None):
        # 17 passes the order, 18+ no longer does.
        return [key for key, _label in STATES]

    @api.depends("employee_ids")
    def _compute_employee_main_id(self):
        for rdv in self:
            if rdv.employee_main_id not in rdv.employee_ids._origin | rdv.employee_ids:
                rdv.employee_main_id = rdv.employee_ids[:1]

    @api.depends("partner_id")
    def _compute_address_id(self):
        for rdv in self:
            if rdv.partner_id and not rdv.address_id:
                rdv.address_id = rdv.partner_id.address_get(["delivery"])["delivery"]

    @api.depends("date", "duree", "forcer_dates", "date_deadline_forcee")
    def _compute_date_deadline(self):
        for rdv in self:
            if rdv.forcer_dates and rdv.date_deadline_forcee:
                rdv.date_deadline = rdv.date_deadline_forcee
            elif rdv.date:
                rdv.date_deadline = rdv.date + timedelta(hours=rdv.duree or 0.0)
            else:
                rdv.date_deadline = False

    def _inverse_date_deadline(self):
        """A drag or resize in the calendar writes the end: keep it by
        adjusting what the end is computed from."""
        for rdv in self:
            if not (rdv.date and rdv.date_deadline):
                continue
            if rdv.forcer_dates:
                rdv.date_deadline_forcee = rdv.date_deadline
            else:
                rdv.duree = (rdv.date_deadline - rdv.date).total_seconds() / 3600.0

    @api.depends("recurrence_id")
    def _compute_recurrence(self):
        defaults = self.env["of.planning.recurrence"].default_get(list(RULE_FIELDS))
        for rdv in self:
            rdv.recurrency = bool(rdv.recurrence_id)
            for name in RULE_FIELDS:
                if rdv.recurrence_id:
                    rdv[name] = rdv.recurrence_id[name]
                else:
                    rdv[name] = defaults.get(name, False)

    @api.onchange("tache_id")
    def _onchange_tache_id(self):
        if self.tache_id:
            self.duree = self.tache_id.duree
            if not self.name:
                self.name = self.tache_id.name

    @api.onchange("recurrency")
    def _onchange_recurrency(self):
        """Pre-fill a sensible rule: the weekday or day of month of the RDV."""
        if self.recurrency and not self.recurrence_id and self.date:
            weekday = ("mo", "tu", "we", "th", "fr", "sa", "su")[self.date.weekday()]
            for name in ("mo", "tu", "we", "th", "fr", "sa", "su"):
                self[name] = name == weekday
            self.day = self.date.day

    @api.constrains("date", "date_deadline", "duree", "forcer_dates")
    def _check_schedule(self):
        """Duration first: a zero duration also makes the end equal the start,
        and 'the duration must be positive' is the message that helps."""
        for rdv in self:
            if not rdv.forcer_dates and rdv.duree <= 0:
                raise ValidationError(
                    _("The duration of RDV %(name)s must be positive.", name=rdv.name)
                )
            if rdv.date and rdv.date_deadline and rdv.date_deadline <= rdv.date:
                raise ValidationError(
                    _("The end of RDV %(name)s must be after its start.", name=rdv.name)
                )

    @api.constrains("employee_ids")
    def _check_employee_ids(self):
        for rdv in self:
            if not rdv.employee_ids:
                raise ValidationError(
                    _("RDV %(name)s needs at least one technician.", name=rdv.name)
                )

    # ------------------------------------------------------------------ ORM

    @api.model_create_multi
    def create(self, vals_list):
        series_vals = []
        for vals in vals_list:
            vals.pop("recurrence_update", None)
            if not vals.get("number"):
                vals["number"] = (
                    self.env["ir.sequence"].next_by_code("of.planning.intervention") or "/"
                )
            series_vals.append(
                {name: vals.pop(name) for name in list(vals) if name in RULE_AND_TOGGLE}
            )
        rdvs = super().create(vals_list)
        if not self.env.context.get("of_recurrence_apply"):
            for rdv, rule in zip(rdvs, series_vals, strict=True):
                if rule.pop("recurrency", False) and not rdv.recurrence_id:
                    rdv._start_series(rule)
        return rdvs

    def write(self, vals):
        vals = dict(vals)
        mode = vals.pop("recurrence_update", None) or "self_only"
        if self.env.context.get("of_recurrence_apply"):
            return super().write(vals)
        rule = {name: vals.pop(name) for name in list(vals) if name in RULE_AND_TOGGLE}
        toggle = rule.pop("recurrency", None)
        start, stop = bool(toggle), toggle is not None and not toggle
        in_series = self.filtered("recurrence_id")
        alone = self - in_series
        result = True
        if alone:
            result = super(OfPlanningIntervention, alone).write(vals) if vals else True
            if start:
                for rdv in alone:
                    rdv._start_series(rule)
        for rdv in in_series:
            if stop:
                rdv._stop_series_after()
                super(OfPlanningIntervention, rdv).write(vals)
            elif rule or mode != "self_only":
                rdv._write_series(vals, rule, "all_events" if mode == "self_only" else mode)
            elif OCCURRENCE_CONTENT & set(vals):
                super(OfPlanningIntervention, rdv).write(dict(vals, recurrence_exception=True))
            elif vals:
                super(OfPlanningIntervention, rdv).write(vals)
        return result

    # ----------------------------------------------------------- RDVs réguliers

    def _series_template(self):
        """The values a new occurrence copies from this RDV."""
        self.ensure_one()
        values = self._convert_to_write({name: self[name] for name in SERIES_FIELDS})
        values["employee_ids"] = [(6, 0, self.employee_ids.ids)]
        return values

    def _start_series(self, rule):
        """Make this RDV the first occurrence of a new series."""
        self.ensure_one()
        Recurrence = self.env["of.planning.recurrence"]
        values = dict(Recurrence.default_get(list(RULE_FIELDS)), **rule)
        values.update(
            dtstart=self.date, tz=self.tz or self._default_tz(), company_id=self.company_id.id
        )
        recurrence = Recurrence.create(values)
        first = recurrence._occurrence_starts()[0]
        recurrence.dtstart = first
        self.with_context(of_recurrence_apply=True).write(
            {
                "recurrence_id": recurrence.id,
                "date": first,
                "recurrence_original_date": first,
                "recurrence_exception": False,
            }
        )
        recurrence._apply_rule(self._series_template())
        return recurrence

    def _stop_series_after(self):
        """Unticking 'recurrent' ends the series with this RDV."""
        self.ensure_one()
        recurrence = self.recurrence_id
        later = recurrence._regular_occurrences().filtered(
            lambda rdv: rdv.recurrence_original_date > self.recurrence_original_date
        )
        later.sudo().with_context(of_recurrence_apply=True).unlink()
        recurrence.write({"end_type": "end_date", "until": self.date.date()})

    def _write_series(self, vals, rule, mode):
        """Apply an edit to the series ('all_events') or to this RDV and the
        following ones ('future_events', which splits the series here)."""
        self.ensure_one()
        recurrence = self.recurrence_id
        if mode == "future_events" and self.recurrence_original_date != recurrence.dtstart:
            recurrence = self._split_series()
        new_date = fields.Datetime.to_datetime(vals["date"]) if "date" in vals else self.date
        targets = recurrence._regular_occurrences() | self
        if new_date != self.date:
            # Every RDV keeps its occurrence, moved as the series: its original
            # start (exceptions included, so they point at the same occurrence
            # of the moved series) and, for the regular ones, its date.
            old_date = self.date

            def shift(moment):
                return shift_moment(moment, old_date, new_date, recurrence.tz)

            for rdv in recurrence.intervention_ids:
                moved = {"recurrence_original_date": shift(rdv.recurrence_original_date)}
                if rdv in targets:
                    moved["date"] = new_date if rdv == self else shift(rdv.date)
                rdv.with_context(of_recurrence_apply=True).write(moved)
            rule = dict(rule, dtstart=shift(recurrence.dtstart))
            if not recurrence.rule_lines or recurrence.rule_editable:
                rule.update(
                    day_fields_moved(
                        recurrence._rule_values(), old_date, new_date, recurrence.tz, rule
                    )
                )
        series_vals = {key: value for key, value in vals.items() if key != "date"}
        if series_vals:
            targets.with_context(of_recurrence_apply=True).write(series_vals)
        if rule:
            recurrence.write(rule)
            recurrence._apply_rule(self._series_template())
        return True

    def _split_series(self):
        """Cut the series before this RDV; return the new series that starts
        with it and holds the following RDVs."""
        self.ensure_one()
        old = self.recurrence_id
        origin = self.recurrence_original_date
        following = old.intervention_ids.filtered(
            lambda rdv: rdv.recurrence_original_date >= origin
        )
        before = old.intervention_ids - following
        new_values = old._rule_values()
        if old.end_type == "count":
            new_values["count"] = max(old.count - len(before), 1)
        new = old.copy(dict(new_values, dtstart=origin))
        following.with_context(of_recurrence_apply=True).write({"recurrence_id": new.id})
        last_before = max(before.mapped("recurrence_original_date"))
        old.write({"end_type": "end_date", "until": last_before.date()})
        return new
