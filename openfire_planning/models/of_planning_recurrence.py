from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .recurrence_rule import (
    WEEKDAYS,
    RuleError,
    occurrence_starts,
    parse_date_lines,
    rrule_text_to_rule,
    rule_to_rrule_text,
    validate_rule,
)

RRULE_TYPES = [("daily", "Days"), ("weekly", "Weeks"), ("monthly", "Months"), ("yearly", "Years")]
END_TYPES = [("count", "Number of repetitions"), ("end_date", "End date"), ("forever", "Forever")]
MONTH_BY = [("date", "Date of month"), ("day", "Day of month")]
BYDAY = [("1", "First"), ("2", "Second"), ("3", "Third"), ("4", "Fourth"), ("-1", "Last")]
WEEKDAY_SELECTION = [
    ("MO", "Monday"),
    ("TU", "Tuesday"),
    ("WE", "Wednesday"),
    ("TH", "Thursday"),
    ("FR", "Friday"),
    ("SA", "Saturday"),
    ("SU", "Sunday"),
]
# The fields an RDV form edits on its series; the intervention model mirrors them.
RULE_FIELDS = (
    "rrule_type",
    "interval",
    "end_type",
    "count",
    "until",
    "month_by",
    "day",
    "byday",
    "weekday",
) + WEEKDAYS


class OfPlanningRecurrence(models.Model):
    """A series of RDVs ("RDVs réguliers").

    Occurrences are real RDV records so each can be assigned, done or
    cancelled on its own; the rule only decides which ones exist."""

    _name = "of.planning.recurrence"
    _description = "Recurring RDV series"

    name = fields.Char(compute="_compute_rrule", store=True, copy=False)
    rrule = fields.Char(
        string="Recurrence rule (RRULE)",
        compute="_compute_rrule",
        inverse="_inverse_rrule",
        store=True,
        readonly=False,
        copy=False,
    )
    dtstart = fields.Datetime(string="First start", required=True)
    tz = fields.Char(string="Time zone", default="Europe/Paris", required=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    intervention_ids = fields.One2many("of.planning.intervention", "recurrence_id")
    rrule_type = fields.Selection(
        RRULE_TYPES, string="Repeat every", default="weekly", required=True
    )
    interval = fields.Integer(default=1, required=True)
    end_type = fields.Selection(END_TYPES, string="Until", default="count", required=True)
    count = fields.Integer(string="Repetitions", default=5)
    until = fields.Date(string="End date")
    month_by = fields.Selection(MONTH_BY, string="Option", default="date")
    day = fields.Integer(string="Date of month", default=1)
    byday = fields.Selection(BYDAY, string="By day")
    weekday = fields.Selection(WEEKDAY_SELECTION)
    extra_lines = fields.Text(
        string="Extra dates",
        help="EXDATE and RDATE lines (RFC 5545): occurrences removed "
        "from or added to the rule, for instance by Google Calendar.",
    )
    mo = fields.Boolean("Mon")
    tu = fields.Boolean("Tue")
    we = fields.Boolean("Wed")
    th = fields.Boolean("Thu")
    fr = fields.Boolean("Fri")
    sa = fields.Boolean("Sat")
    su = fields.Boolean("Sun")

    def _rule_values(self):
        self.ensure_one()
        return {name: self[name] for name in RULE_FIELDS}

    @api.depends(*RULE_FIELDS)
    def _compute_rrule(self):
        for recurrence in self:
            try:
                recurrence.rrule = rule_to_rrule_text(recurrence._rule_values())
            except (KeyError, TypeError, AttributeError):
                recurrence.rrule = False
            recurrence.name = recurrence.rrule

    def _inverse_rrule(self):
        for recurrence in self:
            if recurrence.rrule:
                recurrence.write(self._parse_rrule(recurrence.rrule, recurrence.dtstart))

    @api.model
    def _parse_rrule(self, text, dtstart):
        """RRULE text to field values, or a ValidationError the user can read."""
        try:
            return rrule_text_to_rule(text, dtstart)
        except RuleError as exc:
            raise ValidationError(
                _("Invalid recurrence rule %(rule)r: %(reason)s", rule=text, reason=exc)
            ) from exc

    @api.constrains("extra_lines", "dtstart", "tz")
    def _check_extra_lines(self):
        for recurrence in self:
            try:
                parse_date_lines(recurrence.extra_lines, recurrence.dtstart, recurrence.tz)
            except RuleError as exc:
                raise ValidationError(_("Invalid extra dates: %s", exc)) from exc

    @api.constrains(*RULE_FIELDS)
    def _check_rule(self):
        for recurrence in self:
            try:
                validate_rule(recurrence._rule_values())
            except RuleError as exc:
                raise ValidationError(str(exc.args[0])) from exc
            if recurrence.end_type == "end_date" and recurrence.until < recurrence.dtstart.date():
                raise ValidationError(_("The repetitions cannot end before the first RDV."))

    def _occurrence_starts(self):
        self.ensure_one()
        try:
            return occurrence_starts(self._rule_values(), self.dtstart, self.tz, self.extra_lines)
        except RuleError as exc:
            raise ValidationError(str(exc.args[0])) from exc

    def _regular_occurrences(self):
        return self.intervention_ids.filtered(lambda rdv: not rdv.recurrence_exception)

    def _apply_rule(self, template):
        """Make the series' regular RDVs match the rule.

        Exceptions (moved or cancelled occurrences) are user decisions and are
        never touched; regular RDVs the rule no longer yields are removed."""
        self.ensure_one()
        starts = self._occurrence_starts()
        wanted = set(starts)
        known = set(self.intervention_ids.mapped("recurrence_original_date"))
        obsolete = self._regular_occurrences().filtered(
            lambda rdv: rdv.recurrence_original_date not in wanted
        )
        # Removing what the rule no longer yields follows from a rule change the
        # user was allowed to make, even where he may not delete RDVs himself.
        obsolete.sudo().with_context(of_recurrence_apply=True).unlink()
        values = [
            dict(
                template,
                date=start,
                recurrence_original_date=start,
                recurrence_id=self.id,
                recurrence_exception=False,
            )
            for start in starts
            if start not in known
        ]
        return (
            self.env["of.planning.intervention"]
            .with_context(of_recurrence_apply=True)
            .create(values)
        )
