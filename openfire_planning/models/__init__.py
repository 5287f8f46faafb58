# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import of_planning_tache
from . import of_planning_recurrence
from . import of_planning_intervention
from . import of_planning_intervention_rule
from . import res_company
from . import res_config_settings
