"""The technicians' phones: their calendars as the emulator's admin phone API shows and
changes them (create, move/rename, delete), every change recorded with its own title."""

from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from .common import utc
from .ledger import Edit


def key_of(event):
    """The RDV id the connector stored on the event (its ``openfireRdv`` property)."""
    private = (event.get("extendedProperties") or {}).get("private") or {}
    return private.get("openfireRdv")


def one_hour_from(start):
    """An event body's start and end, an hour long, in Paris."""
    return {
        "start": {"dateTime": start.isoformat(), "timeZone": "Europe/Paris"},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "Europe/Paris"},
    }


class Phones:
    """Phone edits of any technician, against the emulator."""

    def __init__(self, emulator, ledger, stats):
        self.emulator, self.ledger, self.stats = emulator, ledger, stats
        self.if_match_refused = None  # set when the phone API refused a stale If-Match

    def events_of(self, tech, show_deleted=True):
        """The events of the technician's synced calendar (with tombstones by default)."""
        if not tech["calendar"]:
            return []
        return self.emulator.admin(
            "GET",
            "phone/%s/events" % tech["login"],
            params={"calendar_id": tech["calendar"], "show_deleted": "1" if show_deleted else "0"},
        )["items"]

    def edit(self, tech, rng):
        """One change on the technician's phone: move/rename, create, or delete; True when
        one was made."""
        path = "phone/%s/calendars/%s/events" % (
            quote(tech["login"], safe=""),
            quote(tech["calendar"], safe=""),
        )
        roll = rng.random()
        if roll < 0.25:
            return self.create(tech, rng, path)
        live = [
            e
            for e in self.events_of(tech, show_deleted=False)
            if e.get("status") != "cancelled"
            and not e.get("recurrence")
            and (e.get("summary") or "").startswith("ST-")
        ]
        if not live:
            return False
        event = rng.choice(live)
        current = self.emulator.admin("GET", "%s/%s" % (path, event["id"]))
        if current.get("status") == "cancelled":
            return False
        if roll < 0.37:
            return self.delete(tech, path, current)
        return self.move(tech, rng, path, current)

    def create(self, tech, rng, path):
        title, seq = self.ledger.next_title("google")
        start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(
            days=rng.randint(1, 20), hours=rng.randint(0, 9)
        )
        event = self.emulator.admin("POST", path, dict(one_hour_from(start), summary=title))
        self.ledger.add_edit(
            Edit(seq, "google", "create", title, tech=tech["index"], event_id=event["id"])
        )
        return True

    def delete(self, tech, path, current):
        response = self.emulator.http.delete(
            "%s/_emulator/%s/%s" % (self.emulator.url, path, current["id"]),
            headers={"If-Match": current["etag"]},
            timeout=30,
        )
        if response.status_code == 412:
            return False  # changed meanwhile: the phone shows the new version first
        if response.status_code not in (200, 204):
            self.stats.error("phone delete: %s %s" % (response.status_code, response.text[:200]))
            return False
        _title, seq = self.ledger.next_title("google")
        self.ledger.add_edit(
            Edit(
                seq,
                "google",
                "delete",
                None,
                rdv_id=rdv_of(current),
                tech=tech["index"],
                event_id=current["id"],
                base=current.get("summary"),
            )
        )
        return True

    def move(self, tech, rng, path, current):
        """A new title and a new start; raced when a sync wrote between read and write."""
        sequence = current.get("sequence", 0)
        title, seq = self.ledger.next_title("google")
        start = utc(current["start"].get("dateTime")) or datetime.now(timezone.utc)
        start += timedelta(hours=rng.choice((-3, -2, -1, 1, 2, 3, 24, 48)))
        response = self.emulator.http.patch(
            "%s/_emulator/%s/%s" % (self.emulator.url, path, current["id"]),
            json=dict(one_hour_from(start), summary=title),
            headers={"If-Match": current["etag"]},
            timeout=30,
        )
        if response.status_code == 412:
            self.if_match_refused = True
            return False
        if response.status_code != 200:
            self.stats.error("phone patch: %s %s" % (response.status_code, response.text[:200]))
            return False
        after = response.json()
        # Without If-Match on the phone API, a write between our GET and PATCH shows as
        # a sequence that grew by more than our own move.
        exact = after.get("sequence", 0) <= sequence + 1
        if not exact:
            self.stats.count("phone edits with an uncertain base")
        self.ledger.add_edit(
            Edit(
                seq,
                "google",
                "move",
                title,
                rdv_id=rdv_of(current),
                tech=tech["index"],
                event_id=current["id"],
                base=current.get("summary"),
                base_exact=exact,
            )
        )
        return True


def rdv_of(event):
    """The RDV id of an event the connector wrote, else None."""
    key = key_of(event)
    return int(key) if key and key.isdigit() else None
