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


@dataclass(frozen=True)
class Rdv:
    """One RDV, or one exception of a recurring RDV, as the sync sees it.

    ``key`` is the stable local id (the record id as a string); it is None only
    for an RDV pulled from Google that Odoo has not created yet.
    ``write_date`` (aware) is used by the "most recent wins" policy; for an
    RDV mapped from Google it is the event's ``updated`` time.
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
