"""The judging of one run, from what the checks read (no server, no HTTP): where each
edit ended, the interrupted edits neither side can show, and the bounds a run is held to
(unresolved edits, workload errors, the edits, faults and kills it was asked for).

An edit is *kept* when it is still somewhere a person can see it, *lost* when it reached
a side and is nowhere. A write interrupted by a kill is resolved from both sides: when
either shows it arrived, it is judged like any other; when its RDV's name tracking (which
Odoo writes in the write's own transaction) never shows it, it was *rolled back* and is
no edit; only what neither side can show (its RDV gone) is *unresolved*, excused up to a
bound. Deletions are judged
by the state of the RDV, never by the words of a message.

A change on the phone of a technician whose changes are proposed is judged as a proposal:
it is *kept* when a proposal of it exists (in any state), when a later change of that
phone started from it (superseded before a sync read it), or when its RDV was finished and
the sync put it back. An RDV such a phone changed holds the phone's version only once a
planner accepted it; an RDV marked done keeps what it held then, on both sides."""

import re

from .common import CANCELLED_STATES, utc

# At most this many interrupted edits per server restart may stay unresolved: a SIGKILL
# interrupts the requests in flight, and the planners pause between theirs, so more than
# one write caught by a kill (and rolled back) is rare; more means edits disappear.
UNRESOLVED_PER_RESTART = 1
# Workload errors that are not a request cut by a restart (an Odoo error answered to a
# planner, a phone request refused, a harness traceback): none is expected.
OTHER_ERRORS_MAX = 0
# o: written in Odoo, g: on a phone, f: an RDV of a technician without a login made
# before the load (field_techs.seed_rdvs); all numbered by the ledger
TITLE = re.compile(r"^ST-[ogf](\d+)$")
# The states of an RDV Google may no longer change: the sync puts a phone's change back.
FINISHED_STATES = ("done", "cancel")


def title_seq(title):
    """The number of a tier title (``ST-o00042`` -> 42), else None."""
    match = TITLE.match(title or "")
    return int(match.group(1)) if match else None


