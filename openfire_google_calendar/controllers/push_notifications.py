# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import http
from odoo.http import request


class GooglePushController(http.Controller):
    @http.route(
        "/google_calendar/notifications",
        type="http",
        auth="public",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def google_calendar_notification(self, **_kw):
        """Google's push notification for one user's calendar: the sync runs
        in the cron, woken now, so Google's request returns at once."""
        headers = request.httprequest.headers
        known = (
            request.env["of.google.push"]
            .sudo()
            ._receive(
                headers.get("X-Goog-Channel-ID"),
                headers.get("X-Goog-Channel-Token"),
                headers.get("X-Goog-Resource-State"),
            )
        )
        return request.make_response("", status=200 if known else 404)
