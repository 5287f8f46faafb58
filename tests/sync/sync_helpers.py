"""Test doubles and helpers for the sync core tests.

``MemoryOdoo`` stands in for the Odoo layer (a test double of Odoo, not of the
sync core): RDVs, pair states and the sync token in dicts, implementing the
``LocalSide`` protocol with the durability contract (each write is atomic).
Everything else the tests use is real: the plan, the executor, the client,
googleapiclient, google-auth and the emulator over HTTP.
"""

import itertools
from collections import defaultdict
from copy import deepcopy
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httplib2
from dateutil.rrule import rruleset, rrulestr
from sync.actions import Kind, SyncSettings
from sync.backoff import Backoff
from sync.content_hash import content_hash
from sync.credentials import make_credentials
from sync.google_client import GoogleClient
from sync.rdv import Rdv, status_of

PARIS = ZoneInfo("Europe/Paris")
DB = "3f2a9c1e-odoo-db"
EMAIL = "tech@example.com"
CLIENT_ID = "odoo-client"
CLIENT_SECRET = "odoo-secret"


class FakeClock:
    """A clock that only moves when the code sleeps: backoff without waiting."""

    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def time(self):
        """Current fake time."""
        return self.now

    def sleep(self, seconds):
        """Record the pause and move the clock."""
        self.sleeps.append(seconds)
        self.now += seconds


def fast_backoff(clock=None, **kwargs):
    """A Backoff on a FakeClock (returns it; the clock is ``backoff.clock.__self__``)."""
    clock = clock or FakeClock()
    return Backoff(sleep=clock.sleep, clock=clock.time, **kwargs)


def new_client(emu, email=EMAIL, backoff=None, timeout=5.0, http=None):
    """A GoogleClient for ``email`` against the emulator (account and client made)."""
    if CLIENT_ID not in emu.oauth.clients:
        emu.add_client(CLIENT_ID, CLIENT_SECRET, [])
    emu.add_account(email)
    tokens = emu.mint_token(email, client_id=CLIENT_ID)
    credentials = make_credentials(
        tokens["access_token"],
        tokens["refresh_token"],
        CLIENT_ID,
        CLIENT_SECRET,
        token_uri=emu.token_uri,
    )
    return GoogleClient(
        credentials,
        api_endpoint=emu.api_endpoint,
        timeout=timeout,
        backoff=backoff or fast_backoff(),
        http=http,
    )


def settings(**kwargs):
    """SyncSettings for the test database."""
    return SyncSettings(database_uuid=DB, **kwargs)


