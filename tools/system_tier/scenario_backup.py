"""A database restored from an older backup while Google moved on (``backup-restored``).

The backup is the mode's database as ``pg_dump`` takes it (same ``database.uuid``, its
links, sync tokens and watermarks); then the office and the phones go on (new RDVs,
moves, phone edits) and the syncs carry it all to the other side; then the server is
stopped, the database replaced by the backup, the server started again, and the phones
change more. What must hold once the syncs settled:

* no duplicate, both sides the same (each live RDV one event, no event without RDV);
* every change made in Google after the backup reached Odoo (the phone edits of both
  periods are judged by the tier's lost-edit check);
* what the office did after the backup is lost with it, on the Odoo side, by
  definition: those edits are taken out of the ledger, and their RDVs' events in Google
  (events whose RDV no longer exists, or whose RDV is another one now: ids are given
  again after a restore) must not stay as orphans nor overwrite an RDV they are not.
"""

import os
import random
import subprocess
import time

from .common import log
from .planners import Planners

EDITS_AFTER = 12  # office and phone edits between the backup and the restore


def dump(run, path):
    pg = run.args.odoo.pg
    subprocess.run(
        ["pg_dump", "-Fc", "-f", path, run.db], env=pg.environ(), check=True, capture_output=True
    )


def restore(run, path):
    """Server stopped, database replaced by the backup, server started."""
    pg = run.args.odoo.pg
    with run.server.lock:
        run.server.stop()
        run.server.up.clear()
        pg.dropdb(run.db, check=True)
        subprocess.run(["createdb", run.db], env=pg.environ(), check=True, capture_output=True)
        done = subprocess.run(
            ["pg_restore", "--no-owner", "-d", run.db, path],
            env=pg.environ(),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in (0, 1):  # 1: warnings (ownership, comments)
            raise RuntimeError("pg_restore: %s" % done.stderr[-500:])
        run.server.generation += 1
        run.server.start()


def office_and_phones(run, rng, count):
    """``count`` edits, planners and phones alternately; the edits' sequence numbers."""
    planners = Planners(run)
    seqs = []
    for n in range(count):
        before = len(run.ledger.edits)
        if n % 2 == 0:
            planner = run.planners[n % len(run.planners)]
            try:
                planners.step(planner, rng)
            except Exception as exc:  # pylint: disable=broad-except
                run.stats.error("backup scenario, planner: %s" % exc)
        else:
            tech = run.techs[n % len(run.techs)]
            if tech["calendar"]:
                run.phones.edit(tech, rng)
        seqs.extend(edit.seq for edit in run.ledger.edits[before:])
    return seqs


def scenario_backup(run):
    """See the module."""
    from .scenarios import converge  # pylint: disable=import-outside-toplevel

    rng = random.Random(run.args.seed + 7)
    path = os.path.join(run.workdir, "backup.dump")
    dump(run, path)
    log("  backup taken (%s, %.0f kB)" % (path, os.path.getsize(path) / 1024))
    after = office_and_phones(run, rng, EDITS_AFTER)
    converge(run, "the edits after the backup")
    restore(run, path)
    log("  database restored from the backup; the server started again")
    # What was done between the backup and the restore is judged by the sides only (the
    # office's part is gone with the backup, the phones' part comes back from Google as
    # new RDVs); so are the RDVs it touched. What the phones do after the restore must
    # all reach Odoo (the lost-edit check).
    touched = {edit.rdv_id for edit in run.ledger.edits if edit.seq in after}
    between = [
        e
        for e in run.ledger.edits
        if e.seq in after or (e.rdv_id is not None and e.rdv_id in touched)
    ]
    run.ledger.edits[:] = [e for e in run.ledger.edits if e not in between]
    rows = run.admin.kw(
        "of.planning.intervention",
        "search_read",
        [[("name", "like", "ST-")]],
        {"fields": ["id"]},
        kind="check",
        retry_interrupted=True,
    )
    alive = {row["id"] for row in rows}
    for rid in [rid for rid in run.ledger.rdvs if rid not in alive]:
        del run.ledger.rdvs[rid]
    run.report.row["backup_edits_between"] = len(between)
    office_and_phones(run, rng, EDITS_AFTER // 2)
    started = time.monotonic()
    converge(run, "the restore")
    run.report.row["backup_converged_after"] = round(time.monotonic() - started, 1)
