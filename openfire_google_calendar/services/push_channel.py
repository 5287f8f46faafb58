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
    account = account.sudo()
    address = push_address(account.env)
    soon = fields.Datetime.now() + timedelta(days=1)
    if not address or (
        account.channel_id and account.channel_expiration and account.channel_expiration > soon
    ):
        return
    old = (account.channel_id, account.channel_resource_id)
    channel_id, token = str(uuid.uuid4()), secrets.token_urlsafe(24)
    try:
        answer = client.watch(
            calendar_id, channel_id, address, token=token, ttl_seconds=CHANNEL_TTL
        )
    except GoogleError as exc:
        _logger.info("No push channel for user %s: %s", account.user_id.id, exc)
        return
    expiration = answer.get("expiration")
    account.write(
        {
            "channel_id": channel_id,
            "channel_token": token,
            "channel_resource_id": answer.get("resourceId"),
            "channel_expiration": datetime.utcfromtimestamp(int(expiration) / 1000)
            if expiration
            else fields.Datetime.now() + timedelta(seconds=CHANNEL_TTL),
        }
    )
    if old[0] and old[1]:
        try:
            client.stop_channel(*old)
        except GoogleError as exc:  # gone already, or expired: nothing to stop
            _logger.info("Old push channel of user %s not stopped: %s", account.user_id.id, exc)
