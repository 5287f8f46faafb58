"""A sync under a request budget (the scheduler's share of Google's quotas):
the writes beyond it are deferred, whole batches at a time, the token is kept
and the next runs go on from there until everything is synced, with no
duplicate and nothing reported as an error."""

from sync.cycle import sync_calendar
from sync.executor import Outcome
from sync_helpers import at, settings


def test_a_big_first_sync_is_spread_over_runs(emu, client, calendar, odoo, phone):
    for index in range(120):
        odoo.create(
            summary="RDV %d" % index, start=at(3, 6 + index % 12), end=at(3, 7 + index % 12)
        )
    runs = []
    for _run in range(5):
        before = client.calls
        report = sync_calendar(client, calendar, odoo, settings(), budget=60)
        runs.append((len(report.done), len(report.deferred), client.calls - before))
        assert report.errors == []
        if not report.deferred:
            break
    # listing + one batch of 50 fits in 60 calls; a second batch would not.
    assert runs == [(50, 70, 51), (50, 20, 51), (20, 0, 21)]
    assert odoo.token is not None, "saved once everything was done"
    assert len(phone.list_events(calendar)) == 120
    assert len(odoo.states) == 120


def test_no_budget_left_defers_every_write_and_keeps_the_token(client, calendar, odoo):
    odoo.create(summary="R")
    report = sync_calendar(client, calendar, odoo, settings(), budget=1)
    assert [r.outcome for r in report.results] == [Outcome.DEFERRED]
    assert not report.token_saved and odoo.token is None
    assert report.summary()["errors"] == 0


def test_writes_google_refuses_for_its_rate_limits_are_deferred_not_errors(
    emu, calendar, odoo, phone
):
    """Google's rate limits refuse a batch's parts all the same (another client of the
    project, say): those writes are deferred, the batches after them are not sent
    (they would be refused too), nothing is an error, and the next sync goes on."""
    from sync_helpers import FakeClock, fast_backoff, new_client

    client = new_client(emu, backoff=fast_backoff(FakeClock(), max_pause=20.0))
    for index in range(120):
        odoo.create(
            summary="RDV %d" % index, start=at(3, 6 + index % 12), end=at(3, 7 + index % 12)
        )
    emu.set_rate_limits(per_user=31, status=429, retry_after=True)
    try:
        report = sync_calendar(client, calendar, odoo, settings())
        sent = emu.http_round_trips()
    finally:
        emu.set_rate_limits(per_user=600, status=403, retry_after=False)
    # the listing and 30 inserts pass; 20 refused; the 70 others never sent
    assert (len(report.done), len(report.deferred)) == (30, 90)
    assert report.errors == [] and report.summary()["errors"] == 0
    assert sent == 2, "one listing, one batch: nothing sent once refused"
    assert client.rate_limited >= 55 and odoo.token is None
    report = sync_calendar(client, calendar, odoo, settings())
    assert (len(report.done), len(report.deferred), client.rate_limited) == (90, 0, None)
    assert len(phone.list_events(calendar)) == 120
