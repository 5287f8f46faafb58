"""The acceptance probe: an RDV in error, "Réessayer" returns in under 2 s, the RDV is
synced on both sides within a minute, the server keeps answering and the next sync syncs;
and, when it fails, how the server behaves from then on (a watchdog, a reload that never
completes, a user stuck ``already_running``)."""

import time
from datetime import datetime, timedelta, timezone

from .checks import scan_log
from .client import Interrupted, RequestTimeout, RpcError, ServerDown
from .common import MODEL, RETRY_LIMIT, RETRY_SYNCED_WITHIN, log, odoo_dt
from .ledger import Edit
from .phone import key_of


class Probe:
    """The probe on the first technician's calendar, by the first planner."""

    def __init__(self, run):
        self.run = run
        self.report, self.emulator, self.server = run.report, run.emulator, run.server
        self.tech, self.planner = run.techs[0], run.planners[0]
        self.retry_field = run.retry_field

    def __call__(self):
        """True when every acceptance check passed (a probe that could not start from an
        RDV in error fails, and there is nothing to watch the server for)."""
        rdv_id = self.rdv_in_error()
        if rdv_id is None:
            return True
        started = time.monotonic()
        self.press_retry(rdv_id)
        self.wait_synced(rdv_id, started)
        if not self.server.ping(timeout=5):
            self.report.fail('acceptance: the server no longer answers after "Réessayer"')
            return False
        self.next_sync()
        return not [f for f in self.report.failures if f.startswith("acceptance")]

    def api_calls_of(self, email, since_seq):
        """The Google API calls of ``email`` after log entry ``since_seq``; the last seq."""
        entries = self.emulator.admin("GET", "log")["entries"]
        calls = [
            e
            for e in entries
            if e["seq"] > since_seq
            and e.get("email") == email
            and (
                e.get("in_batch")
                or (not e.get("batch_size") and e["path"].startswith("/calendar/v3"))
            )
        ]
        last = max([e["seq"] for e in entries] or [0])
        return calls, last

    def rdv_in_error(self):
        """A new RDV whose insert Google refuses: a per-user budget of exactly what a
        no-change sync uses, so the listing passes and the insert gets 403 quotaExceeded
        (permanent). Its id, or None (a failure) when it is not in error: "Réessayer"
        on anything else proves nothing."""
        run, tech = self.run, self.tech
        budget = None
        _calls, last = self.api_calls_of(tech["login"], 0)
        for _ in range(3):  # until two syncs with nothing new cost the same (channel open)
            run.sync(tech, kind="probe")
            calls, last = self.api_calls_of(tech["login"], last)
            if budget == len(calls):
                break
            budget = len(calls)
        title, _seq = run.ledger.next_title("odoo")
        start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(
            days=2, hours=1
        )
        rdv_id = self.planner.kw(
            MODEL,
            "create",
            [
                {
                    "name": title,
                    "employee_ids": [(6, 0, [tech["employee"]])],
                    "date": odoo_dt(start),
                    "duree": 1.0,
                    "state": "confirm",
                }
            ],
            kind="probe",
        )
        run.ledger.rdvs[rdv_id] = {"title": title, "techs": [tech["index"]], "cancelled": False}
        run.ledger.add_edit(Edit(run.ledger.seq, "odoo", "create", title, rdv_id=rdv_id))
        self.emulator.admin("POST", "quota", {"email": tech["login"], "max_requests": budget})
        run.sync(tech, kind="probe")
        self.emulator.admin("POST", "quota", {"email": tech["login"], "max_requests": None})
        state = None
        if self.retry_field:
            rows = self.planner.kw(MODEL, "read", [[rdv_id], [self.retry_field]], kind="probe")
            state = rows[0][self.retry_field]
        if state != "error":
            self.report.fail(
                'probe: the RDV never reached the error state "Réessayer" starts from '
                "(it is %r after a quota-refused sync, %d calls allowed)" % (state, budget)
            )
            return None
        return rdv_id

    def press_retry(self, rdv_id):
        """ "Réessayer" must return within RETRY_LIMIT."""
        started = time.monotonic()
        outcome = "returned"
        try:
            self.planner.kw(
                MODEL,
                "action_of_google_retry",
                [[rdv_id]],
                kind="retry",
                timeout=max(15.0, RETRY_LIMIT * 4),
            )
        except RequestTimeout:
            outcome = "no answer"
        except (Interrupted, ServerDown, RpcError) as exc:
            outcome = "failed: %s" % exc
        elapsed = time.monotonic() - started
        self.report.row["probe_retry"] = elapsed
        if outcome != "returned" or elapsed > RETRY_LIMIT:
            self.report.fail(
                'acceptance: "Réessayer" on an RDV in error: %s after %.1f s '
                "(limit %.0f s)" % (outcome, elapsed, RETRY_LIMIT)
            )

    def synced_in_odoo(self, rdv_id):
        """Odoo knows it too: the RDV no longer pending or in error."""
        if not self.retry_field:
            return True
        try:
            return (
                self.run.admin.kw(
                    MODEL,
                    "read",
                    [[rdv_id], [self.retry_field]],
                    kind="probe",
                    timeout=10,
                    patience=10,
                )[0][self.retry_field]
                == "synced"
            )
        except (RequestTimeout, Interrupted, ServerDown, RpcError):
            return False

    def wait_synced(self, rdv_id, started):
        """The RDV synced on both sides within RETRY_SYNCED_WITHIN of "Réessayer"."""
        synced_after = None
        deadline = time.monotonic() + RETRY_SYNCED_WITHIN
        while time.monotonic() < deadline:
            events = self.run.phones.events_of(self.tech)
            in_google = any(
                key_of(e) == str(rdv_id) and e.get("status") != "cancelled" for e in events
            )
            if in_google and self.synced_in_odoo(rdv_id):
                synced_after = time.monotonic() - started
                break
            time.sleep(2)
        self.report.row["probe_synced"] = synced_after
        if synced_after is None:
            self.report.fail(
                'acceptance: the RDV is not in Google %d s after "Réessayer"' % RETRY_SYNCED_WITHIN
            )

    def next_sync(self):
        """The next "Sync. avec Google" syncs. The cron run that Réessayer woke may still
        be finishing this user's sync (items are committed one by one, the RDV shows
        synced before the run ends): already_running for a few seconds is that, not a
        lock stuck for ever."""
        try:
            attempts = 0
            for attempts in range(6):  # noqa: B007  (how many, after the loop)
                result = self.run.sync(self.tech, kind="probe", timeout=15, patience=15)
                if result.get("status") != "already_running":
                    break
                time.sleep(2)
            if attempts:
                self.report.note(
                    "probe: the next sync answered already_running %d time(s) "
                    "first (the cron finishing the retried sync)" % attempts
                )
            if result.get("status") in ("already_running", "error"):
                self.report.fail(
                    'acceptance: the next "Sync. avec Google" answered %r for 10 s'
                    % (result.get("status"),)
                )
        except (RequestTimeout, Interrupted, ServerDown) as exc:
            self.report.fail('acceptance: the next "Sync. avec Google": %s' % exc)

    def aftermath(self):
        """After a failed probe: the server watched for ``limit_time_real`` + 45 s (does it
        stop answering? the watchdog?), then killed and restarted."""
        limit = self.run.args.limit_time_real
        log(
            "  probe failed: watching the server for %d s (limit_time_real %d s)"
            % (limit + 45, limit)
        )
        deadline = time.monotonic() + limit + 45
        first_silence = None
        while time.monotonic() < deadline:
            if not self.server.ping(timeout=5):
                first_silence = first_silence or time.monotonic() - self.run.started
            time.sleep(5)
        answering = self.server.ping(timeout=5)
        status = None
        if answering:
            try:
                status = (
                    self.tech["client"]
                    .sync_data(kind="probe", timeout=10, patience=10)
                    .get("status")
                )
            except Exception as exc:  # pylint: disable=broad-except
                status = "no answer (%s)" % type(exc).__name__
        self.report.note(
            "aftermath: server answering=%s, first silence at %s s, "
            "tech1 sync_data=%s, watchdog lines=%d"
            % (
                answering,
                "%.0f" % first_silence if first_silence else "never",
                status,
                len(scan_log(self.server.log_path)["watchdog"]),
            )
        )
        self.server.restart(why="hang")
