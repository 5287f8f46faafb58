"""What every part of the tier shares: the product's names as a planner sees them, the
limits the checks hold the server to, the log line, and date conversions."""

import os
import sys
import time
from datetime import datetime, timezone

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = "of.planning.intervention"
CLIENT_ID = "system-tier.apps.example"
CLIENT_SECRET = "system-tier-secret"
CALENDAR_NAME = "Interventions"
SIZES = {
    "small": dict(planners=3, technicians=2, edits=80, kills=3, field_technicians=2),
    "big": dict(planners=10, technicians=3, edits=1000, kills=5, field_technicians=3),
}
SLOW_REQUEST = 10.0  # seconds: no request may take longer
RETRY_LIMIT = 2.0  # seconds: "Réessayer" must return within this
RETRY_SYNCED_WITHIN = 60.0  # seconds: ... and the RDV be synced within this
REQUEST_TIMEOUT = 30.0  # client timeout of one request (a request never waits longer)
COLD_START = 10.0  # seconds after a restart when "Réessayer" may wait for workers
CANCELLED_STATES = ("cancel", "postponed")
SYNCED = ("need_refresh", "no_new_event_from_google")  # the answers of a sync that ran


def log(message):
    """One timestamped line on stdout, flushed: the run is followed as it goes."""
    sys.stdout.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), message))
    sys.stdout.flush()


def utc(text):
    """An aware UTC datetime from Odoo's 'YYYY-MM-DD HH:MM:SS' or an RFC 3339 string."""
    if not text:
        return None
    text = str(text).replace("Z", "+00:00")
    value = datetime.fromisoformat(text.replace(" ", "T"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def odoo_dt(value):
    """Odoo's UTC datetime string."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
