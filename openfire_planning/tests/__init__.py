from . import test_intervention
from . import test_recurrence
from . import test_recurrence_edit
from . import test_recurrence_lines
from . import test_settings
from . import test_access
