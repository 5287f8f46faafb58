# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
{
    "name": "OpenFire Google Calendar - queue_job",
    "summary": "Each user's Google Calendar sync as a queue_job job, in parallel on every worker",
    "version": "17.0.1.0.0",
    "category": "Services/Field Service",
    "author": "openfire-google-calendar",
    "website": "https://github.com/openfire-google-calendar/openfire-google-calendar",
    "license": "LGPL-3",
    "development_status": "Beta",
    "maintainers": ["openfire-google-calendar"],
    "depends": ["queue_job", "openfire_google_calendar"],
    "data": ["data/queue_job_data.xml"],
    "auto_install": True,
}
