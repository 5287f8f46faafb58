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

A series moved in Odoo moves its exceptions to other occurrences in Google
(see :mod:`.plan`): the states of those writes (``Action.series_move``) are
stored together once all of the series' are sent, in one batch, and none while
one of them is to retry (reported to retry: the next sync sends them again,
which is harmless), so that the occurrence an exception leaves is never
forgotten while Google may still show it.
"""

from dataclasses import dataclass, replace
from enum import Enum

from .actions import GOOGLE, ODOO, Kind, read_remote
from .backoff import is_rate_limit
from .content_hash import content_hash
from .event_content import BLOCK_START
from .google_client import MAX_BATCH, GoogleError, Write
from .mapping import attendees_body, claim_body, made_for_another, owner_of, rdv_to_event
from .pair import decide_pair, restore_generated

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
        self.moving = {}  # series key -> [(action, etag)] written, state not stored yet
        self.move_failed = set()  # series keys a write of whose move is to retry

    def report(self, action, outcome, reason="", key=None, event_id=None):
        """Record the outcome of ``action``."""
        if outcome != Outcome.DONE and action.side == GOOGLE:
            self.unwritten.add(action.key)
            if action.series_move and outcome != Outcome.FAILED:
                self.move_failed.add(action.series_move)
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

    def restorations(self, pulled):
        """Pushes that put Odoo's generated block back into the events just
        pulled whose block the phone had edited, or that remove the
        invitations of an older version (see pair.restore_generated). Only
        those events are read again from Odoo: a pull that left the block
        alone costs nothing more."""
        applied = {
            result.key
            for result in self.results
            if result.outcome == Outcome.DONE and result.action.kind == Kind.UPDATE_LOCAL
        }
        edited = [
            action
            for action in pulled
            if action.kind == Kind.UPDATE_LOCAL
            and action.key in applied
            and action.rdv is not None
            and (BLOCK_START in (action.rdv.description or "") or action.guests is not None)
        ]
        claimed = self.to_claim()
        if not edited and not claimed:
            return []
        try:
            current = self.local.get_rdvs([action.key for action in edited + claimed])
        except Exception:  # pylint: disable=broad-except
            return []  # the next change of the RDV in Odoo puts the block back
        pushes = [
            restore_generated(self.settings, action, current.get(action.key)) for action in edited
        ]
        try:
            stored = self.local.load_states() if claimed else {}
        except Exception:  # pylint: disable=broad-except
            stored = {}  # then the event's version, as a pull stores it
        pushes += [
            replace(
                action,
                kind=Kind.CLAIM_REMOTE,
                rdv=current[action.key],
                # the claim changes no content: the version the creation stored
                content_hash=getattr(stored.get(action.key), "content_hash", None)
                or action.content_hash,
                reborn=None,
                reborn_stamp=None,
                conflict=None,
                problems=(),
                held=None,
                proposed=False,
            )
            for action in claimed
            if current.get(action.key) is not None
        ]
        return [action for action in pushes if action is not None]

    def with_rdvs(self, actions):
        """The claims the plan made (see listing.claims) with their RDV as
        Odoo has it (its key and stamp) and the version now stored for their
        pair (what a pull of this run stored: the claim changes no content); a
        claim whose RDV is gone, or whose pull failed, is left for the event's
        next listing."""
        wanted = [a.key for a in actions if a.kind == Kind.CLAIM_REMOTE and a.rdv is None]
        if not wanted:
            return actions
        failed = {
            result.action.key
            for result in self.results
            if result.action.side == ODOO and result.outcome != Outcome.DONE
        }
        try:
            current = self.local.get_rdvs(wanted)
            stored = self.local.load_states()
        except Exception:  # pylint: disable=broad-except
            current, stored = {}, {}  # claimed at the event's next listing
        ready = []
        for action in actions:
            if action.kind == Kind.CLAIM_REMOTE and action.rdv is None:
                if current.get(action.key) is None or action.key in failed:
                    continue
                state = stored.get(action.key)
                action = replace(
                    action,
                    rdv=current[action.key],
                    content_hash=state.content_hash if state else action.content_hash,
                )
            ready.append(action)
        return ready

    def to_claim(self):
        """The events made RDVs in this sync (on the phone, or ours come back,
        see pair.reborn), by their new key: each is written once with our
        private properties, its content untouched, so that it names its RDV
        (key and stamp) when the pair is lost (the connector installed again,
        a database restored). Plain events only: an occurrence would become
        an exception, and a series written back may carry a rule Google
        stored but refuses to take again (a phone's series is not claimed:
        see Known limits in README.md)."""
        return [
            replace(result.action, key=result.key)
            for result in self.results
            if result.outcome == Outcome.DONE
            and result.action.kind == Kind.CREATE_LOCAL
            and result.key
            and not result.action.series_event_id
            and result.action.rdv is not None
            and not result.action.rdv.is_exception
            and not result.action.rdv.is_series
        ]

    # -- Google side -------------------------------------------------------------
    def to_write(self, action):
        """The client :class:`Write` for a Google-side action."""
        db = self.settings.database_uuid
        if action.kind == Kind.DELETE_REMOTE:
            return Write("delete", action.event_id, etag=action.etag)
        if action.kind == Kind.CLAIM_REMOTE:
            body = claim_body(action.rdv, db, content_hash(action.rdv))
            return Write("patch", action.event_id, body, action.etag)
        if action.kind == Kind.RELEASE_REMOTE or action.rdv is None:  # no RDV there any more
            return Write("patch", action.event_id, {"status": "cancelled"}, action.etag)
        if action.kind == Kind.CREATE_REMOTE and not action.rdv.is_exception:
            return Write(
                "insert", action.event_id, rdv_to_event(action.rdv, db, event_id=action.event_id)
            )
        body = rdv_to_event(action.rdv, db, for_patch=True)
        if action.guests is not None:
            body["attendees"] = attendees_body(action.guests)
        return Write("patch", action.event_id, body, action.etag)

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
            if result.ok and action.series_move:
                self.moved(action, (result.event or {}).get("etag"))
            elif result.ok:
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
        for action, _etag in done:
            if not action.keeps_state:
                self.report(action, Outcome.DONE)
        done = [(action, etag) for action, etag in done if action.keeps_state]
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

    def moved(self, action, etag):
        """A write of a series' move is done: its state waits for the others'."""
        self.moving.setdefault(action.series_move, []).append((action, etag))

    def save_moves(self):
        """Store the states of each moved series' occurrences together, when
        no write of its move is to retry; otherwise none (the next sync plans
        the same writes again from the same states). A write Google refuses
        for good does not hold the others back: it is reported on its RDV,
        whose pair stays where it was."""
        for series_key, done in sorted(self.moving.items()):
            if series_key in self.move_failed:
                for action, _etag in done:
                    self.report(
                        action,
                        Outcome.RETRY,
                        "written, not stored: other occurrences of the moved series "
                        "are not written yet",
                    )
            else:
                self.saved_remote_batch(done)
        self.moving = {}

    def saved_remote(self, action, etag):
        """Store the state of a pair whose Google side was written."""
        if action.series_move:
            self.moved(action, etag)
            return
        if not action.keeps_state:
            self.report(action, Outcome.DONE)
            return
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
            write.method == "delete"
            or action.ends_pair
            or action.kind in (Kind.CANCEL_REMOTE, Kind.RELEASE_REMOTE)
        ):
            self.saved_remote(action, None)
            return []
        if action.kind == Kind.CLAIM_REMOTE:
            # Changed (or gone) in Google since it was listed: the next sync
            # lists that change with the pair's state; the event stays as the
            # phone made it, never decided again without its state.
            self.report(action, Outcome.DONE, "not claimed: %s %s" % (status, result.reason))
            return []
        if status == 404 and action.kind == Kind.UPDATE_REMOTE and not _is_exception(action):
            return [replace(action, kind=Kind.CREATE_REMOTE, etag=None)]
        if action.kind == Kind.RELEASE_REMOTE and status == 412:
            # The occurrence left changed in Google since it was listed: the
            # next sync lists that change and decides with it.
            self.report(action, Outcome.RETRY, "changed in Google since it was listed")
            return []
        if status not in (409, 412):
            self.report(action, Outcome.FAILED, "%s %s" % (status, result.reason))
            return []
        try:
            event = self.client.get_event(self.calendar_id, action.event_id)
        except GoogleError as exc:
            self.report(action, Outcome.RETRY, "reading the event failed: %s" % exc)
            return []
        if status == 409 and (
            owner_of(event) != (self.settings.database_uuid, action.key)
            or made_for_another(action.rdv, event)
        ):
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
    """Apply ``plan`` (a :class:`.actions.Plan`) and return its ItemResults.

    ``states`` (the ones the plan was made from) let a 412 be decided again.
    ``budget``: how many more Google calls this run may send; the Google
    writes beyond it are DEFERRED (whole batches), for a later run.
    A stopped plan does nothing. Raises only ``ReconnectNeeded``.
    """
    run = _Run(client, calendar_id, local, settings, states, budget)
    if plan.stopped:
        return []
    _apply(run, plan.actions, follow_up=True)
    run.save_moves()
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
    remote = run.with_rdvs(run.post_conflicts([a for a in actions if a.side == GOOGLE]))
    remote += run.restorations(local)
    later += run.write_remote([a for a in remote if not _is_exception(a)], follow_up)
    later += run.write_remote([a for a in remote if _is_exception(a)], follow_up)
    if later:
        _apply(run, later, follow_up=False)
