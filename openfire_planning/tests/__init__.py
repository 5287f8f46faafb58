# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_intervention
from . import test_recurrence
from . import test_recurrence_edit
from . import test_recurrence_lines
from . import test_settings
from . import test_access
