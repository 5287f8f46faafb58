"""A database restored from an older backup while Google moved on (``backup-restored``).

The backup is the mode's database as ``pg_dump`` takes it (same ``database.uuid``, its
links, sync tokens and watermarks); then the office and the phones go on (new RDVs,
moves, phone edits) and the syncs carry it all to the other side; then the server is
stopped, the database replaced by the backup, the server started again, and the phones
change more. What must hold once the syncs settled:

* no duplicate, both sides the same (each live RDV one event, no event without RDV),
  and an RDV of two technicians lost with the backup comes back as one RDV;
* every change made in Google after the backup reached Odoo (the phone edits of both
  periods are judged by the tier's lost-edit check);
* what the office did after the backup is lost with it, on the Odoo side, by
  definition: those edits (and the RDVs marked done since) are taken out of the
  ledger, and their RDVs' events in Google
  (events whose RDV no longer exists, or whose RDV is another one now: ids are given
  again after a restore) must not stay as orphans nor overwrite an RDV they are not;
* an RDV made after the restore (an id above the backup's last) never takes over the
  event of the RDV that had its id before the restore: its chatter names no version
  (a conflict's loser) that was never its own.
"""

import os
import random
import re
import subprocess
import time

from .checks import chatter
from .common import MODEL, log
from .phone import rdv_of
from .planners import Planners

