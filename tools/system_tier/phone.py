"""The technicians' phones: their calendars as the emulator's admin phone API shows and
changes them (create, move/rename, delete), every change recorded with its own title (and,
for a technician whose changes are proposed, as a proposal expected). The phones go on
changing the RDVs a planner marked done: the sync must put those back."""

import time
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from .common import utc
from .ledger import Edit

PHONE_THINK = 1.5  # seconds at most between the phone's read of an event and its write
DONE_BIAS = 0.5  # share of the phone's changes aimed at a done RDV when he has one


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
        self.seen_titles = set()  # every title a listing of Google showed: what reached it

    def events_of(self, tech, show_deleted=True):
        """The events of the technician's synced calendar (with tombstones by default)."""
        if not tech["calendar"]:
            return []
        items = self.emulator.admin(
            "GET",
            "phone/%s/events" % tech["login"],
            params={"calendar_id": tech["calendar"], "show_deleted": "1" if show_deleted else "0"},
        )["items"]
        self.seen_titles.update(e["summary"] for e in items if e.get("summary"))
        return items

    def stale_write_refused(self, tech):
        """The phone route refuses a write on a version it no longer shows (412), as
        Google does: every phone edit's base is then exactly what the phone read. Two
        writes on one event of his primary calendar (not synced as RDVs), the second
        with the etag the first replaced; True when it got 412 and changed nothing."""
        path = self.path(tech, "primary")
        start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0)
        event = self.emulator.admin(
            "POST", path, dict(one_hour_from(start + timedelta(days=40)), summary="If-Match")
        )
        url = "%s/_emulator/%s/%s" % (self.emulator.url, path, event["id"])
        try:
            first = self.emulator.http.patch(
                url, json={"location": "1"}, headers={"If-Match": event["etag"]}, timeout=30
            )
            second = self.emulator.http.patch(
                url, json={"location": "2"}, headers={"If-Match": event["etag"]}, timeout=30
            )
            now = self.emulator.admin("GET", "%s/%s" % (path, event["id"]))
        finally:
            self.emulator.http.delete(url, timeout=30)
        return first.status_code == 200 and second.status_code == 412 and now["location"] == "1"

    @staticmethod
    def path(tech, calendar=None):
        """The phone's events route of the technician's synced calendar (or ``calendar``)."""
        return "phone/%s/calendars/%s/events" % (
            quote(tech["login"], safe=""),
            quote(calendar or tech["calendar"], safe=""),
        )

    def edit(self, tech, rng):
        """One change on the technician's phone: move/rename, create, or delete; True when
        one was made."""
        path = self.path(tech)
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
        with self.ledger.lock:
            done = [e for e in live if rdv_of(e) in self.ledger.done]
        event = rng.choice(done if done and rng.random() < DONE_BIAS else live)
        current = self.emulator.admin("GET", "%s/%s" % (path, event["id"]))
        # the technician looks at it and types: a sync may change it meanwhile, and the
        # write, made on the version he saw (If-Match), is then refused (412)
        time.sleep(rng.uniform(0.0, PHONE_THINK))
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
            Edit(
                seq,
                "google",
                "create",
                title,
                tech=tech["index"],
                event_id=event["id"],
                start=start,
                proposed=tech["index"] in self.ledger.proposing,
            )
        )
        return True

    def delete(self, tech, path, current):
        response = self.emulator.http.delete(
            "%s/_emulator/%s/%s" % (self.emulator.url, path, current["id"]),
            headers={"If-Match": current["etag"]},
            timeout=30,
        )
        if response.status_code == 412:
            self.stats.count("phone writes refused 412")
            return False  # changed meanwhile: the phone shows the new version first
        if response.status_code == 410:
            # deleted meanwhile (a sync cancelled it since the phone read it): Google
            # answers 410 before looking at If-Match; no edit, as a 412
            self.stats.count("phone deletes refused 410")
            return False
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
                proposed=tech["index"] in self.ledger.proposing,
            )
        )
        return True

    def move(self, tech, rng, path, current):
        """A new title and a new start, on the version read (If-Match): a sync that wrote
        between the read and the write makes it 412, no edit."""
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
            self.stats.count("phone writes refused 412")
            return False
        if response.status_code != 200:
            self.stats.error("phone patch: %s %s" % (response.status_code, response.text[:200]))
            return False
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
                start=start,
                proposed=tech["index"] in self.ledger.proposing,
            )
        )
        return True


def rdv_of(event):
    """The RDV id of an event the connector wrote, else None."""
    key = key_of(event)
    return int(key) if key and key.isdigit() else None
