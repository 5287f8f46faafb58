"""The planners: each a thread with a session of its own, creating, moving (new title and
new start), cancelling and reading RDVs of the technicians (some with two), pressing
"Réessayer" on the RDVs they see in error, accepting or refusing the changes technicians
proposed from their phones, and marking RDVs done ("Réalisé")."""

import time
import traceback
from datetime import datetime, timedelta, timezone

from .client import Interrupted, RequestTimeout, RpcError, ServerDown
from .common import CANCELLED_STATES, MODEL, REQUEST_TIMEOUT, odoo_dt
from .ledger import Edit

PROPOSAL = "of.google.proposal"
OPEN_PROPOSALS = ("pending", "outdated")


def plan_for(run, tech, title, start, kind="write"):
    """An RDV the first planner plans for one technician outside the load (a set-up or a
    scenario's), recorded in the ledger like the load's; its id."""
    rdv_id = run.planners[0].kw(
        MODEL,
        "create",
        [
            {
                "name": title,
                "date": odoo_dt(start),
                "duree": 1.0,
                "state": "confirm",
                "employee_ids": [(6, 0, [tech["employee"]])],
            }
        ],
        kind=kind,
    )
    run.ledger.rdvs[rdv_id] = {"title": title, "techs": [tech["index"]], "cancelled": False}
    return rdv_id


def accepts(planner, rng, rdv_ids):
    """{rdv id: True when the planner accepts its proposal}: at random, except on a
    finished RDV (done or cancelled), whose proposals he refuses: he keeps a finished
    RDV as it was."""
    rows = planner.kw(
        MODEL, "read", [sorted(set(rdv_ids)), ["state"]], kind="read", retry_interrupted=True
    )
    return {
        row["id"]: row["state"] not in ("done", "cancel") and rng.random() < 0.5 for row in rows
    }


