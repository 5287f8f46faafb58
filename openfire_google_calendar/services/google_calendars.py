# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Google's list of an account's calendars, for the screens that let a person
choose among them. Read in a session of the account's own (never beside a
running sync of it), and every way it can fail ends in a message for the
person, not a traceback: a refusal by Google has already disconnected the
account (committed by the session), an outage or an error is only reported."""

from odoo import _

from ..sync import NETWORK_ERRORS, GoogleError
from .sync_session import GoogleAccessLost, blocked_status, google_session


def notification(message, kind="warning"):
    """A passing message in the web client, for a button that opens nothing."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"type": kind, "message": message, "sticky": False},
    }


class Unlisted(Exception):
    """The calendars could not be listed; ``action`` tells the person why."""

    def __init__(self, message, kind="warning"):
        super().__init__(message)
        self.action = notification(message, kind)


def list_calendars(env, user_id=None, account_id=None, read=None):
    """The account's calendars (Google's calendarList items), and what
    ``read(account)`` returns of the locked account read in the same session
    (None without ``read``). ``user_id`` is the person's own account, spoken
    of as his; ``account_id`` another's. Raises :class:`Unlisted` with the
    message to show."""
    context = {"lang": env.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    own = bool(user_id)
    try:
        with google_session(env, user_id=user_id, account_id=account_id) as account:
            if account is None:
                raise Unlisted(
                    _("A sync of your RDVs is running: try again in a moment.")
                    if own
                    else _("A sync of these RDVs is running: try again in a moment.")
                )
            blocked = blocked_status(account)
            if blocked:
                raise Unlisted(blocked.message)
            if not account._is_connected():
                raise Unlisted(
                    _(
                        'Connect your Google account first: press "Sync. with Google" in the '
                        "planning."
                    )
                    if own
                    else _(
                        'Connect the Google account first: press "Sync. with Google" in the '
                        "planning."
                    )
                )
            calendars = account._client().list_calendars()
            return calendars, (read(account) if read else None)
    except GoogleAccessLost as exc:
        raise Unlisted(str(exc), "danger") from exc
    except (GoogleError, *NETWORK_ERRORS) as exc:
        raise Unlisted(_("Google Calendar answered: %s", exc), "danger") from exc