TITLE = re.compile(r"ST-[a-z]\d{5}")

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
    taken = time.monotonic()
    dump(run, path)
    log("  backup taken (%s, %.0f kB)" % (path, os.path.getsize(path) / 1024))
    after = office_and_phones(run, rng, EDITS_AFTER)
    converge(run, "the edits after the backup")
    keys = {
        (tech["index"], event["id"]): rdv_of(event)
        for tech in run.techs
        for event in run.phones.events_of(tech, show_deleted=False)
    }
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
    with run.ledger.lock:  # marked done after the backup: lost with it
        for rid in [rid for rid, done in run.ledger.done.items() if done["when"] > taken]:
            del run.ledger.done[rid]
    run.report.row["backup_edits_between"] = len(between)
    last_kept = max(alive, default=0)
    since = len(run.ledger.edits)
    office_and_phones(run, rng, EDITS_AFTER // 2)
    # A phone's change of an event of an RDV lost with the backup is a change of the
    # RDV that event comes back as (which the link says once synced), never of the RDV
    # made after the restore with the id the event still names.
    gone = {event: key for event, key in keys.items() if key is not None and key not in alive}
    reborn = []
    for edit in run.ledger.edits[since:]:
        if edit.side == "google" and (edit.tech, edit.event_id) in gone:
            reborn.append((gone[(edit.tech, edit.event_id)], edit))
            edit.rdv_id = None
    started = time.monotonic()
    converge(run, "the restore")
    run.report.row["backup_converged_after"] = round(time.monotonic() - started, 1)
    no_takeover(run, last_kept, run.ledger.edits[since:], titles_of_lost(between, alive, reborn))
    came_back_once(run)
    # RDVs the office made after the backup, lost with it: id -> the titles it had
    # since, on either side (a phone's rename is Google's version of it)
    lost = {}
    for edit in sorted(between, key=lambda e: e.seq):
        if edit.rdv_id is None or edit.rdv_id in alive:
            continue
        if edit.kind in ("cancel", "delete"):  # nothing left to show on the phone
            lost.pop(edit.rdv_id, None)
        elif edit.title and (edit.side == "odoo" or edit.rdv_id in lost):
            lost.setdefault(edit.rdv_id, set()).add(edit.title)
    history = {}
    for edit in sorted(between, key=lambda e: e.seq):
        history.setdefault(edit.rdv_id, []).append((edit.side, edit.kind, edit.tech, edit.title))
    for key, edit in reborn:  # the phones' changes of its events after the restore
        history.setdefault(key, []).append((edit.side, edit.kind, edit.tech, edit.title))
        if key not in lost:
            continue
        if edit.kind == "delete":
            del lost[key]
        elif edit.title:
            lost[key].add(edit.title)
    no_silent_takeover(run, last_kept, lost, history)


def titles_of_lost(between, alive, reborn):
    """Every title each lost RDV had on either side (id -> titles): the RDV it comes
    back as names them (a second calendar's event joining it says the version it
    showed)."""
    past = {}
    for edit in between:
        if edit.rdv_id is not None and edit.rdv_id not in alive and edit.title:
            past.setdefault(edit.rdv_id, set()).add(edit.title)
    for key, edit in reborn:
        if edit.title:
            past.setdefault(key, set()).add(edit.title)
    return past


def came_back_as(row):
    """The id of the lost RDV ``row`` came back from Google as (its
    ``of_google_reborn_from``, "key@stamp"), else None."""
    origin = (row.get("of_google_reborn_from") or "").split("@")[0]
    return int(origin) if origin.isdigit() else None


def came_back_once(run):
    """Every title is one version of one RDV: two live RDVs holding the same one are
    an RDV come back twice (a lost RDV of two technicians, once per calendar)."""
    rows = run.admin.kw(
        MODEL,
        "search_read",
        [[("name", "like", "ST-"), ("state", "not in", ("cancel",))]],
        {"fields": ["id", "name", "employee_ids"]},
        kind="check",
        retry_interrupted=True,
    )
    by_name = {}
    for row in rows:
        by_name.setdefault(row["name"], []).append((row["id"], row["employee_ids"]))
    twice = {name: rdvs for name, rdvs in by_name.items() if len(rdvs) > 1}
    run.report.row["backup_came_back_twice"] = len(twice)
    if twice:
        run.report.fail(
            "backup-restored: %d RDVs came back more than once: %s"
            % (len(twice), sorted(twice.items())[:5])
        )


def no_silent_takeover(run, last_kept, lost, history):
    """An RDV lost with the backup whose id an RDV made after the restore got again:
    its version in Google (its events are named after its id) must not vanish without
    a word: one of its titles since the backup stays on the phone, or comes back as an
    RDV, or a chatter says it was not kept."""
    rows = run.admin.kw(
        MODEL,
        "search_read",
        [[("id", ">", last_kept)]],
        {"fields": ["id", "name"]},
        kind="check",
        retry_interrupted=True,
    )
    reused = {row["id"] for row in rows} & set(lost)
    if not reused:
        return
    names = {
        row["name"]
        for row in run.admin.kw(MODEL, "search_read", [[]], {"fields": ["name"]}, kind="check")
    }
    live, seen = set(), {}
    for tech in run.techs:
        for event in run.phones.events_of(tech, show_deleted=True):
            if event.get("status") != "cancelled":
                live.add(event.get("summary"))
            seen.setdefault(event.get("summary"), []).append(
                "%s:%s key %s %s"
                % (tech["login"], event["id"][-8:], rdv_of(event), event.get("status"))
            )
    bodies, _tracked, _written = chatter(run.admin, [row["id"] for row in rows])
    said = " ".join(bodies.values())
    silent = sorted(
        (rid, sorted(lost[rid]))
        for rid in reused
        if not any(title in live | names or title in said for title in lost[rid])
    )
    run.report.row["backup_ids_reused"] = len(reused)
    if silent:
        run.report.fail(
            "backup-restored: %d RDVs lost with the backup vanished from Google without a "
            "word, their events taken over by the RDVs made after the restore with the same "
            "ids: %s (their titles' events: %s; their edits between the backup and the "
            "restore: %s)"
            % (
                len(silent),
                silent[:5],
                {title: seen.get(title) for _rid, titles in silent[:5] for title in titles},
                {rid: history.get(rid) for rid, _title in silent[:5]},
            )
        )


def no_takeover(run, last_kept, edits, past):
    """The RDVs made after the restore (ids above ``last_kept``) name in their chatter
    no title that was not theirs: such a title is the version of the RDV that had the
    same id before the restore (lost with the backup, its events still in Google under
    the ids named after it), overwritten in Google by an RDV it is not. An RDV that
    came back from Google as a lost one (``past``: lost id -> its titles) has its
    titles too."""
    rows = run.admin.kw(
        MODEL,
        "search_read",
        [[("id", ">", last_kept)]],
        {"fields": ["id", "name", "of_google_reborn_from"]},
        kind="check",
        retry_interrupted=True,
    )
    if not rows:
        return
    bodies, tracked, written = chatter(run.admin, [row["id"] for row in rows])
    own = {row["id"]: {row["name"]} | past.get(came_back_as(row), set()) for row in rows}
    for edit in edits:
        if edit.rdv_id in own and edit.title:
            own[edit.rdv_id].add(edit.title)
    taken = []
    for rid, titles in own.items():
        titles |= tracked.get(rid, set()) | written.get(rid, set())
        foreign = set(TITLE.findall(bodies.get(rid, ""))) - titles
        if foreign:
            taken.append((rid, sorted(foreign)))
    run.report.row["backup_takeovers"] = len(taken)
    if taken:
        run.report.fail(
            "backup-restored: %d RDVs made after the restore took over the events of the RDVs "
            "that had their ids before it (lost with the backup), overwriting them in Google: "
            "%s" % (len(taken), taken[:5])
        )
