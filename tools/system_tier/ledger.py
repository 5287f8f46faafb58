"""What the harness did and knows, shared by its threads: every edit with the title of its
own it wrote (``ST-o00042`` from Odoo, ``ST-g00043`` from the phone), which is what makes a
lost edit decidable; the RDVs as the planners see them; and the verdict so far."""

import threading
import time

from .common import log


class Edit:
    """One change made on one side: its own title (None for a deletion), what it started
    from on the phone (``base``: the version its If-Match named), the start it wrote
    (``start``, None when it wrote none), whether the request may not have run
    (``uncertain``: interrupted by a kill; the checks resolve it from what each side
    shows), and whether it was made on the phone of a technician whose changes are
    proposed (``proposed``: expected to become a proposal, never to change the RDV)."""

    __slots__ = (
        "seq",
        "side",
        "kind",
        "rdv_id",
        "tech",
        "event_id",
        "title",
        "base",
        "when",
        "uncertain",
        "start",
        "proposed",
    )

    def __init__(
        self,
        seq,
        side,
        kind,
        title,
        rdv_id=None,
        tech=None,
        event_id=None,
        base=None,
        uncertain=False,
        start=None,
        proposed=False,
    ):
        self.seq, self.side, self.kind, self.title = seq, side, kind, title
        self.rdv_id, self.tech, self.event_id = rdv_id, tech, event_id
        self.base, self.uncertain = base, uncertain
        self.start, self.proposed = start, proposed
        self.when = time.monotonic()


class Ledger:
    """The edits, the RDVs (id -> {"title", "techs", "cancelled"}), the count of edits
    done, which the killer waits on; the technicians whose phone changes are proposed
    (``proposing``, their indexes), the RDVs a planner marked done (``done``: id ->
    {"name", "date", "when"}, what the RDV held once done) and the RDVs a planner is
    acting on (``claimed``: one planner at a time moves, decides or finishes an RDV)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.edits = []
        self.seq = 0
        self.rdvs = {}
        self.done_edits = 0
        self.edit_cond = threading.Condition()
        self.proposing = set()
        self.done = {}
        self.claimed = set()

    def next_title(self, side):
        """A title never written before, and its number."""
        with self.lock:
            self.seq += 1
            return "ST-%s%05d" % ("o" if side == "odoo" else "g", self.seq), self.seq

    def add_edit(self, edit):
        with self.lock:
            self.edits.append(edit)
        with self.edit_cond:
            self.done_edits += 1
            self.edit_cond.notify_all()

    def live_rdvs(self):
        """The ids of the RDVs not cancelled."""
        with self.lock:
            return [rid for rid, r in self.rdvs.items() if not r["cancelled"]]

    def open_rdvs(self):
        """The ids of the RDVs a planner may still change: not cancelled, not done, not
        in another planner's hands."""
        with self.lock:
            return [
                rid
                for rid, r in self.rdvs.items()
                if not r["cancelled"] and rid not in self.done and rid not in self.claimed
            ]

    def claim(self, rdv_id):
        """The RDV in this planner's hands; False when another planner holds it."""
        with self.lock:
            if rdv_id in self.claimed:
                return False
            self.claimed.add(rdv_id)
            return True

    def unclaim(self, rdv_id):
        with self.lock:
            self.claimed.discard(rdv_id)

    def mark_done(self, rdv_id, name, date):
        """The RDV is done, holding ``name`` at ``date``: what it must keep."""
        with self.lock:
            self.done[rdv_id] = {"name": name, "date": date, "when": time.monotonic()}

    def wait_edits(self, count, stop, deadline):
        """Until ``count`` edits are done, ``stop`` is set or ``deadline`` passed."""
        with self.edit_cond:
            while self.done_edits < count and not stop.is_set() and time.monotonic() < deadline:
                self.edit_cond.wait(1)

    def release(self, count):
        """Count at least ``count`` edits done: what waits on them goes on now."""
        with self.edit_cond:
            self.done_edits = max(self.done_edits, count)
            self.edit_cond.notify_all()


class Report:
    """One mode's verdict: its failures, its notes, and the figures of its table row."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures = []
        self.notes = []
        self.row = {}

    def fail(self, text):
        with self.lock:
            self.failures.append(text)
        log("  FAIL: " + text)

    def note(self, text):
        self.notes.append(text)
