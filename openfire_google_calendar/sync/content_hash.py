# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
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

Versions. Every hash starts with the version of the rules that made it
(``v1:…``, ``v2:…``). Changing what is synced means a new version: a pair
whose stored hash is older is compared with the old rules (the RDV as the
old version saw it is ``Rdv.previous``; Google's event is what it is), so a
side that did not change is not taken for changed, and the pair is then
stored under the new version (:func:`upgraded_hash`, used by the plan): each
RDV is re-sent once with the new content, and only a real change on both
sides makes a conflict.

- v1: summary, description, location, times, status, attendees, recurrence.
- v2: v1 + the colour (``colorId``); the summary, description and location
  are the generated ones (see :mod:`.event_content`).
- v3: v2 without the attendees. Google copies an event to each attendee's
  own calendar, so inviting the technicians put every RDV on their phones
  twice or more; they are named in the generated description instead, and
  an event's guests are its owner's (never synced). A pair stored by v1 or
  v2 carries the invitations those versions sent: the plan removes them
  once (:func:`.pair.uninvited_guests`).
"""

import hashlib
import json
from datetime import datetime, timezone

from .text import clean_text

VERSION = "v3"
VERSIONS = ("v1", "v2", "v3")
# The versions whose events invited the RDV's technicians as attendees.
INVITING_VERSIONS = ("v0", "v1", "v2")


def _digest(payload, version=VERSION):
    raw = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    return "%s:%s" % (version, hashlib.sha256(raw.encode("utf-8")).hexdigest())


# The same in every version: a tombstone has no content.
CANCELLED_HASH = _digest(["cancelled"], "v1")

# Stored for a pair whose event shows a version the RDV does not hold (a
# proposal the planner decided): the hash of no RDV, so that the next sync
# writes the RDV to the event whatever the RDV went back to meanwhile.
ANOTHER_VERSION_HASH = "%s:another-version" % VERSION


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


def content_hash(rdv, version=VERSION):
    """Hash of the synced content of ``rdv`` (an :class:`.rdv.Rdv`) under the
    rules of ``version`` (the current one by default)."""
    if version not in VERSIONS:
        raise ValueError("unknown content hash version %r" % (version,))
    if rdv.cancelled:
        return CANCELLED_HASH
    start = moment_key(rdv.start, rdv.all_day)
    end = moment_key(rdv.end, rdv.all_day) if rdv.end is not None else start
    timed_series = rdv.is_series and not rdv.all_day
    payload = [
        clean_text(rdv.summary, "summary")[0],
        clean_text(rdv.description, "description")[0],
        clean_text(rdv.location, "location")[0],
        bool(rdv.all_day),
        start,
        end,
        rdv.tz if timed_series else None,
        rdv.status,
        attendee_key(rdv.attendees),
        recurrence_key(rdv.recurrence),
        moment_key(rdv.original_start, rdv.all_day),
    ]
    if version != "v1":
        payload.append(rdv.color_id or None)
    if version not in INVITING_VERSIONS:
        del payload[8]  # the attendees
        extra = extra_key(rdv.extra)
        if extra:  # only then: a hash without extra values stays as it was
            payload.append(extra)
    return _digest(payload, version)


def extra_key(pairs):
    """An integrator's values as hashed: sorted, empty texts dropped."""
    return sorted((str(name), str(value)) for name, value in pairs or () if value not in (None, ""))


def version_of(value):
    """The version a stored hash was made with (None for no hash)."""
    if not value:
        return None
    return value.split(":", 1)[0] if ":" in value else "v0"


def is_current(value):
    """True when a stored hash needs no upgrade (no hash, a tombstone, or a
    hash of the current version)."""
    return not value or value == CANCELLED_HASH or version_of(value) == VERSION


def hash_as_of(rdv, version):
    """The hash ``rdv`` had under an older ``version``: an RDV read from Odoo
    carries what version 1 saw of it in ``previous`` (later versions saw its
    generated content, which it has); an event mapped from Google is what it
    is."""
    if version not in VERSIONS:
        return None
    if version == "v1" and rdv.previous is not None:
        return content_hash(rdv.previous, version)
    return content_hash(rdv, version)


def upgraded_hash(stored, stored_etag, local, remote):
    """The stored hash of a pair, rewritten under the current version.

    ``local``: the Odoo side (an Rdv, None when deleted, anything else when
    not reported: unchanged); ``remote``: Google's side (an object with
    ``etag``, ``rdv`` and ``content_hash``, or anything else: unchanged).
    Each side is compared with ``stored`` under the old rules; the result
    makes the plan see as changed exactly the sides that changed, and an
    RDV unchanged on both sides changed in Odoo (its new content is sent)."""
    version = version_of(stored)
    if local is None:
        local_same = False
    elif hasattr(local, "cancelled") and hasattr(local, "summary"):
        local_same = hash_as_of(local, version) == stored
    else:
        local_same, local = True, None
    remote_hash = getattr(remote, "content_hash", None)
    if remote_hash is None:
        remote_same = True
    elif getattr(remote, "etag", None) == stored_etag and stored_etag is not None:
        remote_same = True
    elif getattr(remote, "rdv", None) is None:
        remote_same = remote_hash == stored
    else:
        remote_same = hash_as_of(remote.rdv, version) == stored
    if local_same and not remote_same:
        return content_hash(local) if local is not None else stored
    if remote_same and remote_hash is not None:
        return remote_hash
    return stored
