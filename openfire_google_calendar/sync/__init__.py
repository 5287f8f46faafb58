# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The Odoo-free sync core of openfire_google_calendar (see README.md here).

``plan`` decides, ``google_client`` talks HTTP, ``executor`` applies,
``cycle`` runs one sync; ``mapping``, ``content_hash`` and ``event_ids`` are
the vocabulary they share. Only relative imports: Odoo imports this package as
``odoo.addons.openfire_google_calendar.sync``, the tests as ``sync``.
"""

from .backoff import Backoff
from .content_hash import CANCELLED_HASH, content_hash
from .cycle import SyncReport, sync_calendar
from .event_ids import event_id_for, instance_id, master_of, original_start_of
from .executor import ItemResult, Outcome, apply_plan
from .credentials import (
    CALENDAR_SCOPE,
    GOOGLE_TOKEN_URI,
    TokenUnavailable,
    make_credentials,
    refresh_or_outage,
)
from .google_client import (
    NETWORK_ERRORS,
    ChangeSet,
    GoogleClient,
    GoogleError,
    ReconnectNeeded,
    Write,
)
from .local_side import LocalSide
from .mapping import event_to_rdv, owner_of, rdv_to_event
from .actions import GOOGLE, ODOO, Action, Conflict, Kind, Plan, Policy, SyncSettings
from .listing import Stop, keys_to_fetch
from .pair import decide_pair
from .plan import plan_sync
from .series_moves import occurrences_to_ask
from .rdv import Rdv, location_shown, override_after_pull, state_after_pull, state_of, status_of
from .state import PairState

__all__ = [
    "Action",
    "apply_plan",
    "Backoff",
    "CALENDAR_SCOPE",
    "CANCELLED_HASH",
    "ChangeSet",
    "Conflict",
    "content_hash",
    "decide_pair",
    "event_id_for",
    "event_to_rdv",
    "GOOGLE",
    "GOOGLE_TOKEN_URI",
    "GoogleClient",
    "GoogleError",
    "NETWORK_ERRORS",
    "instance_id",
    "ItemResult",
    "keys_to_fetch",
    "Kind",
    "LocalSide",
    "location_shown",
    "make_credentials",
    "refresh_or_outage",
    "master_of",
    "occurrences_to_ask",
    "ODOO",
    "original_start_of",
    "Outcome",
    "override_after_pull",
    "owner_of",
    "PairState",
    "Plan",
    "plan_sync",
    "Policy",
    "Rdv",
    "rdv_to_event",
    "ReconnectNeeded",
    "TokenUnavailable",
    "state_after_pull",
    "state_of",
    "status_of",
    "Stop",
    "sync_calendar",
    "SyncReport",
    "SyncSettings",
    "Write",
]