class Planners:
    """What planners do to the RDVs of one mode's technicians."""

    def __init__(self, run):
        self.ledger, self.stats = run.ledger, run.stats
        self.techs, self.stop = run.techs, run.stop
        self.shared = run.args.shared
        self.run_args = run.args
        self.retry_field = run.retry_field

    def loop(self, planner, quota, deadline, rng):
        """``quota`` edits at most, until ``deadline`` or the run stops; a failed request
        is an error of the run's, never the end of the planner."""
        done = 0
        for _ in range(quota * 5 + 50):
            if done >= quota or self.stop.is_set() or time.monotonic() >= deadline:
                break
            try:
                done += self.step(planner, rng)
            except (ServerDown, Interrupted) as exc:
                self.stats.error("%s: %s" % (planner.login, exc), cut=True)
                time.sleep(1)
            except RequestTimeout as exc:
                self.stats.error("%s: %s" % (planner.login, exc))
                time.sleep(1)
            except RpcError as exc:
                self.stats.count("rpc errors")
                self.stats.error("%s: %s" % (planner.login, exc))
            except Exception:  # pylint: disable=broad-except
                self.stats.error("%s: %s" % (planner.login, traceback.format_exc(limit=3)))
                time.sleep(1)
            time.sleep(rng.uniform(0.0, 0.3) + getattr(self.run_args, "pace", 0.0))

    def refresh(self, planner):
        """The planning view: what the planner sees (RDVs created from Google included)."""
        rows = planner.kw(
            MODEL,
            "search_read",
            [[("name", "like", "ST-")]],
            {"fields": ["name", "state", "employee_ids"], "limit": 2000},
            kind="read",
            retry_interrupted=True,
        )
        by_employee = {t["employee"]: t["index"] for t in self.techs}
        with self.ledger.lock:
            for row in rows:
                entry = self.ledger.rdvs.setdefault(
                    row["id"],
                    {
                        "title": row["name"],
                        "techs": [by_employee[e] for e in row["employee_ids"] if e in by_employee],
                        "cancelled": False,
                    },
                )
                entry["cancelled"] = row["state"] in CANCELLED_STATES

    def step(self, planner, rng):
        """One thing a planner does; 1 when it was an edit."""
        live = self.ledger.live_rdvs()
        roll = rng.random()
        if roll < 0.08:
            self.refresh(planner)
            return 0
        if roll < 0.16 and live:
            return self.retry(planner, rng, live)
        if roll < 0.24 and self.ledger.proposing:
            return self.decide(planner, rng)
        if 0.24 <= roll < 0.32 and len(live) >= 3:
            return self.mark_done(planner, rng)
        changeable = self.ledger.open_rdvs()
        if roll < 0.5 or len(changeable) < 3:
            return self.create(planner, rng)
        target = None
        if self.ledger.proposing and rng.random() < 0.3:
            target = self.proposed_rdv(planner, rng, changeable)
        return self.change(planner, rng, target or rng.choice(changeable), cancel=roll >= 0.88)

    def proposed_rdv(self, planner, rng, changeable):
        """An RDV with a change still proposed, which the planner's change outdates
        (the proposal stays open: accepted later, it moves the RDV back)."""
        rows = planner.kw(
            PROPOSAL,
            "search_read",
            [[("state", "=", "pending")]],
            {"fields": ["intervention_id"], "limit": 50},
            kind="read",
            retry_interrupted=True,
        )
        ids = sorted({row["intervention_id"][0] for row in rows} & set(changeable))
        return rng.choice(ids) if ids else None

    def create(self, planner, rng):
        title, seq = self.ledger.next_title("odoo")
        techs = rng.sample(
            range(len(self.techs)),
            2 if len(self.techs) > 1 and rng.random() < self.shared else 1,
        )
        start = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(
            days=rng.randint(1, 20), hours=rng.randint(0, 9)
        )
        values = {
            "name": title,
            "date": odoo_dt(start),
            "duree": 1.0,
            "state": "confirm",
            "employee_ids": [(6, 0, [self.techs[i]["employee"] for i in techs])],
        }
        try:
            rdv_id = planner.kw(MODEL, "create", [values], kind="write")
        except Interrupted:
            # the database says whether it was created: a certain edit, or none at all
            self.stats.count("interrupted writes")
            found = planner.kw(
                MODEL, "search", [[("name", "=", title)]], kind="read", retry_interrupted=True
            )
            if not found:
                return 0
            rdv_id = found[0]
        with self.ledger.lock:
            self.ledger.rdvs[rdv_id] = {"title": title, "techs": techs, "cancelled": False}
        self.ledger.add_edit(Edit(seq, "odoo", "create", title, rdv_id=rdv_id, start=start))
        return 1

    def change(self, planner, rng, rdv_id, cancel):
        """A move (new title, new start) or a cancellation (new title), the RDV in this
        planner's hands meanwhile."""
        if not self.ledger.claim(rdv_id):
            return 0
        try:
            return self._change(planner, rng, rdv_id, cancel)
        finally:
            self.ledger.unclaim(rdv_id)

    def _change(self, planner, rng, rdv_id, cancel):
        title, seq = self.ledger.next_title("odoo")
        start = None
        if not cancel:
            start = datetime.now(timezone.utc).replace(
                minute=0, second=0, microsecond=0
            ) + timedelta(
                days=rng.randint(1, 20), hours=rng.randint(0, 9), minutes=rng.choice((0, 30))
            )
            values, kind = {"name": title, "date": odoo_dt(start)}, "move"
        else:
            values, kind = {"name": title, "state": "cancel"}, "cancel"
        uncertain = False
        try:
            planner.kw(MODEL, "write", [[rdv_id], values], kind="write")
        except Interrupted:
            uncertain = True
            self.stats.count("interrupted writes")
        except RpcError as exc:
            if "MissingError" in exc.name:
                with self.ledger.lock:
                    self.ledger.rdvs.pop(rdv_id, None)
                return 0
            raise
        with self.ledger.lock:
            self.ledger.rdvs[rdv_id]["title"] = title
            if kind == "cancel":
                self.ledger.rdvs[rdv_id]["cancelled"] = True
        self.ledger.add_edit(
            Edit(seq, "odoo", kind, title, rdv_id=rdv_id, uncertain=uncertain, start=start)
        )
        return 1

    def decide(self, planner, rng):
        """Accept or refuse, at random, a change a technician proposed (one still to
        decide, or outdated by a planner's change since). A done RDV's proposals are
        refused: the planner keeps a finished RDV as it was. An interrupted decision is
        resolved by the checks from the database (the proposal's state)."""
        rows = planner.kw(
            PROPOSAL,
            "search_read",
            [[("state", "in", list(OPEN_PROPOSALS))]],
            {"fields": ["intervention_id", "kind"], "limit": 50},
            kind="read",
            retry_interrupted=True,
        )
        if not rows:
            return 0
        row = rng.choice(rows)
        rdv_id = row["intervention_id"][0]
        if not self.ledger.claim(rdv_id):
            return 0
        try:
            accept = rdv_id not in self.ledger.done and accepts(planner, rng, [rdv_id]).get(rdv_id)
            self.stats.count("proposals accepted" if accept else "proposals refused")
            try:
                planner.kw(
                    PROPOSAL,
                    "action_accept" if accept else "action_refuse",
                    [[row["id"]]],
                    kind="decide",
                )
            except Interrupted:
                self.stats.count("interrupted decisions")
            except RpcError as exc:
                if "UserError" not in exc.name and "MissingError" not in exc.name:
                    raise
                # decided meanwhile (another planner, or the RDV's own change): the
                # server says so in the planner's language
                self.stats.count("decisions refused (already decided)")
            return 0
        finally:
            self.ledger.unclaim(rdv_id)

    def mark_done(self, planner, rng):
        """ "Réalisé" on a confirmed RDV no other planner holds; what it holds then is
        what it must keep (read back: the write may be cut by a kill)."""
        candidates = self.ledger.open_rdvs()
        self.stats.count("done tried")
        if not candidates:
            return 0
        rdv_id = rng.choice(candidates)
        if not self.ledger.claim(rdv_id):
            return 0
        try:
            rows = planner.kw(
                MODEL, "read", [[rdv_id], ["state"]], kind="read", retry_interrupted=True
            )
            if not rows or rows[0]["state"] != "confirm":
                return 0
            try:
                planner.kw(MODEL, "write", [[rdv_id], {"state": "done"}], kind="write")
            except Interrupted:
                self.stats.count("interrupted writes")
            rows = planner.kw(
                MODEL,
                "read",
                [[rdv_id], ["name", "date", "state"]],
                kind="read",
                retry_interrupted=True,
            )
            if rows and rows[0]["state"] == "done":
                self.ledger.mark_done(rdv_id, rows[0]["name"], rows[0]["date"])
                self.stats.count("rdvs done")
            return 0
        finally:
            self.ledger.unclaim(rdv_id)

    def retry(self, planner, rng, live):
        """ "Réessayer" on an RDV in error when the planner sees one."""
        sample = rng.sample(live, min(20, len(live)))
        target = None
        if self.retry_field:
            rows = planner.kw(
                MODEL, "read", [sample, [self.retry_field]], kind="read", retry_interrupted=True
            )
            errors = [row["id"] for row in rows if row[self.retry_field] == "error"]
            target = rng.choice(errors) if errors else None
        if target is None and rng.random() < 0.3:
            target = rng.choice(sample)  # the button is on every synced RDV's form
        if target is None:
            return 0
        self.stats.count("retries")
        try:
            planner.kw(
                MODEL, "action_of_google_retry", [[target]], kind="retry", timeout=REQUEST_TIMEOUT
            )
        except Interrupted:
            pass
        except RpcError as exc:
            if "MissingError" not in exc.name:
                raise
        return 0