class EditCheck:
    """Where an edit may still be: the final title, a chatter message of its RDV (a
    conflict's loser), a later phone edit that started from it (seen by the other side),
    the name tracking of a later write (overwritten on its own side while Odoo still had
    it). ``tracked_old`` / ``tracked_new``: per RDV, the titles the name tracking shows
    replaced / written; ``google_titles``: every title the phones ever listed;
    ``proposals``: per RDV, its proposals ({"state", "kind", "proposed_name"})."""

    def __init__(
        self,
        edits,
        rdvs,
        bodies,
        tracked_old,
        tracked_new=None,
        google_titles=(),
        proposals=None,
    ):
        self.edits, self.rdvs = edits, rdvs
        self.proposals = proposals or {}
        self.bodies, self.tracked = bodies, tracked_old
        self.tracked_new = tracked_new or {}
        self.google_titles = set(google_titles)
        self.seen_by_phone = {}  # rdv id or (tech, event) -> titles a phone edit started from
        self.versions = {}  # rdv id -> (number, side, tech) of the edits that changed it
        for edit in edits:
            if edit.rdv_id is not None and edit.kind != "delete":
                self.versions.setdefault(edit.rdv_id, []).append((edit.seq, edit.side, edit.tech))
            if edit.side != "google" or edit.base is None:
                continue
            for ref in (edit.rdv_id, (edit.tech, edit.event_id)):
                if ref is not None:
                    self.seen_by_phone.setdefault(ref, set()).add(edit.base)

    def verdict(self, edit):
        """ "kept", "lost", "rolled back" (an interrupted write the database shows never
        committed) or "unresolved" (an interrupted write neither side can show)."""
        rid = edit.rdv_id
        rdv = self.rdvs.get(rid) if rid is not None else None
        if edit.uncertain and not self.reached(edit):
            # Odoo writes the name's tracking in the write's own transaction: an RDV
            # whose tracking never shows the title written never had that write.
            return "rolled back" if rdv is not None and edit.side == "odoo" else "unresolved"
        if edit.side == "google" and edit.proposed:
            ok = self.proposal_kept(edit, rdv)
        elif edit.kind == "delete":
            ok = self.delete_kept(edit, rdv)
        elif edit.kind == "cancel":
            ok = rdv is not None and rdv["state"] in CANCELLED_STATES
            ok = ok and self.title_kept(edit, rid, rdv)
        else:
            ok = self.title_kept(edit, rid, rdv)
        return "kept" if ok else "lost"

    def reached(self, edit):
        """An interrupted Odoo write shows on a side: its RDV holds its title or the name
        tracking shows it written or replaced, a message carries it, a phone started an
        edit from it, or a phone listed an event with it (Google has titles from Odoo
        only through a sync of what Odoo committed)."""
        rid, title = edit.rdv_id, edit.title
        if title is None:
            return False
        rdv = self.rdvs.get(rid) if rid is not None else None
        return bool(
            (rdv is not None and rdv["name"] == title)
            or title in self.tracked.get(rid, ())
            or title in self.tracked_new.get(rid, ())
            or title in self.bodies.get(rid, "")
            or title in self.seen_by_phone.get(rid, ())
            or title in self.google_titles
        )

    def delete_kept(self, edit, rdv):
        """A phone deletion is kept when its RDV is cancelled (or never existed); the
        RDV may stay only when Odoo held a version this phone never saw (an edit of the
        RDV numbered after the deleted title, by a planner or another technician's
        phone): the conflict policy ("odoo") restores it."""
        if rdv is None:
            # never linked: only fine when no live RDV carries the deleted title
            return not any(
                r["name"] == edit.base and r["state"] not in CANCELLED_STATES
                for r in self.rdvs.values()
            )
        if rdv["state"] in CANCELLED_STATES or rdv["state"] == "done":
            return True  # done: the sync puts a finished RDV's event back
        base = title_seq(edit.base)
        return base is not None and any(
            seq > base and (side == "odoo" or tech != edit.tech)
            for seq, side, tech in self.versions.get(edit.rdv_id, ())
        )

    def proposal_kept(self, edit, rdv):
        """A change on the phone of a technician whose changes are proposed is kept when
        it has an outcome (:meth:`proposal_outcome`)."""
        return self.proposal_outcome(edit, rdv) is not None

    def proposal_outcome(self, edit, rdv):
        """What became of a change on a proposing phone: "proposal" (a proposal of it; a
        deletion: a cancellation proposed), "superseded" (a later change of that phone
        started from it), "put back" (its RDV finished, the change in its chatter; a
        deletion: the RDV finished), "never linked" (an event the phone made and deleted
        before any sync); None: lost."""
        rid = edit.rdv_id
        proposals = self.proposals.get(rid, ()) if rid is not None else ()
        if edit.kind == "delete":
            if rdv is None:
                return "never linked" if self.delete_kept(edit, rdv) else None
            if any(p["kind"] == "cancel" for p in proposals):
                return "proposal"
            return "put back" if rdv["state"] in FINISHED_STATES else None
        if any(p["proposed_name"] == edit.title for p in proposals):
            return "proposal"
        if edit.title in self.seen_by_phone.get((edit.tech, edit.event_id), ()):
            return "superseded"
        if rdv is None:
            return "never linked" if self.deleted_on_phone(edit) else None
        if rdv["state"] in FINISHED_STATES and edit.title in self.bodies.get(rid, ""):
            return "put back"
        return None

    def deleted_on_phone(self, edit):
        """The phone deleted the event of this edit later (it never reached Odoo)."""
        return any(
            e.side == "google" and e.kind == "delete" and e.event_id == edit.event_id
            for e in self.edits
        )

    def title_kept(self, edit, rid, rdv):
        title = edit.title
        if (
            (rdv is not None and rdv["name"] == title)
            or title in self.bodies.get(rid, "")
            or title in self.tracked.get(rid, ())
            or title in self.seen_by_phone.get(rid, ())
            or title in self.seen_by_phone.get((edit.tech, edit.event_id), ())
        ):
            return True
        if edit.side == "google" and rdv is None:
            # never reached Odoo: fine only if the phone itself deleted it later
            return self.deleted_on_phone(edit)
        return False


def unaccepted_moves(rdvs, edits, proposals, rdv_ids):
    """The RDVs among ``rdv_ids`` (those of a technician whose changes are proposed)
    holding a version that a proposing phone wrote and no planner accepted, or whose
    start is not the one their title's version wrote (titles are the edits' own: the
    title names the version). A version the RDV was created with is no move.
    ``proposals``: per RDV, its proposals ({"state", "kind", "proposed_name"}). A list
    of (RDV id, what is wrong)."""
    by_title = {e.title: e for e in edits if e.title}
    out = []
    for rid in sorted(rdv_ids):
        rdv = rdvs.get(rid)
        version = by_title.get(rdv["name"]) if rdv else None
        if version is None:
            continue
        if version.side == "google" and version.proposed and version.kind == "move":
            # accepted, or the RDV was made from it (a creation proposed: the phone's
            # event, moved before any sync, was read once with this version)
            accepted = any(
                p["proposed_name"] == rdv["name"]
                and (p["state"] == "accepted" or p["kind"] == "creation")
                for p in proposals.get(rid, ())
            )
            if not accepted:
                text = "RDV %s holds %r, proposed from a phone and never accepted"
                out.append((rid, text % (rid, rdv["name"])))
                continue
        if version.start is not None and utc(rdv["date"]) != utc(version.start):
            text = "RDV %s is %r at %s, but %r was written at %s"
            out.append((rid, text % (rid, rdv["name"], rdv["date"], rdv["name"], version.start)))
    return out


