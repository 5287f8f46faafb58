# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Event ids chosen by the client, so that a retried insert is idempotent.

Google lets the client choose an event's id (base32hex: ``a-v`` and ``0-9``,
5 to 1024 characters) and refuses a second insert with the same id (409). We
derive the id from (database uuid, RDV key, RDV stamp): an insert retried
after a timeout or a crash can only hit the event it already created, never
make a second one. The stamp (when the RDV was created, see
:attr:`.rdv.Rdv.stamp`) keeps an RDV that got the id of another one again (a
database restored from an older backup rewinds its sequences) from naming its
event like the other's; ids made before stamps existed have none.

Occurrences of a series are named by Google itself:
``<master id>_<original start>``, the start in UTC as ``YYYYMMDDTHHMMSSZ``
for timed series and ``YYYYMMDD`` for all-day ones. Writing to that id turns
the occurrence into an exception, which is idempotent too.
"""

import base64
import hashlib
from datetime import date, datetime, timezone


def event_id_for(database_uuid, rdv_key, stamp=None):
    """The Google event id of an RDV created from Odoo (26 base32hex chars)."""
    seed = "openfire:%s:%s" % (database_uuid, rdv_key)
    if stamp:
        seed += ":" + stamp
    seed = seed.encode("utf-8")
    digest = hashlib.sha256(seed).digest()
    return base64.b32hexencode(digest).decode("ascii").lower()[:26]


def instance_id(master_event_id, original_start):
    """Google's id of the occurrence of ``master_event_id`` at ``original_start``.

    ``original_start`` is an aware datetime (timed series) or a date (all-day).
    """
    if isinstance(original_start, datetime):
        if original_start.tzinfo is None:
            raise ValueError("original_start must be aware")
        suffix = original_start.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    else:
        suffix = original_start.strftime("%Y%m%d")
    return "%s_%s" % (master_event_id, suffix)


def original_start_of(event_id):
    """The original start an occurrence id names (see :func:`instance_id`): an
    aware UTC datetime, a date for an all-day series, None for a plain id."""
    suffix = event_id.rpartition("_")[2] if "_" in (event_id or "") else ""
    try:
        if len(suffix) == 16 and suffix.endswith("Z"):
            return datetime.strptime(suffix, "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        if len(suffix) == 8 and suffix.isdigit():
            return date(int(suffix[:4]), int(suffix[4:6]), int(suffix[6:]))
    except ValueError:
        return None
    return None


def master_of(event_id):
    """The master id in an occurrence id, or None for a plain event id."""
    master, sep, suffix = event_id.rpartition("_")
    return master if sep and master and suffix else None
