# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Apply a plan: Google writes through the client, Odoo writes through the
local side, and one :class:`ItemResult` per action.

Order: state-only actions, then Odoo writes, then Google writes (in batches),
each time series masters before their exceptions so that an exception always
finds its master. Every batch is saved as soon as it is done (Odoo writes per
LOCAL_BATCH, Google results per Google batch of 50), so a crash loses at most
the batch in flight, which the next sync recognises (see
:mod:`.local_side`). A conflict's loser is posted in Odoo before the winner
goes to Google, so that no crash can lose it.

Google answers that need a second look are handled here, once:

- 409 on an insert: the event exists (an insert retried after a crash or a lost
  answer). It is read and the pair decided again without a state: adopted when
  both sides agree, else resolved like a conflict;
- 412 on an update or delete: the event changed since it was listed. It is
  read and the pair decided again against its synced state;
- 404/410 on a delete or cancel: already gone, done;
- 404 on the update of an event purged from Google: inserted again.
"""

from dataclasses import dataclass, replace
from enum import Enum

from .backoff import is_rate_limit
from .google_client import MAX_BATCH, GoogleError, Write
from .mapping import owner_of, rdv_to_event
from .plan import GOOGLE, ODOO, Kind, decide_pair, read_remote

# Changes from Google written in Odoo per local batch (one transaction each).
LOCAL_BATCH = 100


class Outcome(str, Enum):
    """How an action ended."""

    DONE = "done"
    FAILED = "failed"  # permanent: will fail again the same way; see reason
    RETRY = "retry"  # transient: the next sync tries again
    SKIPPED = "skipped"  # unusable input from Google, reported
    DEFERRED = "deferred"  # over this run's request budget: a later run does it


@dataclass(frozen=True)
class ItemResult:
    """One action's outcome; ``key``/``event_id`` name the pair it concerns."""

    action: object
    outcome: Outcome
    key: str | None
    event_id: str | None
    reason: str = ""


def _is_exception(action):
    return action.rdv is not None and action.rdv.is_exception


