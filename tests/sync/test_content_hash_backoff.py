"""The content hash's normalisation, and the backoff policy."""

import random
from datetime import date, timedelta, timezone
from email.utils import format_datetime

from sync.backoff import Backoff, is_transient, parse_retry_after
from sync.content_hash import CANCELLED_HASH, content_hash
from sync.rdv import Rdv
from sync_helpers import FakeClock, at, fast_backoff

BASE = Rdv("1", summary="Pose", start=at(3), end=at(3, 10), attendees=("a@b.fr",))


def test_hash_ignores_what_google_does_not_carry():
    same = [
        Rdv("99", summary="Pose", start=at(3), end=at(3, 10), attendees=("a@b.fr",)),
        Rdv(
            "1",
            summary="Pose",
            start=at(3).astimezone(timezone.utc),
            end=at(3, 10),
            attendees=("A@B.FR", "a@b.fr"),
        ),
        Rdv(
            "1",
            summary="Pose",
            start=at(3),
            end=at(3, 10),
            attendees=("a@b.fr",),
            state="done",
            tz="Asia/Tokyo",
        ),
        Rdv(
            "1",
            summary="Pose",
            start=at(3).replace(microsecond=5),
            end=at(3, 10),
            attendees=("a@b.fr",),
            write_date=at(1),
        ),
    ]
    for rdv in same:
        assert content_hash(rdv) == content_hash(BASE), rdv


def test_hash_sees_every_synced_field():
    different = [
        Rdv("1", summary="Pose!", start=at(3), end=at(3, 10), attendees=("a@b.fr",)),
        Rdv(
            "1", summary="Pose", description="x", start=at(3), end=at(3, 10), attendees=("a@b.fr",)
        ),
        Rdv("1", summary="Pose", location="x", start=at(3), end=at(3, 10), attendees=("a@b.fr",)),
        Rdv("1", summary="Pose", start=at(3, 8), end=at(3, 10), attendees=("a@b.fr",)),
        Rdv("1", summary="Pose", start=at(3), end=at(3, 11), attendees=("a@b.fr",)),
        Rdv("1", summary="Pose", start=at(3), end=at(3, 10), attendees=("a@b.fr",), state="draft"),
        Rdv(
            "1",
            summary="Pose",
            start=at(3),
            end=at(3, 10),
            attendees=("a@b.fr",),
            recurrence=("RRULE:FREQ=DAILY",),
        ),
        Rdv(
            "1",
            summary="Pose",
            start=at(3),
            end=at(3, 10),
            attendees=("a@b.fr",),
            original_start=at(3),
        ),
    ]
    hashes = {content_hash(rdv) for rdv in different} | {content_hash(BASE)}
    assert len(hashes) == len(different) + 1


def test_attendees_count_only_in_the_versions_that_invited():
    """v3 invites no one (Google copies an event to every attendee): the
    attendees are out of the hash; v1 and v2 hashes still see them, so that
    a pair stored by them is compared as it was."""
    uninvited = Rdv("1", summary="Pose", start=at(3), end=at(3, 10), attendees=())
    guest = Rdv("1", summary="Pose", start=at(3), end=at(3, 10), attendees=("x@y.fr",))
    assert content_hash(uninvited) == content_hash(BASE) == content_hash(guest)
    assert content_hash(BASE).startswith("v3:")
    for version in ("v1", "v2"):
        assert content_hash(uninvited, version) != content_hash(BASE, version)


def test_time_zone_counts_only_for_timed_series():
    series = Rdv("1", start=at(3), end=at(3, 10), recurrence=("RRULE:FREQ=DAILY",))
    assert content_hash(series) != content_hash(Rdv(**{**series.__dict__, "tz": "UTC"}))
    day = Rdv("1", all_day=True, start=date(2024, 6, 3), recurrence=("RRULE:FREQ=DAILY",))
    assert content_hash(day) == content_hash(Rdv(**{**day.__dict__, "tz": "UTC"}))


def test_all_day_end_defaults_to_start():
    one = Rdv("1", all_day=True, start=date(2024, 6, 3))
    assert content_hash(one) == content_hash(
        Rdv("1", all_day=True, start=date(2024, 6, 3), end=date(2024, 6, 3))
    )


def test_cancelled_rdvs_share_one_hash():
    assert content_hash(Rdv("1", state="cancel", summary="a")) == CANCELLED_HASH
    assert content_hash(Rdv("2", state="postponed", start=at(4))) == CANCELLED_HASH


# -- backoff -------------------------------------------------------------------------
def test_transient_errors():
    assert all(is_transient(s) for s in (401, 429, 500, 502, 503, 504))
    assert is_transient(403, "rateLimitExceeded") and is_transient(403, "userRateLimitExceeded")
    assert not is_transient(403, "quotaExceeded") and not is_transient(403, "forbidden")
    assert not any(is_transient(s) for s in (400, 404, 409, 410, 412))


def test_retry_after_seconds_and_date():
    assert parse_retry_after("3") == 3.0 and parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = 1_700_000_000
    from datetime import datetime  # pylint: disable=import-outside-toplevel

    moment = datetime.fromtimestamp(now + 7, tz=timezone.utc)
    assert abs(parse_retry_after(format_datetime(moment, usegmt=True), now=now) - 7) < 1


def test_delays_grow_exponentially_with_jitter():
    backoff = Backoff(base=1, cap=16, rng=random.Random(3))
    for retry in range(1, 8):
        ceiling = min(16, 2 ** (retry - 1))
        assert ceiling / 2 <= backoff.delay(retry) <= ceiling
    assert backoff.delay(1, retry_after=5) == 5


def test_attempts_are_bounded_in_number_and_time():
    clock = FakeClock()
    attempts = fast_backoff(clock, max_attempts=4, base=1).start()
    assert [attempts.wait() for _ in range(5)] == [True, True, True, False, False]
    assert len(clock.sleeps) == 3
    clock = FakeClock()
    attempts = fast_backoff(clock, max_attempts=100, base=10, cap=10, max_total=25).start()
    while attempts.wait():
        pass
    assert clock.now <= 25 and len(clock.sleeps) in (2, 3, 4)
    attempts = fast_backoff(FakeClock(), max_total=5).start()
    assert not attempts.wait(retry_after=timedelta(seconds=60).total_seconds())
