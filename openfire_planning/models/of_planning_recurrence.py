# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from .recurrence_rule import (
    WEEKDAYS,
    RuleError,
    get_zone,
    line_name,
    merge_rule_line,
    occurrence_starts,
    parse_date_lines,
    rrule_text_to_rule,
    rule_fields_of,
    rule_to_rrule_text,
    shift_date_line,
    split_lines,
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
    "monthdays",
    "byday",
    "weekday",
) + WEEKDAYS
# The fields an edit in the form changes (rule_lines: the verbatim lines).
FORM_FIELDS = RULE_FIELDS
RULE_FIELDS = RULE_FIELDS + ("rule_lines",)
# How many next occurrences the form lists for a rule it cannot edit.
NEXT_SHOWN = 10


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
    monthdays = fields.Char(
        string="Days of month",
        help="Several days, or days counted from the end of the month: "
        "1,15 for the 1st and the 15th, -1 for the last day.",
    )
    rule_lines = fields.Text(
        string="Rule lines",
        help="The RRULE, EXRULE, EXDATE and RDATE lines (RFC 5545) of a series "
        "held by Google Calendar, kept as Google wrote them: they decide the "
        "dates. An edit in the form changes only the part it is about.",
    )
    rule_editable = fields.Boolean(
        compute="_compute_rule_editable",
        store=True,
        help="The form's fields can represent the rule.",
    )
    rule_error = fields.Char(
        string="Rule problem",
        readonly=True,
        copy=False,
        help="Why the rule could not be read; only the first RDV is planned.",
    )
    next_occurrences = fields.Text(compute="_compute_next_occurrences")
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
            lines = split_lines(recurrence.rule_lines)
            rules = [line for line in lines if line_name(line) == "RRULE"] or lines
            try:
                recurrence.rrule = (
                    rules[0] if rules else rule_to_rrule_text(recurrence._rule_values())
                )
            except (KeyError, TypeError, AttributeError):
                recurrence.rrule = False
            recurrence.name = recurrence.rrule

    def _inverse_rrule(self):
        for recurrence in self:
            if recurrence.rrule:
                recurrence.write(
                    self._parse_rrule(recurrence.rrule, recurrence.dtstart, recurrence.tz)
                )

    @api.depends("rule_lines", "dtstart", "tz")
    def _compute_rule_editable(self):
        for recurrence in self:
            lines = split_lines(recurrence.rule_lines)
            recurrence.rule_editable = not lines or (
                bool(recurrence.dtstart)
                and rule_fields_of(lines, recurrence.dtstart, recurrence.tz)[1]
            )

    @api.depends("rule_lines", "dtstart", "tz", *FORM_FIELDS)
    def _compute_next_occurrences(self):
        now = fields.Datetime.now()
        for recurrence in self:
            zone = get_zone(recurrence.tz)
            if not (recurrence.dtstart and zone):
                recurrence.next_occurrences = False
                continue
            try:
                starts = recurrence._occurrence_starts(lenient=True)
            except ValidationError as exc:
                recurrence.next_occurrences = str(exc.args[0])
                continue
            shown = [start for start in starts if start >= now][:NEXT_SHOWN] or starts[-NEXT_SHOWN:]
            recurrence.next_occurrences = "\n".join(
                pytz.utc.localize(start).astimezone(zone).strftime("%Y-%m-%d %H:%M")
                for start in shown
            )

    @api.model
    def _parse_rrule(self, text, dtstart, tz_name=None):
        """RRULE text to field values, or a ValidationError the user can read."""
        try:
            return rrule_text_to_rule(text, dtstart, tz_name)
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
            if recurrence.rule_lines and not recurrence.rule_editable:
                continue  # Google's rule, which the form does not edit
            try:
                validate_rule(recurrence._rule_values())
            except RuleError as exc:
                raise ValidationError(str(exc.args[0])) from exc
            if recurrence.end_type == "end_date" and recurrence.until < recurrence.dtstart.date():
                raise ValidationError(_("The repetitions cannot end before the first RDV."))

    def _all_day(self):
        if "of_recurrence_all_day" in self.env.context:
            return self.env.context["of_recurrence_all_day"]
        return bool(self.intervention_ids[:1].all_day)

    def _occurrence_starts(self, lenient=False):
        """The series' starts. A verbatim rule that cannot be read (Google
        holds it, the user did not write it) gives its first RDV only, and the
        reason is kept in rule_error for the form; with ``lenient`` nothing is
        written."""
        self.ensure_one()
        try:
            starts = occurrence_starts(
                self._rule_values(),
                self.dtstart,
                self.tz,
                self.extra_lines,
                rule_lines=self.rule_lines,
                all_day=self._all_day(),
            )
        except RuleError as exc:
            if not self.rule_lines:
                raise ValidationError(str(exc.args[0])) from exc
            if not lenient and self.rule_error != str(exc.args[0]):
                self.rule_error = str(exc.args[0])
            return [self.dtstart]
        if self.rule_error and not lenient:
            self.rule_error = False
        return starts

    # --------------------------------------------------- verbatim rule lines

    @api.model
    def _fields_of_lines(self, vals, dtstart, tz_name):
        """The form's fields for verbatim lines (what they can show)."""
        fields_values, _editable = rule_fields_of(split_lines(vals["rule_lines"]), dtstart, tz_name)
        return fields_values

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("rule_lines") and vals.get("dtstart"):
                dtstart = fields.Datetime.to_datetime(vals["dtstart"])
                vals.update(
                    self._fields_of_lines(
                        vals, dtstart, vals.get("tz") or self.default_get(["tz"])["tz"]
                    )
                )
        return super().create(vals_list)

    def write(self, vals):
        vals = dict(vals)
        if set(vals) == {"dtstart"} and all(
            recurrence.rule_lines and not recurrence.intervention_ids for recurrence in self
        ):
            # A new series' first RDV moves to its first occurrence; verbatim
            # lines keep Google's DTSTART, which anchors them (COUNT, INTERVAL,
            # an EXDATE of DTSTART, an RDATE before it).
            return True
        moved_extra = self._extra_lines_moved(vals)
        result = self._write_rule(vals)
        for recurrence, lines in moved_extra.items():
            super(OfPlanningRecurrence, recurrence).write({"extra_lines": lines})
        return result

    def _extra_lines_moved(self, vals):
        """recurrence -> its EXDATE/RDATE lines (``extra_lines``) moved with
        the series' start, when ``vals`` moves it: an RDV removed from the
        series stays removed."""
        if "dtstart" not in vals or "extra_lines" in vals:
            return {}
        new_start = fields.Datetime.to_datetime(vals["dtstart"])
        moved = {}
        for recurrence in self.filtered("extra_lines"):
            if recurrence.dtstart == new_start:
                continue
            tz_name = vals.get("tz") or recurrence.tz
            all_day = recurrence._all_day()
            moved[recurrence] = "\n".join(
                shift_date_line(line, recurrence.dtstart, new_start, tz_name, all_day)
                for line in split_lines(recurrence.extra_lines)
            )
        return moved

    def _write_rule(self, vals):
        """write() of the rule's fields, verbatim lines kept and edited."""
        if vals.get("rule_lines"):
            for recurrence in self:
                dtstart = fields.Datetime.to_datetime(vals.get("dtstart") or recurrence.dtstart)
                own = dict(vals)
                own.update(self._fields_of_lines(vals, dtstart, vals.get("tz") or recurrence.tz))
                super(OfPlanningRecurrence, recurrence).write(own)
            return True
        edited = set(FORM_FIELDS) & set(vals)
        moved = "dtstart" in vals
        if not (edited or moved) or not any(self.mapped("rule_lines")):
            return super().write(vals)
        for recurrence in self:
            if not recurrence.rule_lines:
                super(OfPlanningRecurrence, recurrence).write(vals)
                continue
            old = recurrence._rule_values()
            old_start = recurrence.dtstart
            super(OfPlanningRecurrence, recurrence).write(vals)
            lines = recurrence._lines_after_edit(old, old_start)
            if lines != recurrence.rule_lines:
                super(OfPlanningRecurrence, recurrence).write({"rule_lines": lines})
        return True

    def _lines_after_edit(self, old, old_start):
        """The verbatim lines with the form's edit (``old`` -> the current
        fields) and a move of the start applied."""
        self.ensure_one()
        return self._edited_lines(self.rule_lines, old, self._rule_values(), old_start)

    def _edited_lines(self, text, old, new, old_start):
        """``text`` (verbatim lines) with an edit applied: the RRULE changes only
        in the parts edited (``old`` -> ``new`` field values); EXDATE/RDATE
        follow the start moved from ``old_start`` to this series' dtstart."""
        changed = {name for name in FORM_FIELDS if new[name] != old[name]}
        moved = bool(old_start and self.dtstart and old_start != self.dtstart)
        all_day = self._all_day()
        lines = []
        for line in split_lines(text):
            name = line_name(line)
            if name == "RRULE" and changed:
                line = merge_rule_line(
                    line,
                    {key: old[key] for key in FORM_FIELDS},
                    {key: new[key] for key in FORM_FIELDS},
                    self.dtstart,
                    self.tz,
                    all_day,
                )
            elif name in ("EXDATE", "RDATE") and moved:
                line = shift_date_line(line, old_start, self.dtstart, self.tz, all_day)
            lines.append(line)
        return "\n".join(lines)

    def copy(self, default=None):
        """A split ('this and following') copies the verbatim lines with the
        end (count) the copy was given."""
        default = dict(default or {})
        if (
            len(self) == 1
            and self.rule_lines
            and default.get("rule_lines")
            in (
                None,
                self.rule_lines,
            )
        ):
            old = self._rule_values()
            new = dict(old, **{key: default[key] for key in FORM_FIELDS if key in default})
            default["rule_lines"] = self._edited_lines(self.rule_lines, old, new, None)
        return super().copy(default)

    def _google_lines(self):
        """The recurrence lines Google is sent: the verbatim ones, else the
        rule the form's fields render and the extra dates."""
        self.ensure_one()
        if self.rule_lines:
            return split_lines(self.rule_lines)
        return [self.rrule] + split_lines(self.extra_lines)

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