class _Run:
    """The state of one :func:`apply_plan` call."""

    def __init__(self, client, calendar_id, local, settings, states, budget=None):
        self.client = client
        # Google calls this run may still send (None: no limit); the client
        # counts what it sent (getattr: test doubles may not count).
        self.budget_end = None if budget is None else getattr(client, "calls", 0) + budget
        self.calendar_id = calendar_id
        self.local = local
        self.settings = settings
        self.states = states or {}
        self.results = []
        self.created = {}  # event id -> key of the RDVs created in Odoo
        self.unwritten = set()  # keys whose Google write did not succeed

    def report(self, action, outcome, reason="", key=None, event_id=None):
        """Record the outcome of ``action``."""
        if outcome != Outcome.DONE and action.side == GOOGLE:
            self.unwritten.add(action.key)
        self.results.append(
            ItemResult(action, outcome, key or action.key, event_id or action.event_id, reason)
        )

    # -- state only ------------------------------------------------------------
    def save_only(self, action):
        """ADOPT, RECORD and FORGET: only the stored state changes."""
        state = None if action.ends_pair else action.state_after()
        try:
            self.local.save_state(action.key, state)
        except Exception as exc:  # pylint: disable=broad-except
            self.report(action, Outcome.RETRY, "saving the state failed: %s" % exc)
            return
        self.report(action, Outcome.DONE)

    # -- Odoo side ---------------------------------------------------------------
    def prepared(self, action):
        """The action with its series key resolved, or None (reported) when
        the series of an exception is not in Odoo yet."""
        rdv = action.rdv
        if (
            action.kind == Kind.CREATE_LOCAL
            and rdv is not None
            and rdv.is_exception
            and rdv.series_key is None
        ):
            series_key = self.created.get(action.series_event_id)
            if series_key is None:
                self.report(
                    action, Outcome.RETRY, "the series of this occurrence is not in Odoo yet"
                )
                return None
            action = replace(action, rdv=replace(rdv, series_key=series_key))
        return action

    def write_local(self, action):
        """CREATE_LOCAL, UPDATE_LOCAL, CANCEL_LOCAL through the local side."""
        action = self.prepared(action)
        if action is None:
            return
        try:
            if action.replaces_key:
                self.local.save_state(action.replaces_key, None)
            key = self.local.write_rdv(action)
        except Exception as exc:  # pylint: disable=broad-except
            self.written_local(action, exc)
            return
        self.written_local(action, key)

    def write_local_batch(self, actions):
        """Local writes in batches of LOCAL_BATCH (one transaction each)."""
        ready = [a for a in (self.prepared(action) for action in actions) if a is not None]
        for start in range(0, len(ready), LOCAL_BATCH):
            chunk = ready[start : start + LOCAL_BATCH]
            try:
                answers = self.local.write_rdvs(chunk)
            except Exception as exc:  # pylint: disable=broad-except
                answers = [exc] * len(chunk)
            for action, answer in zip(chunk, answers, strict=False):
                self.written_local(action, answer)

    def written_local(self, action, answer):
        """Report a local write: ``answer`` is the key or the exception."""
        if isinstance(answer, ValueError):
            # Odoo cannot take this version (unsupported rule, invalid data): it
            # will refuse it again, so it is reported and the sync moves on; a
            # later edit on the phone lists the event again.
            self.report(action, Outcome.FAILED, "Odoo cannot take this change: %s" % answer)
            return
        if isinstance(answer, Exception):
            self.report(action, Outcome.RETRY, "Odoo refused the change: %s" % answer)
            return
        if action.kind == Kind.CREATE_LOCAL:
            self.created[action.event_id] = answer
        self.report(action, Outcome.DONE, key=answer)

    # -- Google side -------------------------------------------------------------
    def to_write(self, action):
        """The client :class:`Write` for a Google-side action."""
        db = self.settings.database_uuid
        if action.kind == Kind.DELETE_REMOTE:
            return Write("delete", action.event_id, etag=action.etag)
        if action.rdv is None:  # the RDV was deleted in Odoo
            return Write("patch", action.event_id, {"status": "cancelled"}, action.etag)
        if action.kind == Kind.CREATE_REMOTE and not action.rdv.is_exception:
            return Write(
                "insert", action.event_id, rdv_to_event(action.rdv, db, event_id=action.event_id)
            )
        return Write(
            "patch", action.event_id, rdv_to_event(action.rdv, db, for_patch=True), action.etag
        )

    def post_conflicts(self, actions):
        """Post the losers of the conflicts Odoo won, before any Google write
        (a series written first could take an occurrence's losing version with
        it); returns the actions that may be written."""
        ready = []
        for action in actions:
            if action.conflict is not None:
                try:
                    self.local.post_conflict(action.key, action.conflict)
                except Exception as exc:  # pylint: disable=broad-except
                    self.report(action, Outcome.RETRY, "posting the conflict failed: %s" % exc)
                    continue
            ready.append(action)
        return ready

    def write_remote(self, actions, follow_up):
        """Send Google-side ``actions`` in batches and save each result."""
        writes, sent = [], []
        for action in actions:
            if _is_exception(action) and action.rdv.series_key in self.unwritten:
                self.report(action, Outcome.RETRY, "its series is not written in Google yet")
                continue
            try:
                write = self.to_write(action)
            except ValueError as exc:
                self.report(action, Outcome.FAILED, "cannot map the RDV: %s" % exc)
                continue
            writes.append(write)
            sent.append(action)
        later = []
        for start in range(0, len(writes), MAX_BATCH):
            chunk = sent[start : start + MAX_BATCH]
            if self.over_budget(len(chunk)):
                for action in sent[start:]:
                    self.report(action, Outcome.DEFERRED, "over this run's request budget")
                break
            if getattr(self.client, "rate_limited", None) is not None:
                # Google refuses for its rate limits: the rest would be refused too.
                for action in sent[start:]:
                    self.report(action, Outcome.DEFERRED, "Google's rate limits")
                break
            later.extend(self.write_chunk(chunk, writes[start : start + MAX_BATCH], follow_up))
        return later

    def over_budget(self, calls):
        """True when ``calls`` more Google calls would exceed this run's budget."""
        if self.budget_end is None:
            return False
        return getattr(self.client, "calls", 0) + calls > self.budget_end

    def write_chunk(self, sent, writes, follow_up):
        """One Google batch, then the states of its successes in one local batch."""
        later, done = [], []
        answers = self.client.write_events(self.calendar_id, writes)
        for action, write, result in zip(sent, writes, answers, strict=False):
            if result.ok:
                done.append((action, (result.event or {}).get("etag")))
            elif result.transient and is_rate_limit(result.status, result.reason):
                # Not an error of the RDV: a later run sends it, once the hold
                # of the account ends (the scheduler's, from client.rate_limited).
                self.report(action, Outcome.DEFERRED, "Google's rate limits")
            elif result.transient:
                self.report(action, Outcome.RETRY, "%s %s" % (result.status, result.reason))
            elif follow_up:
                later.extend(self.second_look(action, write, result))
            else:
                self.report(action, Outcome.FAILED, "%s %s" % (result.status, result.reason))
        self.saved_remote_batch(done)
        return later

    def saved_remote_batch(self, done):
        """Store the states of pairs whose Google side was written: [(action, etag)]."""
        if not done:
            return
        pairs = [
            (action.key, None if action.ends_pair else action.state_after(etag=etag))
            for action, etag in done
        ]
        try:
            answers = self.local.save_states(pairs)
        except Exception as exc:  # pylint: disable=broad-except
            answers = [exc] * len(pairs)
        for (action, _etag), answer in zip(done, answers, strict=False):
            if answer is None:
                self.report(action, Outcome.DONE)
            else:
                self.report(action, Outcome.RETRY, "saving the state failed: %s" % answer)

    def saved_remote(self, action, etag):
        """Store the state of a pair whose Google side was written."""
        state = None if action.ends_pair else action.state_after(etag=etag)
        try:
            self.local.save_state(action.key, state)
        except Exception as exc:  # pylint: disable=broad-except
            self.report(action, Outcome.RETRY, "saving the state failed: %s" % exc)
            return
        self.report(action, Outcome.DONE)

    def second_look(self, action, write, result):
        """Handle 404/409/410/412; returns follow-up actions (or reports)."""
        status = result.status
        if status in (404, 410) and (
            write.method == "delete" or action.ends_pair or action.kind == Kind.CANCEL_REMOTE
        ):
            self.saved_remote(action, None)
            return []
        if status == 404 and action.kind == Kind.UPDATE_REMOTE and not _is_exception(action):
            return [replace(action, kind=Kind.CREATE_REMOTE, etag=None)]
        if status not in (409, 412):
            self.report(action, Outcome.FAILED, "%s %s" % (status, result.reason))
            return []
        try:
            event = self.client.get_event(self.calendar_id, action.event_id)
        except GoogleError as exc:
            self.report(action, Outcome.RETRY, "reading the event failed: %s" % exc)
            return []
        if status == 409 and owner_of(event) != (self.settings.database_uuid, action.key):
            self.report(action, Outcome.FAILED, "the event id is taken by another event")
            return []
        remote = read_remote(event, self.settings)
        state = None if status == 409 else self.states.get(action.key)
        local = action.rdv
        if action.rdv is None and action.kind != Kind.CREATE_REMOTE:
            local = None
        decided = decide_pair(self.settings, action.key, state, local, remote, action.event_id)
        if decided is None:
            self.report(action, Outcome.DONE, "nothing left to do after a second look")
            return []
        return [decided]


