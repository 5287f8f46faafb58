# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import of_google_calendar_choice
from . import of_google_calendar_choice_line
from . import of_planning_slot_finder
from . import of_planning_slot_finder_line
from . import of_google_busy_calendar_choice
from . import of_google_busy_calendar_choice_line
