#!/usr/bin/env python3
"""The demo technicians' own Google Calendar, for the availability: a few personal events, a
day off (Google's out of office) and a day at home (a working location) in the coming days,
put in each one's primary calendar through the emulator's admin API. What the planning then
shows is only when they are busy or absent, never what.

    python3 tools/demo_personal_events.py http://127.0.0.1:8765 jean.dupont@example.com ...
"""

import json
import sys
import urllib.request
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def post(emulator, email, body):
    request = urllib.request.Request(
        "%s/_emulator/phone/%s/calendars/primary/events" % (emulator, email),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.load(answer)


def workday(days):
    """The days-th working day from tomorrow, midnight in Paris."""
    day = datetime.now(PARIS).replace(hour=0, minute=0, second=0, microsecond=0)
    while days >= 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def timed(summary, day, start, end, **extra):
    return dict(
        summary=summary,
        start={"dateTime": day.replace(hour=start).isoformat()},
        end={"dateTime": day.replace(hour=end).isoformat()},
        **extra,
    )


def seed(emulator, email, rank):
    post(emulator, email, timed("Dentiste", workday(rank % 3), 10, 11))
    post(emulator, email, timed("Formation sécurité", workday(1 + rank % 3), 14, 17))
    post(
        emulator, email, timed("Perso (disponible)", workday(2), 12, 13, transparency="transparent")
    )
    off = workday(3 + rank)
    post(
        emulator,
        email,
        {
            "summary": "Congé",
            "eventType": "outOfOffice",
            "outOfOfficeProperties": {"autoDeclineMode": "declineNone"},
            "start": {"dateTime": off.isoformat()},
            "end": {"dateTime": (off + timedelta(days=1)).isoformat()},
        },
    )
    home = workday(4 + rank).date()
    post(
        emulator,
        email,
        {
            "summary": "Télétravail",
            "eventType": "workingLocation",
            "visibility": "public",
            "transparency": "transparent",
            "workingLocationProperties": {"type": "homeOffice", "homeOffice": {}},
            "start": {"date": home.isoformat()},
            "end": {"date": (home + timedelta(days=1)).isoformat()},
        },
    )


def main(argv):
    emulator, emails = argv[0].rstrip("/"), argv[1:]
    for rank, email in enumerate(emails):
        seed(emulator, email, rank)
    print("demo: personal events, a day off and a day at home for %s" % ", ".join(emails))


if __name__ == "__main__":
    main(sys.argv[1:])
