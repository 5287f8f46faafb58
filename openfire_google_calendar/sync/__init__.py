"""The Odoo-free sync core of openfire_google_calendar (see README.md here).

``plan`` decides, ``google_client`` talks HTTP, ``executor`` applies,
``cycle`` runs one sync; ``mapping``, ``content_hash`` and ``event_ids`` are
the vocabulary they share. Only relative imports: Odoo imports this package as
``odoo.addons.openfire_google_calendar.sync``, the tests as ``sync``.
"""

from .backoff import Backoff
from .content_hash import CANCELLED_HASH, content_hash
from .cycle import SyncReport, sync_calendar
from .event_ids import event_id_for, instance_id
from .executor import ItemResult, Outcome, apply_plan
from .google_client import (CALENDAR_SCOPE, GOOGLE_TOKEN_URI, ChangeSet, GoogleClient,
                            GoogleError, ReconnectNeeded, make_credentials)
from .local_side import LocalSide
from .mapping import event_to_rdv, owner_of, rdv_to_event
from .plan import (Action, Conflict, Kind, Plan, Policy, SyncSettings, decide_pair,
                   keys_to_fetch, plan_sync)
from .rdv import Rdv, state_of, status_of
from .state import PairState

__all__ = [
    "Action", "Backoff", "CALENDAR_SCOPE", "CANCELLED_HASH", "ChangeSet", "Conflict",
    "GOOGLE_TOKEN_URI", "GoogleClient", "GoogleError", "ItemResult", "Kind", "LocalSide",
    "Outcome", "PairState", "Plan", "Policy", "Rdv", "ReconnectNeeded", "SyncReport",
    "SyncSettings", "apply_plan", "content_hash", "decide_pair", "event_id_for",
    "event_to_rdv", "instance_id", "keys_to_fetch", "make_credentials", "owner_of",
    "plan_sync", "rdv_to_event", "state_of", "status_of", "sync_calendar",
]
