from . import test_settings
from . import test_oauth
from . import test_accounts
from . import test_sync
from . import test_sync_series
from . import test_sync_conflicts
from . import test_cron_push
from . import test_tour
