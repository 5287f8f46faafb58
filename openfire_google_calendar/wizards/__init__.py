from . import of_google_calendar_choice
from . import of_google_calendar_choice_line
