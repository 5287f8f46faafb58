"""One mode's load: planners and technicians (their "Sync. avec Google" and their phones)
in threads, Google's transient faults, the server SIGKILLed at random points and restarted,
and a watch on the server that tells a hang (60 s of silence from a live server) from a
restart."""

import random
import threading
import time
import traceback

from . import faults_postgres
from .client import Interrupted, RequestTimeout, ServerDown
from .common import log
from .planners import Planners


class Workload:
    """The threads of the load, bounded by ``--time-limit``."""

    def __init__(self, run):
        self.run = run
        self.args, self.ledger, self.report = run.args, run.ledger, run.report
        self.stats, self.stop, self.server = run.stats, run.stop, run.server
        self.last_kill = 0.0
        self.health = None

    def start(self):
        """Run the load to its end; the health watch goes on (``self.health``) until the
        run stops."""
        args, run = self.args, self.run
        edits = args.edits
        phone_share = max(1, edits * 3 // 10) if args.technicians else 0
        planner_share = edits - phone_share
        deadline = time.monotonic() + args.time_limit
        run.emulator.admin(
            "POST", "faults", {"rate": args.fault_rate, "seed": args.seed, "retry_after": 1}
        )
        planners = Planners(run)
        jobs = [
            (planners.loop, planner, share(planner_share, len(run.planners), i))
            for i, planner in enumerate(run.planners)
        ] + [
            (self.tech_loop, tech, share(phone_share, len(run.techs), i))
            for i, tech in enumerate(run.techs)
        ]
        threads = [
            threading.Thread(
                target=target,
                args=(who, quota, deadline, random.Random(run.rng.random())),
                daemon=True,
            )
            for target, who, quota in jobs
        ]
        lo, hi = max(1, edits // 10), max(2, edits * 9 // 10)
        points = sorted(run.rng.sample(range(lo, hi), min(args.kills, hi - lo)))
        killer = threading.Thread(target=self.killer, args=(points, deadline), daemon=True)
        self.health = threading.Thread(target=self.watch, args=(deadline + 600,), daemon=True)
        for thread in threads + [killer, self.health]:
            thread.start()
        # faults of other kinds than the server's kill, at points of the load
        others = [fault for fault in (faults_postgres.load_fault(run),) if fault]
        for fault in others:
            fault.start(self, deadline)
        for thread in threads:
            thread.join(max(1.0, deadline - time.monotonic() + 60))
        if any(t.is_alive() for t in threads):
            self.report.fail("the workload did not end within --time-limit %d s" % args.time_limit)
            self.stop.set()
        # Kills still due (a fast workload): done now, before quiescence.
        self.ledger.release(edits)
        killer.join(120)
        for fault in others:
            fault.join(180)
        self.report.row["kills"] = self.server.kills

    def tech_loop(self, tech, quota, deadline, rng):
        """A technician: "Sync. avec Google" now and then, phone edits otherwise."""
        done = 0
        for _ in range(quota * 4 + 20):
            if done >= quota or self.stop.is_set() or time.monotonic() >= deadline:
                break
            try:
                if rng.random() < 0.3:
                    self.run.sync(tech)
                elif self.run.phones.edit(tech, rng):
                    done += 1
            except (ServerDown, Interrupted) as exc:
                self.stats.error("%s sync: %s" % (tech["login"], exc), cut=True)
                time.sleep(1)
            except RequestTimeout as exc:
                self.stats.error("%s sync: %s" % (tech["login"], exc))
                time.sleep(1)
            except Exception:  # pylint: disable=broad-except
                self.stats.error("%s: %s" % (tech["login"], traceback.format_exc(limit=3)))
                time.sleep(1)
            time.sleep(rng.uniform(0.1, 0.6) + getattr(self.args, "pace", 0.0))

    def killer(self, points, deadline):
        """SIGKILL the server once the load reaches each of ``points`` (edits done)."""
        for point in points:
            self.ledger.wait_edits(point, self.stop, deadline)
            if self.stop.is_set() or time.monotonic() >= deadline:
                return
            # a random moment, and never two kills within a few seconds of each other
            time.sleep(
                self.run.rng.uniform(0.0, 1.0) + max(0.0, 4.0 - (time.monotonic() - self.last_kill))
            )
            self.last_kill = time.monotonic()
            self.run.kill_times.append(self.last_kill)
            log("  SIGKILL Odoo (after %d edits)" % self.ledger.done_edits)
            try:
                self.server.restart()
            except RuntimeError as exc:
                self.report.fail("restart after SIGKILL: %s" % exc)
                self.stop.set()
                return

    def watch(self, deadline):
        """The server must keep answering: 60 s of silence from a live server is a hang."""
        silent_since = None
        while not self.stop.is_set() and time.monotonic() < deadline:
            time.sleep(5)
            if self.server.lock.locked() or not self.server.up.is_set():
                silent_since = None
                continue
            if self.server.ping(timeout=5):
                silent_since = None
                continue
            silent_since = silent_since or time.monotonic()
            if time.monotonic() - silent_since > 60:
                self.report.fail(
                    "the Odoo server stopped answering for 60 s (hung): killed and restarted"
                )
                silent_since = None
                try:
                    self.server.restart(why="hang")
                except RuntimeError as exc:
                    self.report.fail("restart after a hang: %s" % exc)
                    self.stop.set()


def share(total, parts, index):
    """The ``index``-th of ``parts`` near-equal shares of ``total``."""
    return total // parts + (1 if index < total % parts else 0)
