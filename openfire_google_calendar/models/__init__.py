from . import res_config_settings
from . import of_google_account
from . import of_google_event_link
from . import res_users
