"""Google's error shape, in one place.

Every failure the emulator reports - validation, authentication, faults, quota -
goes through :class:`ApiError` so that clients see exactly the JSON Google sends::

    {"error": {"code": 404, "message": "Not Found",
               "errors": [{"domain": "global", "reason": "notFound",
                           "message": "Not Found"}]}}

googleapiclient reads ``error.errors[0].reason`` to decide whether to retry
(``rateLimitExceeded``/``userRateLimitExceeded``), so the shape matters.
"""

import json


class ApiError(Exception):
    """A Calendar API error with Google's status, domain, reason and message.

    ``headers`` carries extra response headers (``Retry-After``,
    ``WWW-Authenticate``) that some errors need.
    """

    def __init__(self, status, reason, message, domain="global", headers=None, **extra):
        super().__init__("%s %s: %s" % (status, reason, message))
        self.status = status
        self.reason = reason
        self.message = message
        self.domain = domain
        self.headers = dict(headers or {})
        self.extra = extra

    def to_dict(self):
        """Return the JSON body Google sends for this error."""
        item = {"domain": self.domain, "reason": self.reason, "message": self.message}
        item.update(self.extra)
        return {"error": {"code": self.status, "message": self.message, "errors": [item]}}

    def to_json(self):
        """The body as UTF-8 bytes, ready for the wire."""
        return json.dumps(self.to_dict()).encode("utf-8")


def bad_request(message, reason="invalid", **extra):
    """400 with Google's default domain."""
    return ApiError(400, reason, message, **extra)


def required(message):
    """400 ``required``: a mandatory field or parameter is missing."""
    return ApiError(400, "required", message)


def not_found():
    """404 ``notFound``: Google never says which part of the path was unknown."""
    return ApiError(404, "notFound", "Not Found")


def deleted():
    """410 ``deleted``: the resource exists but was already deleted."""
    return ApiError(410, "deleted", "Resource has been deleted")


def condition_not_met():
    """412 ``conditionNotMet``: If-Match did not match the current etag
    (Google names the header: ``locationType: header``, ``location: If-Match``)."""
    return ApiError(
        412, "conditionNotMet", "Precondition Failed", locationType="header", location="If-Match"
    )


def full_sync_required():
    """410 ``fullSyncRequired`` (domain ``calendar``, as Google's error reference
    shows it): the sync token is unknown, forged or expired."""
    return ApiError(
        410,
        "fullSyncRequired",
        "Sync token is no longer valid, a full sync is required.",
        domain="calendar",
        locationType="parameter",
        location="syncToken",
    )


def time_range_empty(location=None):
    """400 ``timeRangeEmpty`` (domain ``calendar``): an event that ends before it
    starts, or a ``timeMax`` not after ``timeMin`` (then the parameter is named)."""
    extra = {"locationType": "parameter", "location": location} if location else {}
    return ApiError(
        400, "timeRangeEmpty", "The specified time range is empty.", domain="calendar", **extra
    )


def auth_error():
    """401 ``authError`` with the ``WWW-Authenticate`` header Google sends."""
    return ApiError(
        401,
        "authError",
        "Invalid Credentials",
        headers={
            "WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'
        },
        location="Authorization",
        locationType="header",
    )


def required_access_level(role):
    """403 ``requiredAccessLevel``: the user's role on a shared calendar is too low
    (a reader writing, a writer changing the calendar's sharing)."""
    return ApiError(
        403,
        "requiredAccessLevel",
        "You need to have %s access to this calendar." % role,
        domain="calendar",
    )


def insufficient_scopes():
    """403 when the token's scopes do not cover the method."""
    return ApiError(
        403, "insufficientPermissions", "Request had insufficient authentication scopes."
    )


def parse_error():
    """400 ``parseError`` for a body that is not JSON (or not a JSON object)."""
    return ApiError(400, "parseError", "Parse Error")
