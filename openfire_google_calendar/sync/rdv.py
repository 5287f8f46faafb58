# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""An RDV as plain data: what the sync core knows of an intervention.

The Odoo layer turns an ``of.planning.intervention`` record into an :class:`Rdv`
and back; nothing here touches the ORM, so every rule of the sync is testable
without a database.

Conventions (the Odoo layer converts, the core relies on them):

- ``start``/``end`` are *aware* datetimes for timed RDVs; for all-day RDVs they
  are ``date`` objects and ``end`` is the *last day included*, as Odoo shows it.
  The Google mapping (:mod:`.mapping`) alone turns it into Google's exclusive
  end date.
- A recurring series is one master :class:`Rdv` carrying ``recurrence`` lines
  (``RRULE:...``, ``EXDATE...``, ``RDATE...``; iCalendar syntax as Google
  takes it). A changed or cancelled occurrence is its own :class:`Rdv` with
  ``series_key`` (the master's key) and ``original_start`` (the start the
  occurrence had in the rule). Plain occurrences are not synced one by one.
- ``state`` is OpenFire's state; Google only knows three statuses, see
  :func:`status_of`. When pulling, the Odoo layer should change a record's
  state only when ``status_of(old) != status_of(new)``, so that a "done" RDV is
  not reset to "confirm" by an unrelated edit on the phone.
"""

from dataclasses import dataclass
from datetime import date, datetime

ODOO_STATES = ("draft", "confirm", "done", "unfinished", "cancel", "postponed")

CONFIRMED = "confirmed"
TENTATIVE = "tentative"
CANCELLED = "cancelled"

_STATUS_BY_STATE = {"cancel": CANCELLED, "postponed": CANCELLED, "draft": TENTATIVE}
_STATE_BY_STATUS = {CANCELLED: "cancel", TENTATIVE: "draft", CONFIRMED: "confirm"}


def status_of(state):
    """Google status of an OpenFire state (cancel / postponed -> cancelled,
    draft -> tentative, the others -> confirmed), as OpenFire maps it."""
    return _STATUS_BY_STATE.get(state, CONFIRMED)


def state_of(status):
    """OpenFire state for a Google status; unknown statuses count as confirmed."""
    return _STATE_BY_STATUS.get(status, "confirm")


def state_after_pull(current_state, status):
    """The OpenFire state an RDV takes when Google's version is pulled.

    Google knows three statuses where OpenFire has six states: an RDV keeps
    its state while Google's status still maps to it, so an edit of the time
    on the phone does not turn a "done" RDV back into "confirmed". None for a
    new RDV gives the state of the status."""
    if current_state is not None and status_of(current_state) == status:
        return current_state
    return state_of(status)


def location_shown(override, address_line):
    """The location Google shows for an RDV: the one last set in Google
    (``override``), else the intervention address on one line."""
    return override or address_line or ""


def override_after_pull(override, address_line, pulled):
    """The location override Odoo keeps once Google's ``pulled`` location is
    synced: unchanged while Google shows what Odoo would send anyway, else
    what Google has ("" when Google cleared it)."""
    if location_shown(override, address_line) == (pulled or ""):
        return override or ""
    return pulled or ""


@dataclass(frozen=True)
class Rdv:
    """One RDV, or one exception of a recurring RDV, as the sync sees it.

    ``key`` is the stable local id (the record id as a string); it is None only
    for an RDV pulled from Google that Odoo has not created yet.
    ``write_date`` (aware) is used by the "most recent wins" policy; for an
    RDV mapped from Google it is the event's ``updated`` time.
    ``color_id`` is Google's ``colorId`` (synced); ``reminders`` the minutes
    of the popup reminders to set (None: leave them; not synced back).
    ``attendees``: the e-mails of the RDV's technicians (Odoo side) or of
    the event's attendees (Google side). Not synced (see
    :mod:`.content_hash`, v3): kept to compare the hashes of older versions
    and to remove the invitations they sent.
    ``extra``: an integrator's values carried by the event, as (name, text)
    pairs (see ``of.planning.intervention._of_google_event_values``); an
    empty text is no value.
    ``stamp`` (Odoo side only): when the RDV was created, as text; with its
    key it names one RDV for good, where the key alone may name another one
    after a database was restored from an older backup (its sequences rewind).
    Written into the event and its id, never synced as content.
    ``previous`` (Odoo side only) is the RDV as the previous version of the
    content hash saw it, so that a stored hash of that version can be
    compared (see content_hash.upgraded_hash).
    """

    key: str | None
    summary: str = ""
    description: str = ""
    location: str = ""
    start: datetime | date | None = None
    end: datetime | date | None = None
    all_day: bool = False
    tz: str = "Europe/Paris"
    state: str = "confirm"
    attendees: tuple[str, ...] = ()
    recurrence: tuple[str, ...] = ()
    series_key: str | None = None
    original_start: datetime | date | None = None
    write_date: datetime | None = None
    color_id: str | None = None
    reminders: tuple[int, ...] | None = None
    previous: "Rdv | None" = None
    extra: tuple[tuple[str, str], ...] = ()
    stamp: str | None = None

    @property
    def status(self):
        """The Google status this RDV maps to."""
        return status_of(self.state)

    @property
    def cancelled(self):
        """True when Google should show the RDV as cancelled (deleted)."""
        return self.status == CANCELLED

    @property
    def is_series(self):
        """True for the master of a recurring series."""
        return bool(self.recurrence)

    @property
    def is_exception(self):
        """True for a changed or cancelled occurrence of a series."""
        return self.original_start is not None
