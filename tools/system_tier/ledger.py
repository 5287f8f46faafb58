"""What the harness did and knows, shared by its threads: every edit with the title of its
own it wrote (``ST-o00042`` from Odoo, ``ST-g00043`` from the phone), which is what makes a
lost edit decidable; the RDVs as the planners see them; and the verdict so far."""

import threading
import time

from .common import log


class Edit:
    """One change made on one side: its own title (None for a deletion), what it started
    from on the phone (``base``: the version its If-Match named), and whether the request
    may not have run (``uncertain``: interrupted by a kill; the checks resolve it from what
    each side shows)."""

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
    ):
        self.seq, self.side, self.kind, self.title = seq, side, kind, title
        self.rdv_id, self.tech, self.event_id = rdv_id, tech, event_id
        self.base, self.uncertain = base, uncertain
        self.when = time.monotonic()


class Ledger:
    """The edits, the RDVs (id -> {"title", "techs", "cancelled"}) and the count of edits
    done, which the killer waits on."""

    def __init__(self):
        self.lock = threading.Lock()
        self.edits = []
        self.seq = 0
        self.rdvs = {}
        self.done_edits = 0
        self.edit_cond = threading.Condition()

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
