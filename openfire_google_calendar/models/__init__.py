# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import res_config_settings
from . import of_google_account
from . import of_google_push
from . import of_google_proposal
from . import of_google_event_link
from . import of_planning_intervention
from . import of_planning_recurrence
from . import res_users
from . import res_partner
from . import of_planning_tache
from . import hr_employee
from . import of_google_busy
from . import of_google_availability
from . import of_google_busy_calendar
