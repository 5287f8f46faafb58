from . import oauth_callback
from . import sync_routes
from . import push_notifications