def apply_plan(plan, client, calendar_id, local, settings, states=None, budget=None):
    """Apply ``plan`` (a :class:`.plan.Plan`) and return its ItemResults.

    ``states`` (the ones the plan was made from) let a 412 be decided again.
    ``budget``: how many more Google calls this run may send; the Google
    writes beyond it are DEFERRED (whole batches), for a later run.
    A stopped plan does nothing. Raises only ``ReconnectNeeded``.
    """
    run = _Run(client, calendar_id, local, settings, states, budget)
    if plan.stopped:
        return []
    _apply(run, plan.actions, follow_up=True)
    return run.results


def _apply(run, actions, follow_up):
    later = []
    for action in actions:
        if action.kind == Kind.SKIP:
            run.report(action, Outcome.SKIPPED, "; ".join(action.problems))
        elif action.side is None:
            run.save_only(action)
    local = [a for a in actions if a.side == ODOO]
    # Masters before their exceptions; a change that drops another pair's state
    # (replaces_key) alone, the others in batches.
    for group in (
        [a for a in local if not _is_exception(a)],
        [a for a in local if _is_exception(a)],
    ):
        for action in group:
            if action.replaces_key:
                run.write_local(action)
        run.write_local_batch([a for a in group if not a.replaces_key])
    remote = run.post_conflicts([a for a in actions if a.side == GOOGLE])
    later += run.write_remote([a for a in remote if not _is_exception(a)], follow_up)
    later += run.write_remote([a for a in remote if _is_exception(a)], follow_up)
    if later:
        _apply(run, later, follow_up=False)
