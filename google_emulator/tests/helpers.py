"""Small helpers shared by the emulator's tests."""

import json

from googleapiclient.errors import HttpError

ALICE = "alice@example.com"
BOB = "bob@example.com"


def error_of(exc):
    """(status, reason, domain) of a googleapiclient HttpError, checking the shape."""
    assert isinstance(exc, HttpError)
    body = json.loads(exc.content)
    check_error_shape(body, exc.resp.status)
    item = body["error"]["errors"][0]
    return exc.resp.status, item["reason"], item["domain"]


def check_error_shape(body, status):
    """Google's error shape: error.code/message and errors[0].domain/reason/message."""
    error = body["error"]
    assert error["code"] == status
    assert isinstance(error["message"], str) and error["message"]
    assert set(error["errors"][0]) >= {"domain", "reason", "message"}


def timed(start, end, zone=None):
    """An event body with dateTime start and end."""
    body = {"start": {"dateTime": start}, "end": {"dateTime": end}}
    if zone:
        body["start"]["timeZone"] = zone
        body["end"]["timeZone"] = zone
    return body
