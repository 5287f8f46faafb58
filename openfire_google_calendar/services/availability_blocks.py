# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What the planning draws behind the RDVs of the technicians it shows: their
Google busy time, absences and working locations as stored by the last
refresh, and who among them has an availability the planning cannot vouch
for (never read, out of date, refused, or not read that far ahead), so that
nobody is taken for free for lack of a block. Read from PostgreSQL only, in
a fixed number of queries whatever the number of technicians and blocks: the
planning asks for it with every load and never waits for Google."""

from odoo import _, fields

from . import availability, planning_period, settings

MAX_TECHNICIANS = 500


def _range(env, start, stop):
    """[start, stop) naive UTC from the planning's strings, or a clear error."""
    # _() reads the user's language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    return planning_period.period(
        start,
        stop,
        unreadable=_("The planning asked for availability with unreadable dates."),
        empty=_("The planning asked for availability over an empty period."),
        too_long=_("The planning shows availability over at most six weeks."),
    )


def _place(env, label):
    """A working location's label in the user's language (Google's own kinds)."""
    # _() reads the user's language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    places = {"home": _("At home"), "office": _("At the office"), "custom": _("Elsewhere")}
    return places.get(label, label) if label else _("Elsewhere")


def _doubt(env, row, name, start, stop):
    """Why the planning cannot vouch for this technician over [start, stop)
    (naive UTC), or "" when it can. The past is not planned: only what is
    still to come has to be known."""
    # _() reads the user's language from a local named context
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    if not row:
        return "unknown", _("%s's Google availability is unknown.", name)
    if row.state != "known":
        return row.state, row._message()
    begin = max(start, fields.Datetime.now())
    if begin < stop and (row.known_from > begin or row.known_until < stop):
        return "partial", _("%s's Google availability is partly unknown.", name)
    return "", ""


def planning_blocks(env, employee_ids, start, stop):
    """The planning's background for these technicians over [start, stop)
    (the strings the planning sends, UTC):

    ``{"enabled": bool, "blocks": [{employee_id, name, start, stop, kind,
    kind_label, label}], "doubts": [{employee_id, name, state, message}]}``

    ``kind`` is busy, absence or location; ``label`` a location's place in
    the user's language. ``doubts`` lists the technicians whose availability
    is unknown, out of date or partly unknown (``state``), never shown as
    free. Only technicians whose Google calendar is synced are concerned."""
    begin, end = _range(env, start, stop)
    result = {"enabled": False, "blocks": [], "doubts": []}
    if not settings.availability_enabled(env):
        return result
    result["enabled"] = True
    ids = sorted({int(eid) for eid in employee_ids or () if eid})[:MAX_TECHNICIANS]
    employees = (
        env["hr.employee"]
        .sudo()
        .with_context(active_test=False)
        .search_fetch([("id", "in", ids)], ["name", "user_id"])
    )
    synced = availability.google_synced(env, employees) if employees else employees
    if not synced:
        return result
    names = {employee.id: employee.name for employee in synced}
    rows = (
        env["of.google.availability"]
        .sudo()
        .search_fetch(
            [("employee_id", "in", synced.ids)],
            ["employee_id", "known_from", "known_until", "refreshed", "error"],
        )
    )
    row_of = {row.employee_id.id: row for row in rows}
    kinds = dict(env["of.google.busy"]._fields["kind"]._description_selection(env))
    for block in env["of.google.busy"].sudo()._blocks(synced.ids, begin, end):
        kind = block["kind"]
        result["blocks"].append(
            {
                "employee_id": block["employee_id"],
                "name": names[block["employee_id"]],
                "start": fields.Datetime.to_string(block["start"]),
                "stop": fields.Datetime.to_string(block["stop"]),
                "kind": kind,
                "kind_label": kinds.get(kind, kind),
                "label": _place(env, block["label"]) if kind == "location" else "",
            }
        )
    for employee in synced:
        state, message = _doubt(env, row_of.get(employee.id), names[employee.id], begin, end)
        if state:
            result["doubts"].append(
                {
                    "employee_id": employee.id,
                    "name": names[employee.id],
                    "state": state,
                    "message": message,
                }
            )
    return result