def accepted_not_applied(proposals, rdvs, written):
    """The proposals the database says accepted that their RDV never took (an
    acceptance interrupted by a kill is resolved this way: the acceptance writes the
    RDV and the proposal's state in one transaction): a change's title is the RDV's or
    in its name tracking (``written``: per RDV, the titles written), a cancellation's
    RDV is cancelled, a creation's is no longer a draft."""
    out = []
    for rid, rows in sorted(proposals.items()):
        rdv = rdvs.get(rid)
        for row in rows:
            if row["state"] != "accepted" or rdv is None:
                continue
            if row["kind"] == "cancel":
                taken = rdv["state"] in CANCELLED_STATES
            elif row["kind"] == "creation":
                taken = rdv["state"] != "draft"
            else:
                name = row["proposed_name"]
                taken = rdv["name"] == name or name in written.get(rid, ())
            if not taken:
                out.append(
                    "proposal %s (%s %r) accepted, RDV %s never took it (now %s %r)"
                    % (
                        row.get("id"),
                        row["kind"],
                        row["proposed_name"],
                        rid,
                        rdv["state"],
                        rdv["name"],
                    )
                )
    return out


def changed_done(done, rdvs, events=None):
    """The RDVs marked done (``done``: id -> {"name", "date"}, what each held then) that
    no longer hold it in Odoo, or whose live events (``events``: id -> [(who, title,
    start)]) show something else."""
    out = []
    for rid, held in sorted(done.items()):
        rdv = rdvs.get(rid)
        if rdv is None:
            out.append("done RDV %s is gone" % rid)
            continue
        now = (rdv["state"], rdv["name"], utc(rdv["date"]))
        if now != ("done", held["name"], utc(held["date"])):
            out.append(
                "done RDV %s was %r at %s, is now %s %r at %s"
                % (rid, held["name"], held["date"], rdv["state"], rdv["name"], rdv["date"])
            )
        for who, title, start in (events or {}).get(rid, ()):
            if (title, utc(start)) != (held["name"], utc(held["date"])):
                out.append(
                    "done RDV %s %r at %s shows %r at %s in %s's calendar"
                    % (rid, held["name"], held["date"], title, start, who)
                )
    return out


def put_back(done, edits):
    """The phone changes made on RDVs after they were marked done: the sync must put
    each back."""
    return [
        e
        for e in edits
        if e.side == "google"
        and e.kind in ("move", "delete")
        and e.rdv_id in done
        and e.when > done[e.rdv_id]["when"]
    ]


def proposal_figures(rows):
    """Proposals by state ({"made", "accepted", "refused", ...}) from their rows."""
    out = {"made": len(rows)}
    for row in rows:
        out[row["state"]] = out.get(row["state"], 0) + 1
    return out


def bound_failures(counts):
    """The failures of a run's figures against what it was asked and the tier's bounds.
    ``counts``: asked_edits, edits (done by the load), asked_kills, kills, restarts
    (kills and hang restarts), fault_rate, faults (injected), unresolved, people (planners
    and technicians: the requests one restart may cut), outage_errors (requests cut by a
    restart), other_errors."""
    out = []
    if counts["edits"] < counts["asked_edits"]:
        out.append("%d edits done, %d asked" % (counts["edits"], counts["asked_edits"]))
    if counts["kills"] < counts["asked_kills"]:
        out.append("%d kills done, %d asked" % (counts["kills"], counts["asked_kills"]))
    if counts["fault_rate"] > 0 and not counts["faults"]:
        out.append("no Google fault injected (fault rate %.2f asked)" % counts["fault_rate"])
    limit = UNRESOLVED_PER_RESTART * counts["restarts"]
    if counts["unresolved"] > limit:
        out.append(
            "%d interrupted edits neither side shows (limit %d: %d per restart)"
            % (counts["unresolved"], limit, UNRESOLVED_PER_RESTART)
        )
    cut = counts["people"] * counts["restarts"]
    if counts["outage_errors"] > cut:
        out.append(
            "%d workload requests cut by restarts (limit %d: one per person per restart)"
            % (counts["outage_errors"], cut)
        )
    if counts["other_errors"] > OTHER_ERRORS_MAX:
        out.append("%d workload errors (limit %d)" % (counts["other_errors"], OTHER_ERRORS_MAX))
    return out
