# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Google's push channel (events.watch) of one user's calendar."""

import logging
import secrets
import uuid
from datetime import datetime, timedelta

from odoo import fields

from ..sync import GoogleError
from . import google_oauth, settings

_logger = logging.getLogger(__name__)
CHANNEL_TTL = 7 * 24 * 3600  # seconds a push channel lives before renewal


def push_address(env):
    """Where Google may POST notifications: a public HTTPS address (or the
    push_base_url parameter, for the emulator); None means poll only."""
    get_param = env["ir.config_parameter"].sudo().get_param
    base = settings.get(env, "push_base_url")
    if not base:
        base = get_param("web.base.url") or ""
        if not base.startswith("https://") or google_oauth.is_loopback(base):
            return None
    return base.rstrip("/") + "/google_calendar/notifications"


def ensure_watch(account, client, calendar_id):
    """A push channel per user, renewed a day before it expires; a failure
    only means polling goes on. The new channel is kept before the old one is
    stopped: Google may have forgotten the old one (404, 410), which must not
    throw the new one away."""
    _watch(account.sudo(), client, calendar_id, "channel")


def ensure_busy_watch(account, client, primary, wanted):
    """A second channel, on the technician's primary calendar, while his
    availability is read (``wanted``): a change there (a dentist, a day off)
    marks his availability to read and wakes his sync, instead of waiting
    for the next round. Renewed like the RDVs' channel; stopped when no
    longer wanted. Only where the account may list that calendar's events
    (his own connection, the delegation acting as him): a shared calendar's
    owner sees the technician's free/busy time only."""
    account = account.sudo()
    if not wanted or not primary:
        if account.busy_channel_id:
            old = (account.busy_channel_id, account.busy_channel_resource_id)
            account.write({"busy_channel_id": False, "busy_channel_expiration": False})
            if old[1]:
                try:
                    client.stop_channel(*old)
                except GoogleError as exc:
                    _logger.info("Busy-time channel of account %s not stopped: %s", account.id, exc)
        return
    _watch(account, client, primary, "busy_channel")


def _watch(account, client, calendar_id, prefix):
    """Open or renew the channel whose fields start with ``prefix``."""
    address = push_address(account.env)
    soon = fields.Datetime.now() + timedelta(days=1)
    if not address or (
        account[prefix + "_id"]
        and account[prefix + "_expiration"]
        and account[prefix + "_expiration"] > soon
    ):
        return
    old = (account[prefix + "_id"], account[prefix + "_resource_id"])
    channel_id, token = str(uuid.uuid4()), secrets.token_urlsafe(24)
    try:
        answer = client.watch(
            calendar_id, channel_id, address, token=token, ttl_seconds=CHANNEL_TTL
        )
    except GoogleError as exc:
        _logger.info("No push channel %s for account %s: %s", prefix, account.id, exc)
        return
    expiration = answer.get("expiration")
    account.write(
        {
            prefix + "_id": channel_id,
            prefix + "_token": token,
            prefix + "_resource_id": answer.get("resourceId"),
            prefix + "_expiration": datetime.utcfromtimestamp(int(expiration) / 1000)
            if expiration
            else fields.Datetime.now() + timedelta(seconds=CHANNEL_TTL),
        }
    )
    if old[0] and old[1]:
        try:
            client.stop_channel(*old)
        except GoogleError as exc:  # gone already, or expired: nothing to stop
            _logger.info("Old push channel of account %s not stopped: %s", account.id, exc)
