# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""What uninstalling the connector removes by hand: Odoo drops the tables of
the models and the columns of the fields it declared, not what an ``init()``
made in plain SQL; and what installing it again on the same database finds."""

from .services import database_copy


def post_init_hook(env):
    """Installed on a database that synced before: the calendars the earlier
    installation made are synced into again (services/database_copy.py)."""
    database_copy.mark_installed_again(env)


def uninstall_hook(env):
    """Odoo 17.0 and later call it with an environment, before the models go.

    The tables of services/quota.py (created by of.google.push's init): the
    calls sent to Google and the accounts Google's rate limits hold. Their
    index and id sequence go with them."""
    env.cr.execute("DROP TABLE IF EXISTS of_google_quota_use, of_google_not_before")
