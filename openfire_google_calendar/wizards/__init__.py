from . import of_google_calendar_choice
