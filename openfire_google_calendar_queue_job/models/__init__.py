# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import of_google_account
from . import of_google_push
from . import queue_job