def at(day, hour=9, minute=0, month=6, year=2024):
    """An aware Paris datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


def occurrence_starts(master, limit=400):
    """The original starts of a series (its RRULE/EXRULE/RDATE/EXDATE lines
    expanded with dateutil in its zone, as Odoo's planning does): aware
    datetimes, or dates for an all-day series."""
    if master.all_day:
        dtstart = datetime(master.start.year, master.start.month, master.start.day)
    else:
        dtstart = master.start.astimezone(ZoneInfo(master.tz))
    rules = rruleset()
    rules.rdate(dtstart)
    for line in master.recurrence:
        name, _, value = line.partition(":")
        name = name.split(";")[0].upper()
        if name in ("RRULE", "EXRULE"):
            rule = rrulestr(value, dtstart=dtstart)
            (rules.rrule if name == "RRULE" else rules.exrule)(rule)
    starts = []
    for start in rules:
        if len(starts) >= limit:
            break
        starts.append(start.date() if master.all_day else start)
    return starts


def _hash(rdv):
    try:
        return content_hash(rdv)
    except ValueError:
        return None


class MemoryOdoo:
    """The Odoo side in memory: a LocalSide with atomic writes."""

    def __init__(self):
        self.rdvs = {}
        self.states = {}
        self.token = None
        self.chatter = defaultdict(list)
        self.conflicts = []
        self.written = []  # (kind, key, rdv) of every sync write
        self._ids = itertools.count(1)
        self.given = 0  # the last id given
        # Stamp each RDV with its creation, as Odoo does (off by default: the
        # other tests name events after unstamped keys).
        self.stamps = False
        # RDVs of other technicians' calendars, by key: only never_had sees them.
        self.others = {}
        self.now = datetime(2024, 1, 1, tzinfo=timezone.utc)
        # Edited since the last complete sync (as Odoo's watermark finds them):
        # an edit the content hash does not see (a cancelled RDV moved) counts.
        self.edited = set()
        self.regular = {}  # regular occurrences reported, by key (see regular_occurrences)
        # (series key, original start) of the occurrences deleted in Odoo: as
        # each is a record there, none is at that start any more.
        self.unlinked = set()
        self.proposals = {}  # key -> the pending proposal: {"proposed", "held", "creation"}
        self.decided = []  # (key, proposal, "accepted" or "refused")

    # -- the planner, in Odoo ----------------------------------------------------------
    def accept(self, key):
        """The planner accepts the pending proposal of RDV ``key``: the RDV
        takes the proposed appointment (a deletion cancels it)."""
        proposal = self.proposals.pop(key)
        self.decided.append((key, proposal, "accepted"))
        proposed = proposal["proposed"]
        if proposed is None:
            self.edit(key, state="cancel")
            return
        current = self.rdvs[key]
        state = current.state if status_of(current.state) == proposed.status else proposed.state
        if proposal["creation"]:
            state = "confirm"
        self.edit(
            key,
            summary=proposed.summary,
            location=proposed.location,
            start=proposed.start,
            end=proposed.end,
            all_day=proposed.all_day,
            state=state,
        )

    def refuse(self, key):
        """The planner refuses it: a creation is cancelled; otherwise the RDV's
        generated block tells the technician, which puts the event back."""
        proposal = self.proposals.pop(key)
        self.decided.append((key, proposal, "refused"))
        if proposal["creation"]:
            self.edit(key, state="cancel")
            return
        current = self.rdvs[key]
        self.edit(key, description="%s [refused %d]" % (current.description, len(self.decided)))

    # -- the user, in Odoo ----------------------------------------------------------
    def _next_key(self):
        self.given = next(self._ids)
        return str(self.given)

    def tick(self):
        """A write date that grows with every user edit."""
        self.now += timedelta(seconds=1)
        return self.now

    def create(self, **fields):
        """Create an RDV as a user would; returns its key."""
        key = self._next_key()
        fields.setdefault("summary", "RDV %s" % key)
        fields.setdefault("start", at(3))
        fields.setdefault("end", fields["start"] + timedelta(hours=1))
        self.rdvs[key] = Rdv(key=key, write_date=self.tick(), **fields)
        if self.stamps:
            self.rdvs[key] = replace(self.rdvs[key], stamp=self.now.isoformat())
        return key

    def edit(self, key, **fields):
        """Change an RDV as a user would."""
        self.rdvs[key] = replace(self.rdvs[key], write_date=self.tick(), **fields)
        self.edited.add(key)

    def unlink(self, key):
        """Delete an RDV (its state stays until the deletion is synced)."""
        rdv = self.rdvs.pop(key)
        if rdv.series_key is not None and rdv.original_start is not None:
            self.unlinked.add((rdv.series_key, rdv.original_start))

    def active(self):
        """RDVs that are not cancelled, by key."""
        return {k: r for k, r in self.rdvs.items() if not r.cancelled}

    # -- LocalSide ------------------------------------------------------------------
    def load_sync_token(self):
        """LocalSide."""
        return self.token

    def save_sync_token(self, token):
        """LocalSide."""
        self.token = token
        self.edited.clear()

    def load_states(self):
        """LocalSide."""
        return dict(self.states)

    def changed_rdvs(self):
        """LocalSide: RDVs whose hash differs from their state, and deletions."""
        out = {
            key: rdv
            for key, rdv in self.rdvs.items()
            if key not in self.states
            or _hash(rdv) != self.states[key].content_hash
            or key in self.edited
        }
        out.update({key: None for key in self.states if key not in self.rdvs})
        return out

    def all_rdvs(self):
        """LocalSide."""
        return dict(self.rdvs)

    def get_rdvs(self, keys):
        """LocalSide. A regular occurrence Odoo holds is an RDV there, with a
        pair or not (see regular_occurrences)."""
        found = {key: self.rdvs[key] for key in keys if key in self.rdvs}
        starts = {}
        for key in keys:
            series_key, _, start = key.partition("@")
            master = self.rdvs.get(series_key)
            if key in found or not start or master is None or not master.is_series:
                continue
            for occurrence in occurrence_starts(master):
                if occurrence.isoformat() == start:
                    starts.setdefault(series_key, []).append(occurrence)
        if starts:
            found.update(
                (key, rdv) for key, rdv in self.regular_occurrences(starts).items() if key in keys
            )
        return found

    def never_had(self, keys, stamps):
        """LocalSide: keys beyond the last one given (a plain key is a number),
        or given to an RDV whose stamp is not the event's."""
        lost = []
        for key in keys:
            rdv, stamp = self.rdvs.get(key) or self.others.get(key), stamps.get(key)
            if key.isdigit() and int(key) > self.given:
                lost.append(key)
            elif rdv is not None and rdv.stamp and stamp and rdv.stamp != stamp:
                lost.append(key)
        return lost

    # -- a backup and its restore --------------------------------------------------
    def backup(self):
        """What a restore brings back: RDVs, states, the token, the ids given."""
        return deepcopy(
            (
                self.rdvs,
                self.states,
                self.token,
                self.given,
                self.edited,
                self.chatter,
                self.unlinked,
            )
        )

    def restore(self, backup):
        """The database as it was at ``backup``: what was done since is lost,
        and the ids given since are given again."""
        (
            self.rdvs,
            self.states,
            self.token,
            given,
            self.edited,
            self.chatter,
            self.unlinked,
        ) = deepcopy(backup)
        self._ids = itertools.count(given + 1)
        self.given = given

    def regular_occurrences(self, starts):
        """LocalSide: the series' regular occurrences at these original starts.
        Odoo holds each occurrence as an RDV; this double makes one when it
        gets a state (see save_state), its key named after its start."""
        found = {}
        for series_key, wanted in starts.items():
            master = self.rdvs.get(series_key)
            if master is None or not master.is_series:
                continue
            taken = [r.original_start for r in self.rdvs.values() if r.series_key == series_key]
            taken += [start for key, start in self.unlinked if key == series_key]
            duration = master.end - master.start
            for start in occurrence_starts(master):
                if start in wanted and start not in taken:
                    key = "%s@%s" % (series_key, start.isoformat())
                    found[key] = replace(
                        master,
                        key=key,
                        recurrence=(),
                        series_key=series_key,
                        original_start=start,
                        start=start,
                        end=start + duration,
                    )
        self.regular.update(found)
        return found

    def write_rdv(self, action):
        """LocalSide: apply a pulled change and its state together."""
        if action.kind == Kind.PROPOSE:
            return self._propose(action)
        if action.kind == Kind.CREATE_LOCAL:
            key = self._next_key()
            stamp = self.tick().isoformat() if self.stamps else None
            self.rdvs[key] = replace(action.rdv, key=key, stamp=stamp)
            if action.reborn:
                self.chatter[key].append("came back from Google, made for %s" % action.reborn)
        else:
            key = action.key
            current = self.rdvs.get(key)
            if current is None:  # as Odoo: a version for a deleted RDV cannot be taken
                raise ValueError("RDV %s is gone" % key)
            if action.kind == Kind.CANCEL_LOCAL:
                if current is not None:
                    self.rdvs[key] = replace(current, state="cancel")
            else:
                new = replace(action.rdv, key=key)
                if current is not None and status_of(current.state) == new.status:
                    new = replace(new, state=current.state)
                if current is not None and new.series_key is None:
                    new = replace(new, series_key=current.series_key)
                self.rdvs[key] = new
        self.states[key] = action.state_after(key)
        self.written.append((action.kind, key, action.rdv))
        if action.proposed:  # a draft made from the phone: its confirmation proposed
            self.proposals[key] = {"proposed": action.rdv, "held": None, "creation": True}
        self._post(key, action.conflict)
        return key

    def _propose(self, action):
        """LocalSide: keep Google's version for the planner (it replaces the
        pending one) and store the pair with the RDV's own content."""
        key = action.key
        if key in self.regular and key not in self.rdvs:
            self.rdvs[key] = self.regular.pop(key)  # a regular occurrence with a pair now
        current = self.rdvs.get(key)
        if current is None:
            raise ValueError("RDV %s is gone" % key)
        self.proposals[key] = {"proposed": action.rdv, "held": action.held, "creation": False}
        self.states[key] = replace(action.state_after(key), content_hash=_hash(current))
        self.written.append((action.kind, key, action.rdv))
        return key

    def write_rdvs(self, actions):
        """LocalSide: each through write_rdv (so that tests replacing it see
        every write); a crash (BaseException) stops the batch."""
        answers = []
        for action in actions:
            try:
                answers.append(self.write_rdv(action))
            except Exception as exc:  # pylint: disable=broad-except
                answers.append(exc)
        return answers

    def save_states(self, states):
        """LocalSide: each through save_state, as write_rdvs."""
        answers = []
        for key, state in states:
            try:
                self.save_state(key, state)
                answers.append(None)
            except Exception as exc:  # pylint: disable=broad-except
                answers.append(exc)
        return answers

    def save_state(self, key, state):
        """LocalSide."""
        if state is not None and key in self.regular and key not in self.rdvs:
            self.rdvs[key] = self.regular.pop(key)  # a regular occurrence with a pair now
        if state is None:
            self.states.pop(key, None)
        else:
            self.states[key] = state

    def post_conflict(self, key, conflict):
        """LocalSide."""
        self._post(key, conflict)

    def _post(self, key, conflict):
        if conflict is not None:
            self.conflicts.append((key, conflict))
            self.chatter[key].append(
                "conflict: %s wins, %s version: %r"
                % (conflict.winner, conflict.loser, conflict.loser_rdv)
            )


class LosingHttp(httplib2.Http):
    """An httplib2.Http whose answers can get lost *after* Google applied the
    request (a timeout on the way back): ``lose_next`` requests to a URL
    containing ``lose_match`` raise a socket timeout once they are done."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lose_next = 0
        self.lose_match = "/batch/"
        self.lost = 0

    def request(self, uri, *args, **kwargs):  # pylint: disable=arguments-differ
        response = super().request(uri, *args, **kwargs)
        if self.lose_next > 0 and self.lose_match in uri:
            self.lose_next -= 1
            self.lost += 1
            raise TimeoutError("timed out (answer lost after the request was applied)")
        return response
