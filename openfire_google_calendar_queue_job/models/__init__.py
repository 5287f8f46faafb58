from . import of_google_account
from . import of_google_push
