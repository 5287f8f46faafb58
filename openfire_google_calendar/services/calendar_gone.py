# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The synced calendar deleted in Google (by the technician, by his
Workspace administrator, or by the planner who holds a technician's shared
calendar).

Google then answers 404 to every listing of it, forever: the sync must not
go on reading that as an error like any other. A calendar the connector made
is made again and the next listing fills it afresh (the links to the old
one's events are forgotten, never read as events deleted in Google: no RDV
is cancelled). A calendar the user chose is his: nothing is made behind his
back, he is asked to choose again. Either way the account says what
happened, in the administrators' list."""

import logging

from odoo import _

from ..sync import GoogleError
from . import account_kinds

_logger = logging.getLogger(__name__)


def is_gone(client, calendar_id, error):
    """True when ``error`` (a listing's) means the calendar itself is gone:
    a 404, and Google confirms it has no such calendar."""
    if not isinstance(error, GoogleError) or error.status != 404:
        return False
    try:
        return not client.calendar_exists(calendar_id)
    except GoogleError:
        return False  # Google's trouble: the error is reported as it came


def made_by_us(account):
    """True when the calendar is the dedicated one the sync made (a
    technician's primary calendar, or one the user chose, is not)."""
    kind = account_kinds.KINDS[account.kind]
    return (
        account.calendar_id != account.google_email
        and account.calendar_name == kind.calendar_title(account)
    )


def forget(account):
    """The dedicated calendar is gone: forget it and its links, so the sync
    makes a new one and fills it; returns what the account tells."""
    # _() reads the language from a local named context
    context = {"lang": account.env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    name = account.calendar_name
    account._use_calendar(False, False)
    account.env.cr.commit()  # pylint: disable=invalid-commit
    _logger.info("Google calendar of account %s was deleted in Google: made again", account.id)
    return _(
        'The Google calendar "%(name)s" of %(person)s was deleted in Google: a new one was '
        "made and the RDVs were put in it again.",
        name=name,
        person=account._person_name(),
    )


def ask_again(account):
    """A calendar the user chose is gone: he chooses again. The message is
    stored on the account (the administrators' list) and returned."""
    # _() reads the language from a local named context
    context = {"lang": account.env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    message = _(
        'The Google calendar "%(name)s" where the RDVs of %(person)s go no longer exists in '
        'Google: %(person)s presses "Choose the calendar" in his preferences and chooses '
        "another one; nothing is synced until then.",
        name=account.calendar_name,
        person=account._person_name(),
    )
    account.sudo().write({"last_error": message, "last_error_kind": "refused"})
    _logger.info("Google calendar of account %s was deleted in Google: asked again", account.id)
    return message
