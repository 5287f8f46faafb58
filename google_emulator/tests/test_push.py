"""Push notifications: events.watch, channels.stop, delivered over loopback HTTP."""
# googleapiclient builds Resource methods (events(), calendarList()...) at run time.
# pylint: disable=no-member

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from googleapiclient.errors import HttpError

from google_emulator.tests.helpers import ALICE, error_of, timed


class Receiver:
    """A webhook endpoint on loopback that records notification headers."""

    def __init__(self, delay=0.0):
        self.received = []
        self.delay = delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            """Records and answers 200."""

            def do_POST(self):  # pylint: disable=invalid-name
                """Record one notification."""
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                time.sleep(receiver.delay)
                receiver.received.append((dict(self.headers.items()), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):  # pylint: disable=arguments-differ
                del args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        """Stop listening."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    hook = Receiver()
    yield hook
    hook.close()


def test_watch_sync_then_exists_then_stop(emu, service, receiver):
    channel = (
        service.events()
        .watch(
            calendarId="primary",
            body={
                "id": "chan-1",
                "type": "web_hook",
                "address": receiver.url,
                "token": "secret-token",
            },
        )
        .execute()
    )
    assert channel["kind"] == "api#channel" and channel["id"] == "chan-1"
    assert channel["resourceId"] and int(channel["expiration"]) > time.time() * 1000
    assert emu.wait_for_push()
    event = emu.phone(ALICE).insert_event(
        "primary", timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z")
    )
    service.events().patch(
        calendarId="primary", eventId=event["id"], body={"summary": "x"}
    ).execute()
    assert emu.wait_for_push()
    states = [
        (h["X-Goog-Resource-State"], h["X-Goog-Message-Number"]) for h, _ in receiver.received
    ]
    assert states == [("sync", "1"), ("exists", "2"), ("exists", "3")]
    headers = receiver.received[-1][0]
    assert headers["X-Goog-Channel-ID"] == "chan-1"
    assert headers["X-Goog-Channel-Token"] == "secret-token"
    assert headers["X-Goog-Resource-ID"] == channel["resourceId"]
    assert headers["X-Goog-Resource-URI"] == channel["resourceUri"]
    assert headers["X-Goog-Resource-URI"].startswith(emu.api_endpoint)
    assert headers["X-Goog-Channel-Expiration"].endswith("GMT")
    assert receiver.received[-1][1] == b""

    service.channels().stop(body={"id": "chan-1", "resourceId": channel["resourceId"]}).execute()
    emu.phone(ALICE).delete_event("primary", event["id"])
    assert emu.wait_for_push()
    assert len(receiver.received) == 3
    with pytest.raises(HttpError) as info:
        service.channels().stop(
            body={"id": "chan-1", "resourceId": channel["resourceId"]}
        ).execute()
    assert error_of(info.value)[0] == 404


@pytest.mark.parametrize(
    "address",
    [
        "https://example.com/hook",
        "http://10.0.0.1/hook",
        "http://192.168.1.2/hook",
        "ftp://127.0.0.1/hook",
        "not a url",
    ],
)
def test_non_loopback_addresses_are_refused(emu, service, address):
    with pytest.raises(HttpError) as info:
        service.events().watch(
            calendarId="primary", body={"id": "chan-x", "type": "web_hook", "address": address}
        ).execute()
    assert error_of(info.value)[0] == 400
    assert emu.push.channels == {}


def test_bad_watch_requests(service, receiver):
    for body in (
        {"type": "web_hook", "address": receiver.url},
        {"id": "c", "type": "carrier_pigeon", "address": receiver.url},
    ):
        with pytest.raises(HttpError) as info:
            service.events().watch(calendarId="primary", body=body).execute()
        assert error_of(info.value)[0] == 400
    body = {"id": "dup", "type": "web_hook", "address": receiver.url}
    service.events().watch(calendarId="primary", body=body).execute()
    with pytest.raises(HttpError) as info:
        service.events().watch(calendarId="primary", body=body).execute()
    assert error_of(info.value)[:2] == (400, "channelIdNotUnique")


def test_slow_receiver_does_not_block_the_api(emu, service):
    slow = Receiver(delay=0.3)
    try:
        service.events().watch(
            calendarId="primary", body={"id": "slow", "type": "web_hook", "address": slow.url}
        ).execute()
        started = time.monotonic()
        for hour in range(3):
            service.events().insert(
                calendarId="primary",
                body=timed("2024-05-01T%02d:00:00Z" % hour, "2024-05-01T%02d:30:00Z" % hour),
            ).execute()
        assert time.monotonic() - started < 0.5
        assert emu.wait_for_push(timeout=10)
        assert len(slow.received) == 4
    finally:
        slow.close()


def test_expired_channel_stops_delivering(emu, service, receiver):
    service.events().watch(
        calendarId="primary",
        body={
            "id": "short",
            "type": "web_hook",
            "address": receiver.url,
            "expiration": str(int(time.time() * 1000) + 60000),
        },
    ).execute()
    emu.advance_clock(120)
    emu.phone(ALICE).insert_event("primary", timed("2024-05-01T09:00:00Z", "2024-05-01T10:00:00Z"))
    assert emu.wait_for_push()
    assert [h["X-Goog-Resource-State"] for h, _ in receiver.received] == ["sync"]


def test_unreachable_receiver_is_recorded_not_raised(emu, service):
    service.events().watch(
        calendarId="primary",
        body={"id": "gone", "type": "web_hook", "address": "http://127.0.0.1:9/hook"},
    ).execute()
    assert emu.wait_for_push()
    assert emu.push_deliveries[-1]["error"]
