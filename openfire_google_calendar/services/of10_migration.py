# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Coming from OpenFire 10: sync a user's primary calendar, where
``of_planning_google`` put his RDVs, adopting its events (rules:
sync/of10.py) instead of inserting a second copy of each RDV."""

from odoo import _

from ..sync import master_of, of10
from . import rdv_conversion as conv


def has_of10_rdvs(env):
    """True when RDVs migrated from OpenFire 10 kept their Google event id."""
    return bool(
        env["of.planning.intervention"]
        .sudo()
        .search_count([("google_internal_event_id", "!=", False)], limit=1)
    )


def candidates(account):
    """The user's RDVs that OpenFire 10 synced, as sync/of10.py Candidates
    (a series is adopted as its master event)."""
    env, user = account.env, account.user_id
    records = env["of.planning.intervention"].search(
        [
            ("google_internal_event_id", "!=", False),
            ("employee_ids.user_id", "=", user.id),
            "|",
            ("company_id", "=", False),
            ("company_id", "in", user.company_ids.ids),
        ]
    )
    found = {}
    for record in records.sorted("id"):
        event_id = record.google_internal_event_id.strip()
        if record.recurrence_id and not record.recurrence_exception:
            key = conv.series_key(record.recurrence_id)
            event_id = master_of(event_id) or event_id
            rdv = conv.series_rdv_of(record.recurrence_id)
        else:
            key, rdv = str(record.id), conv.rdv_of(record)
        if key not in found and rdv is not None:
            found[key] = of10.Candidate(
                key=key, event_id=event_id, name=record.name or "", start=rdv.start
            )
    return list(found.values())


def adopt_calendar(account, client, calendar_id, name):
    """Sync ``calendar_id`` from now on, with the events OpenFire 10 made
    there paired with their RDVs; everything else already in it is left
    alone. Returns the user's report (text)."""
    account._use_calendar(calendar_id, name)
    listing = client.list_changes(calendar_id)
    known = {
        value.strip()
        for value in account.env["of.planning.intervention"]
        .sudo()
        .search([("google_internal_event_id", "!=", False)])
        .mapped("google_internal_event_id")
    }
    known |= {master_of(value) or value for value in known}
    adoption = of10.adopt(candidates(account), listing.events, account._sync_settings(), known)
    Link = account.env["of.google.event.link"].sudo()
    for state in adoption.states:
        kind, record_id = conv.parse_key(state.key)
        record = (
            conv.series_template(account.env["of.planning.recurrence"].browse(record_id))
            if kind == "series"
            else account.env["of.planning.intervention"].browse(record_id)
        )
        Link.create(
            {
                "account_id": account.id,
                "rdv_key": state.key,
                "google_event_id": state.event_id,
                "etag": state.etag or False,
                "content_hash": state.content_hash,
                "intervention_id": record.id,
                # pending: its RDV is sent with this connector's content
                "sync_state": "pending",
            }
        )
    report = report_text(account.env, adoption)
    account.sudo().write(
        {
            "of10_until": adoption.foreign_until.isoformat() if adoption.foreign_until else False,
            "of10_report": report,
        }
    )
    return report


def report_text(env, adoption):
    """What the user (and his administrator) reads of an adoption."""
    # _() reads the user's language from a local named context
    context = env.context  # noqa: F841  pylint: disable=unused-variable
    lines = [
        _(
            "%(count)s RDVs of OpenFire 10 found in this calendar: they are synced "
            "from now on, none is added twice.",
            count=len(adoption.states),
        )
    ]
    if adoption.left_alone:
        lines.append(
            _(
                "%(count)s events of OpenFire 10 no longer match an RDV and are left alone:",
                count=len(adoption.left_alone),
            )
        )
        reasons = {
            "not in the calendar": _("not in the calendar"),
            "cancelled in Google Calendar": _("cancelled in Google Calendar"),
            "unreadable event": _("unreadable event"),
            "neither the title nor the start is the RDV's": _(
                "neither the title nor the start is the RDV's"
            ),
            "already adopted by another RDV": _("already adopted by another RDV"),
            "its RDV is not yours": _("its RDV is not yours"),
        }
        lines.extend(
            "- %s (%s)" % (title or event_id, reasons.get(reason, reason))
            for event_id, title, reason in adoption.left_alone
        )
    if adoption.others:
        lines.append(
            _(
                "%(count)s other events already in this calendar are left alone.",
                count=adoption.others,
            )
        )
    return "\n".join(lines)
