# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Database copies never touch the calendars of the original.

Our events are named after a uuid (their ids, their private properties):
the database.uuid of the database that first synced, kept as
PARAM_IDENTITY. PARAM_DATABASE is the database.uuid allowed to sync under
that name. Odoo gives a duplicated database a new database.uuid, and
data/neutralize.sql sets PARAM_DATABASE to NEUTRALIZED: either way the two no
longer match and nothing syncs until an administrator decides.
"""

from odoo import _
from odoo.release import version_info

PARAM_PREFIX = "openfire_google_calendar."
PARAM_IDENTITY = PARAM_PREFIX + "sync_identity"
PARAM_DATABASE = PARAM_PREFIX + "sync_database_uuid"
NEUTRALIZED = "neutralized"
# The registry cache holding get_param's values: "default" up to 18, "stable" in 19.
PARAM_CACHE = "stable" if version_info[0] >= 19 else "default"


def _params(env):
    return env["ir.config_parameter"].sudo()


def bind(env):
    """Bind the sync to this database the first time it is needed (a
    connection, a sync). Plain SQL with ON CONFLICT, since every user's first
    sync may try at once."""
    current = _params(env).get_param("database.uuid")
    for key in (PARAM_IDENTITY, PARAM_DATABASE):
        env.cr.execute(
            "INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, "
            "create_date, write_date) VALUES (%s, %s, %s, %s, now() at time zone 'UTC', "
            "now() at time zone 'UTC') ON CONFLICT (key) DO NOTHING",
            [key, current, env.uid, env.uid],
        )
    env.registry.clear_cache(PARAM_CACHE)  # get_param's cache


PARAM_INSTALLED_AGAIN = PARAM_PREFIX + "installed_again"


def mark_installed_again(env):
    """The connector is installed on a database that synced before (its
    identity outlives an uninstallation: plain rows, no module data): the
    dedicated calendars of the earlier installation are to be synced into
    again, not beside (see :func:`installed_again`)."""
    if _params(env).get_param(PARAM_IDENTITY):
        _params(env).set_param(PARAM_INSTALLED_AGAIN, "1")


def installed_again(env):
    """True on a database where the connector was installed again: a first
    sync looks for the calendar an earlier installation made before making
    one (services/account_kinds.py)."""
    return bool(_params(env).get_param(PARAM_INSTALLED_AGAIN))


PARAM_CALENDAR = PARAM_PREFIX + "calendar."


def _calendar_param(account):
    """The system parameter keeping the dedicated calendar of ``account``'s
    person: his user (own Google account) or his employee (a technician)."""
    if account.kind == "oauth" and account.user_id:
        return "%suser-%d" % (PARAM_CALENDAR, account.user_id.id)
    return "%semployee-%d" % (PARAM_CALENDAR, account.employee_id.id)


def remember_calendar(account, calendar_id):
    """Keep the id of the dedicated calendar made or found for ``account``
    where an uninstallation leaves it (a plain system parameter, like the
    sync's identity): installed again, the connector syncs into it again
    whatever it holds (see :func:`remembered_calendar`)."""
    key = _calendar_param(account)
    if _params(account.env).get_param(key) != calendar_id:
        _params(account.env).set_param(key, calendar_id)


def remembered_calendar(account):
    """The calendar id :func:`remember_calendar` kept for ``account``'s
    person, or None; the sync core checks the user still owns it."""
    return _params(account.env).get_param(_calendar_param(account)) or None


def sync_identity(env):
    """The uuid our events are named after."""
    get_param = _params(env).get_param
    return get_param(PARAM_IDENTITY) or get_param("database.uuid")


def copy_status(env, do_bind=True):
    """Why this database may not sync because it is a copy; None when it is
    the database the events belong to. ``do_bind=False`` for callers that
    must not write (a request about to start a sync)."""
    # _() reads the user's language from a local named context (19 warns when it has none)
    context = {"lang": env.lang or env.user.lang or "en_US"}  # noqa: F841  pylint: disable=unused-variable
    get_param = _params(env).get_param
    allowed = get_param(PARAM_DATABASE)
    if not allowed:
        if do_bind:
            bind(env)
        return None
    if allowed == get_param("database.uuid"):
        return None
    if allowed == NEUTRALIZED:
        return _(
            "This database was neutralized (a test or staging copy): the Google Calendar "
            "sync is off. An administrator can decide in Settings, section Google "
            "Calendar."
        )
    return _(
        "This database is a copy of another one (its identifier changed): the Google "
        "Calendar sync is stopped so that it neither duplicates nor cancels the events "
        "of the original. An administrator decides in Settings, section Google Calendar: "
        '"Sync from this database" if it now is the production database, or '
        '"Disconnect this copy".'
    )


def accept(env):
    """ "Sync from this database": it is the production one now (a move, a
    restore). The events keep their names, so nothing is duplicated."""
    _params(env).set_param(PARAM_DATABASE, _params(env).get_param("database.uuid"))


def disconnect_copy(env):
    """ "Disconnect this copy": no token, no calendar, no link, and a name of
    its own for its events, so that whoever connects here starts apart from
    the original's calendars."""
    env["of.google.account"].sudo().search([])._forget_everything()
    env["of.google.push"].sudo().search([]).unlink()
    # the service account would reach the technicians' calendars of the original
    _params(env).set_param("openfire_google_calendar.service_account_key", False)
    current = _params(env).get_param("database.uuid")
    for key in (PARAM_IDENTITY, PARAM_DATABASE):
        _params(env).set_param(key, current)
