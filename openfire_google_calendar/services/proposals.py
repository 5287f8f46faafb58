# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Proposals, the Odoo side: whose changes are proposed, a proposal kept
from a sync, and the planner's answer. The rules of what becomes a proposal
are the sync core's (sync/proposals.py); here a proposal is stored, shown
and decided, and the decision is an ordinary change of the RDV, which the
next sync pushes (accepted: the RDV moved; refused: its event's generated
block says so, which puts the event back)."""

import psycopg2
from markupsafe import Markup, escape

from odoo import _, fields

from ..sync.content_hash import ANOTHER_VERSION_HASH
from ..sync.event_content import has_block, phone_notes_of
from . import rdv_conversion as conv
from . import settings

APPLIED = "applied"
PROPOSED = "proposed"
OPEN_STATES = ("pending", "outdated")


def technician_of(account):
    """The employee whose calendar ``account`` syncs (the first of his user's)."""
    if account.employee_id:
        return account.employee_id
    return account.user_id.employee_ids[:1]


def proposal_mode(account):
    """True when the changes made in ``account``'s calendar are proposed:
    the technician's own choice, else the company's (the setting)."""
    own = technician_of(account).sudo().of_google_changes
    return (own or settings.get(account.env, "google_changes")) == PROPOSED


def _held_values(record):
    return {
        "held_name": record.name,
        "held_location": record.google_location or conv.address_line(record),
        "held_date": record.date,
        "held_date_deadline": record.date_deadline,
    }


def _proposed_values(record, rdv):
    """The proposal's fields for Google's version ``rdv`` of ``record``."""
    schedule = conv.schedule_values(rdv)
    content = conv.content_values(rdv, record)
    return {
        "proposed_name": content.get("name", record.name),
        "proposed_location": rdv.location or "",
        "proposed_date": schedule["date"],
        "proposed_duree": schedule["duree"],
        "proposed_all_day": schedule["all_day"],
        "proposed_date_deadline": fields.Datetime.add(
            schedule["date"], seconds=int(schedule["duree"] * 3600)
        ),
    }


def record_proposal(side, record, action):
    """A PROPOSE action from a sync (see sync/local_side.py): the pending
    proposal replaced, the technician's notes taken at once, the planner
    told. ``side`` is the sync's local side (its environment, its account)."""
    rdv = action.rdv
    if rdv is not None and has_block(rdv.description):
        notes = phone_notes_of(rdv.description)
        if notes != (record.of_google_phone_notes or ""):
            record.write({"of_google_phone_notes": notes or False})
    replaced = record.of_google_proposal_ids.filtered(lambda p: p.state in OPEN_STATES)
    replaced.write({"state": "replaced"})
    kind = "change"
    if rdv is None:
        kind = "cancel"
    elif "creation" in replaced.mapped("kind"):
        # the new RDV changed on the phone before the office confirmed it: still a
        # new RDV to confirm, now with the phone's latest values
        kind = "creation"
    values = dict(
        _held_values(record),
        intervention_id=record.id,
        employee_id=technician_of(side.account).id or False,
        kind=kind,
    )
    if rdv is not None:
        values.update(_proposed_values(record, rdv))
    if record.of_google_notice:  # a new change: the refusal is no longer news
        record.write({"of_google_notice": False})
    proposal = side.env["of.google.proposal"].create(values)
    _tell_planner(side, record, proposal)
    return proposal


def record_creation(side, record):
    """A draft RDV made from an event created on the phone: its confirmation
    is proposed."""
    proposal = side.env["of.google.proposal"].create(
        dict(
            _held_values(record),
            intervention_id=record.id,
            employee_id=technician_of(side.account).id or False,
            kind="creation",
            proposed_name=record.name,
            proposed_location=record.google_location or "",
            proposed_date=record.date,
            proposed_date_deadline=record.date_deadline,
            proposed_duree=record.duree,
            proposed_all_day=record.all_day,
        )
    )
    _tell_planner(side, record, proposal)
    return proposal


def _tell_planner(side, record, proposal):
    """A note on the RDV, in the inbox of the planner who planned it: an
    Odoo notification, never an e-mail (a sync sends none)."""
    # _() reads the language from a local named context
    context = {"lang": side.env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    author = technician_of(side.account).work_contact_id.id or None
    message = record._message_log(
        body=escape(_("Change proposed from Google Calendar: %s", describe(proposal))),
        author_id=author,
    )
    planner = record.user_id.partner_id
    if planner and message:
        side.env["mail.notification"].sudo().create(
            {
                "mail_message_id": message.id,
                "res_partner_id": planner.id,
                "notification_type": "inbox",
                "is_read": False,
            }
        )


def describe(proposal):
    """What a proposal asks, in one line."""
    # _() reads the language from a local named context
    context = {"lang": proposal.env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    if proposal.kind == "cancel":
        return _("cancel the RDV")
    if proposal.kind == "creation":
        return _("confirm the new RDV %s", proposal.proposed_name or "")
    when = fields.Datetime.to_string(proposal.proposed_date) if proposal.proposed_date else ""
    parts = [proposal.proposed_name or "", when, proposal.proposed_location or ""]
    return " – ".join(part for part in parts if part)


def lock(proposal):
    """Lock the proposal's row; False when another transaction holds it
    (another planner deciding it at the same moment)."""
    try:
        with proposal.env.cr.savepoint():
            proposal.env.cr.execute(
                "SELECT id FROM of_google_proposal WHERE id = %s FOR UPDATE NOWAIT",
                [proposal.id],
            )
    except psycopg2.errors.LockNotAvailable:
        return False
    return True


def _decide(proposal, record, values, state, said):
    """The RDV written with ``values`` (what the decision makes of it), the
    proposal ``state`` by this planner now, and ``said`` in the RDV's chatter,
    in one transaction."""
    record.write(values)
    proposal.write(
        {"state": state, "decided_by": proposal.env.uid, "decided_on": fields.Datetime.now()}
    )
    record._message_log(body=Markup("<p>%s</p>") % said)
    # The proposing phone's event shows the proposal, stored as the RDV's
    # content: a later change that brings the RDV back to it (marked done
    # after a refusal, which clears the notice) would leave it there.
    links = record.sudo().of_google_link_ids.filtered(
        lambda link: (
            not proposal.employee_id or technician_of(link.account_id) == proposal.employee_id
        )
    )
    links.write({"content_hash": ANOTHER_VERSION_HASH})


def _change_values(proposal, record):
    """What ``record`` is written with to take ``proposal``'s change."""
    values = {
        "name": proposal.proposed_name or record.name,
        "all_day": proposal.proposed_all_day,
        "date": proposal.proposed_date,
        "duree": proposal.proposed_duree,
        "forcer_dates": False,
    }
    shown = record.google_location or conv.address_line(record)
    if (proposal.proposed_location or "") != (shown or ""):
        values["google_location"] = proposal.proposed_location or False
    return values


def _moved_since_made(proposal):
    """True for a new RDV's confirmation that carries the phone's later change
    (the first one proposes what the RDV already holds: confirming it keeps
    whatever a planner set on the draft since)."""
    return (
        proposal.proposed_name,
        proposal.proposed_location or "",
        proposal.proposed_date,
        proposal.proposed_date_deadline,
    ) != (
        proposal.held_name,
        proposal.held_location or "",
        proposal.held_date,
        proposal.held_date_deadline,
    )


def accept(proposal):
    """The RDV takes the proposed values, as any planner's change (tracked,
    pushed to every calendar of the RDV at their next sync)."""
    # _() reads the language from a local named context
    context = {"lang": proposal.env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    record = proposal.intervention_id.with_context(of_google_deciding=True)
    if proposal.kind == "cancel":
        values = {"state": "cancel"}
    elif proposal.kind == "creation":
        values = {"state": "confirm"}
        if _moved_since_made(proposal):
            values.update(_change_values(proposal, record))
    else:
        values = _change_values(proposal, record)
    values["of_google_notice"] = False
    if record.recurrence_id:
        values["recurrence_update"] = "self_only"
    _decide(
        proposal,
        record,
        values,
        "accepted",
        _(
            "%(planner)s accepted the change proposed by %(technician)s: %(change)s",
            planner=proposal.env.user.name,
            technician=proposal.employee_id.name or "",
            change=describe(proposal),
        ),
    )


def refuse(proposal):
    """The RDV stays as it is; the refusal shows in its event's generated
    block, which makes the next sync put the event back (a phone edit made
    meanwhile is a new proposal, never overwritten). A new RDV proposed from
    the phone is cancelled."""
    # _() reads the language from a local named context
    context = {"lang": proposal.env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    record = proposal.intervention_id.with_context(of_google_deciding=True)
    notice = _(
        "Change refused by %(planner)s on %(date)s: %(change)s",
        planner=proposal.env.user.name,
        date=fields.Datetime.to_string(fields.Datetime.now()),
        change=describe(proposal),
    )
    values = {"of_google_notice": notice}
    if proposal.kind == "creation":
        values["state"] = "cancel"
    if record.recurrence_id:
        values["recurrence_update"] = "self_only"
    _decide(
        proposal,
        record,
        values,
        "refused",
        _(
            "%(planner)s refused the change proposed by %(technician)s: %(change)s",
            planner=proposal.env.user.name,
            technician=proposal.employee_id.name or "",
            change=describe(proposal),
        ),
    )
