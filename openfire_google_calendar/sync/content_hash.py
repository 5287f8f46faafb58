"""The hash of what the sync carries between Odoo and Google, and nothing else.

A change is "real" when this hash changes: Google moves an event's etag for
things we do not sync (a reminder, a colour, a guest's answer), and Odoo
writes RDVs for reasons Google never sees. Hashing only the synced fields,
normalised, is what keeps a pulled change from bouncing back and stops mail
storms.

The same function hashes the RDV read from Odoo and the RDV mapped from a
Google event (:func:`.mapping.event_to_rdv`), so for any valid RDV
``content_hash(event_to_rdv(rdv_to_event(rdv))) == content_hash(rdv)``
(a property test checks it).

Normalisation: instants in UTC to the second (Google keeps seconds); OpenFire
states reduced to Google's three statuses; attendees lower-cased, deduplicated
and sorted; recurrence lines sorted; the time zone counts only for a timed
series, where it decides the local time of every occurrence. A cancelled RDV
hashes to :data:`CANCELLED_HASH` whatever its other fields: Google keeps only
a tombstone of a cancelled event.
"""

import hashlib
import json
from datetime import datetime, timezone

from .text import clean_text

_VERSION = "v1"


def _digest(payload):
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return "%s:%s" % (_VERSION, hashlib.sha256(raw.encode("utf-8")).hexdigest())


CANCELLED_HASH = _digest(["cancelled"])


def moment_key(value, all_day):
    """A moment as hashed: a date for all-day RDVs, else UTC to the second."""
    if value is None:
        return None
    if all_day:
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("timed RDVs need aware datetimes, got %r" % (value,))
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def attendee_key(emails):
    """Attendees as hashed (and as mapped): lower-case, unique, sorted."""
    return sorted({email.strip().lower() for email in emails if email and email.strip()})


def recurrence_key(lines):
    """Recurrence lines as hashed: stripped, empty ones dropped, sorted."""
    return sorted({line.strip() for line in lines if line and line.strip()})


def content_hash(rdv):
    """Hash of the synced content of ``rdv`` (an :class:`.rdv.Rdv`)."""
    if rdv.cancelled:
        return CANCELLED_HASH
    start = moment_key(rdv.start, rdv.all_day)
    end = moment_key(rdv.end, rdv.all_day) if rdv.end is not None else start
    timed_series = rdv.is_series and not rdv.all_day
    payload = [
        clean_text(rdv.summary, "summary")[0],
        clean_text(rdv.description, "description")[0],
        clean_text(rdv.location, "location")[0],
        bool(rdv.all_day), start, end,
        rdv.tz if timed_series else None,
        rdv.status,
        attendee_key(rdv.attendees),
        recurrence_key(rdv.recurrence),
        moment_key(rdv.original_start, rdv.all_day),
    ]
    return _digest(payload)
