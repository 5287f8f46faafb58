# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.release import version_info

KINDS = [
    ("busy", "Busy (Google)"),
    ("absence", "Absent"),
    ("location", "Working location"),
]


class OfGoogleBusy(models.Model):
    """A technician's busy time or absence read from Google with freeBusy:
    an interval and its kind, never what the event is (no title, no guest):
    the planner sees when a technician is busy, not why. A working location
    keeps the place's kind (home, office, a label the technician chose)."""

    _name = "of.google.busy"
    _description = "Busy time of a technician in Google Calendar"
    _order = "employee_id, start"

    employee_id = fields.Many2one(
        "hr.employee", required=True, index=True, ondelete="cascade", string="Technician"
    )
    start = fields.Datetime(required=True, index=True)
    stop = fields.Datetime(required=True)
    kind = fields.Selection(KINDS, required=True, default="busy")
    label = fields.Char(help="The place of a working location (Home, Office, a label).")

    # 19 ignores _sql_constraints (models.Constraint instead); same constraint name in both.
    if version_info[0] >= 19:
        _positive = models.Constraint(
            "CHECK (stop > start)", "A busy interval ends after it starts."
        )
    else:
        _sql_constraints = [
            ("positive", "CHECK (stop > start)", "A busy interval ends after it starts."),
        ]

    @api.model
    def _replace(self, employee, start, stop, intervals, kinds=None):
        """The employee's intervals between ``start`` and ``stop`` (naive UTC)
        become ``intervals`` ((start, stop, kind, label) tuples): one delete
        and one insert, whatever the number of blocks. ``kinds``: only the
        intervals of these kinds are replaced (busy time and the typed events
        are read apart, the first by a batch of technicians, the second by
        each technician's own session)."""
        query = "DELETE FROM of_google_busy WHERE employee_id = %s AND stop > %s AND start < %s"
        params = [employee.id, start, stop]
        if kinds:
            query += " AND kind = ANY(%s)"
            params.append(list(kinds))
        self.env.cr.execute(query, params)
        if intervals:
            self.sudo().create(
                [
                    {
                        "employee_id": employee.id,
                        "start": begin,
                        "stop": end,
                        "kind": kind,
                        "label": label or False,
                    }
                    for begin, end, kind, label in intervals
                ]
            )
        self.flush_model()
        # freeBusy counts an out-of-office event as busy: the planning shows
        # it once, as the stronger absence.
        self.env.cr.execute(
            "DELETE FROM of_google_busy b WHERE b.employee_id = %s AND b.kind = 'busy' "
            "AND EXISTS (SELECT 1 FROM of_google_busy a WHERE a.employee_id = b.employee_id "
            "AND a.kind = 'absence' AND a.start <= b.start AND b.stop <= a.stop)",
            [employee.id],
        )
        self.invalidate_model()

    @api.model
    def _blocks(self, employee_ids, start, stop):
        """The blocks shown behind the planning: [{employee_id, start, stop,
        kind, label}] overlapping [start, stop), from PostgreSQL only."""
        self.env.cr.execute(
            "SELECT employee_id, start, stop, kind, label FROM of_google_busy"
            " WHERE employee_id = ANY(%s) AND stop > %s AND start < %s ORDER BY employee_id, start",
            [list(employee_ids), start, stop],
        )
        return [
            {
                "employee_id": row[0],
                "start": row[1],
                "stop": row[2],
                "kind": row[3],
                "label": row[4],
            }
            for row in self.env.cr.fetchall()
        ]
