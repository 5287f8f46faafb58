# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import warnings

# google.api_core (imported by googleapiclient) warns, once, at import time,
# that a future release will drop this Python version. It says nothing about
# this addon's behaviour; keep it out of the server log.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", category=FutureWarning, module="google.api_core")
    import googleapiclient.discovery  # noqa: F401  pylint: disable=unused-import

from . import controllers  # noqa: E402
from . import models  # noqa: E402
from . import wizards  # noqa: E402
from .hooks import post_init_hook, uninstall_hook  # noqa: E402, F401
