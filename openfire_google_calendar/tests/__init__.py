from . import test_settings
from . import test_oauth
from . import test_accounts
