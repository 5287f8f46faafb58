# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "OpenFire Google Calendar - integrators' hooks (tests)",
    "summary": "An example addon, for the tests: a field of its own synced with Google Calendar",
    "version": "17.0.1.0.0",
    "category": "Hidden/Tests",
    "author": "openfire-google-calendar",
    "website": "https://github.com/openfire-google-calendar/openfire-google-calendar",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["openfire-google-calendar"],
    "depends": ["openfire_google_calendar"],
}
