"""What the tier checks: a plain start that logs nothing about our addons; quiescence
(the changes still proposed decided by a planner first), then both sides holding the same
RDVs with no duplicate, no lost edit, no lost proposal, no RDV moved without an
acceptance, no done RDV changed; no user left ``already_running``; and the Odoo log
(watchdog lines, tracebacks)."""

import re
import time

from .client import Interrupted, RequestTimeout, RpcError, ServerDown
from .common import CANCELLED_STATES, MODEL, SYNCED, log, utc
from .phone import key_of
from .planners import accepts
from .verdicts import (
    EditCheck,
    accepted_not_applied,
    bound_failures,
    changed_done,
    proposal_figures,
    put_back,
    unaccepted_moves,
)

PROPOSAL = "of.google.proposal"
OPEN_PROPOSALS = ("pending", "outdated")

WATCHDOG_PATTERNS = [
    ("watchdog", re.compile(r"virtual real time limit")),
    ("watchdog", re.compile(r"\((\d+)\) timeout after \d+s")),
    ("watchdog", re.compile(r"CPU time limit .* reached")),
    ("watchdog", re.compile(r"virtual memory limit .* reached")),
    ("watchdog", re.compile(r"Dumping stacktrace of limit exceeding threads")),
]
# A log record of Odoo's (time, pid, level, database, logger): its first line; the lines
# up to the next record (a stack, a traceback) belong to it.
LOG_RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (\w+) \S+ (\S+): ")
OURS = re.compile(r"openfire|of[._]planning|google_emulator", re.IGNORECASE)


# --------------------------------------------------------------------------- the log


def records_about_us(text, levels=("WARNING", "ERROR", "CRITICAL")):
    """The WARNING/ERROR records of an Odoo log that our addons raised or that
    name them (in the message or in its stack: Odoo 19 logs an import of its
    test framework at ERROR, the importer only in the stack)."""
    found, current = [], None
    for line in text.splitlines():
        match = LOG_RECORD.match(line)
        if match:
            current = [line] if match.group(1) in levels else None
            if current is not None:
                found.append(current)
        elif current is not None:
            current.append(line)
    return ["\n".join(record) for record in found if OURS.search("\n".join(record))]


def check_plain_start(report, server_log):
    """A server started as in production (no test mode), its registry loaded
    and configured, has logged no WARNING or ERROR about our addons."""
    with open(server_log, errors="replace") as handle:
        records = records_about_us(handle.read())
    report.row["start_warnings"] = len(records)
    if records:
        log("  the plain start logged about our addons:\n%s" % records[0][:2000])
        report.fail("%d WARNING/ERROR records about our addons at start" % len(records))


def scan_log(path):
    """Watchdog lines, tracebacks (prefork's gevent process failing to import Odoo apart:
    the virtualenv's, not the connector's), ERROR lines, and the cron's syncs."""
    found = {"watchdog": [], "traceback": [], "error": [], "environment": [], "cron_syncs": 0}
    try:
        with open(path, errors="replace") as handle:
            lines = handle.readlines()
    except OSError:
        return found
    for i, line in enumerate(lines):
        if "Google Calendar sync of user" in line and "already_running" not in line:
            found["cron_syncs"] += 1
        for name, pattern in WATCHDOG_PATTERNS:
            if pattern.search(line):
                found[name].append(line.strip())
        if line.startswith("Traceback"):
            context = "".join(lines[max(0, i - 1) : i + 16])
            if "gevent.monkey.patch_all()" in context and "import odoo" in context:
                found["environment"].append(context)
            else:
                found["traceback"].append(context)
        elif " ERROR " in line:
            found["error"].append(line.strip())
    return found


def check_phone_if_match(run):
    """The phone honours If-Match like Google (412 on a stale etag): what makes every
    phone edit's base exact, and the phone's 412 branches reachable."""
    refused = run.phones.stale_write_refused(run.techs[0])
    run.report.row["phone_if_match"] = refused
    if not refused:
        run.report.fail("the phone wrote on a stale etag (If-Match not honoured)")


# --------------------------------------------------------------------------- quiescence


def snapshot(run):
    """Every technician's events (id, etag) and the RDVs (id, title, state, date)."""
    events = {
        t["login"]: sorted((e["id"], e.get("etag")) for e in run.phones.events_of(t))
        for t in run.techs
    }
    rows = run.admin.kw(
        MODEL,
        "search_read",
        [[("name", "like", "ST-")]],
        {"fields": ["name", "state", "date"], "order": "id"},
        kind="check",
        retry_interrupted=True,
    )
    return events, [(r["id"], r["name"], r["state"], r["date"]) for r in rows]


def decide_open(run):
    """A planner decides every change still proposed (at random; a done RDV's refused,
    as he keeps a finished RDV as it was): a pending proposal leaves the phone's version
    in Google until it is decided. The number decided."""
    if not run.ledger.proposing:
        return 0
    planner = run.planners[0]
    rows = planner.kw(
        PROPOSAL,
        "search_read",
        [[("state", "in", list(OPEN_PROPOSALS))]],
        {"fields": ["intervention_id", "state"]},
        kind="check",
        retry_interrupted=True,
    )
    run.report.row.setdefault("proposals_open_at_end", len(rows))
    chosen = accepts(planner, run.rng, [row["intervention_id"][0] for row in rows]) if rows else {}
    for row in rows:
        rid = row["intervention_id"][0]
        accept = rid not in run.ledger.done and chosen.get(rid)
        try:
            planner.kw(
                PROPOSAL,
                "action_accept" if accept else "action_refuse",
                [[row["id"]]],
                kind="check",
                retry_interrupted=True,
            )
        except RpcError as exc:
            if "UserError" not in exc.name:
                raise
    return len(rows)


def quiesce(run):
    """Faults off, every technician synced until a round where every answer is "nothing
    new", neither side changed and no change is left proposed (decided first)."""
    run.emulator.admin("POST", "faults", {"rate": 0.0})
    deadline = time.monotonic() + run.args.quiesce_time
    previous, rounds = None, 0
    while time.monotonic() < deadline and rounds < 40:
        rounds += 1
        quiet = not decide_open(run)
        for tech in run.techs:
            status = sync_settled(run, tech)
            if status != "no_new_event_from_google":
                quiet = False
        current = snapshot(run)
        if quiet and current == previous:
            run.report.row["quiesce_rounds"] = rounds
            return True
        previous = current
        time.sleep(1)
    run.report.fail("no quiescence after %d rounds of syncs" % rounds)
    return False


def sync_settled(run, tech, tries=20):
    """sync_data until it is not already_running (the cron may hold the lock a while)."""
    status = None
    for _ in range(tries):
        try:
            status = run.sync(tech, kind="quiesce").get("status")
        except (RequestTimeout, Interrupted, ServerDown) as exc:
            status = "no answer (%s)" % exc
        if status != "already_running":
            return status
        time.sleep(2)
    return status


def final_already_running(run):
    """No user left already_running: a final sync per technician, tried for 30 s."""
    left = []
    for tech in run.techs:
        status = None
        for _ in range(15):
            try:
                status = tech["client"].sync_data(kind="final", timeout=15).get("status")
            except (RequestTimeout, Interrupted, ServerDown) as exc:
                status = "no answer (%s)" % type(exc).__name__
            if status != "already_running":
                break
            time.sleep(2)
        if status == "already_running":
            left.append(tech["login"])
        elif status not in SYNCED:
            run.report.fail("%s: the final sync answered %r" % (tech["login"], status))
    run.report.row["already_running"] = len(left)
    if left:
        run.report.fail("users left already_running: %s" % ", ".join(left))


def check_availability(run):
    """Each technician's availability was read from Google through his syncs,
    faults and kills included, and is known (never left unknown by a fault)."""
    rows = run.admin.kw(
        "of.google.availability",
        "search_read",
        [[]],
        {"fields": ["employee_id", "state", "error"]},
        kind="check",
    )
    known = sum(1 for row in rows if row["state"] == "known")
    run.report.row["availability_known"] = known
    if known < len(run.techs):
        run.report.fail(
            "availability known for %d of %d technicians: %s"
            % (known, len(run.techs), [(r["employee_id"], r["state"], r["error"]) for r in rows])
        )


# --------------------------------------------------------------------------- both sides


def check_sides(run):
    """Per technician, each live RDV has exactly one live event with its title and start,
    a cancelled RDV none, and no live event is without an RDV; then the edits."""
    rows = run.admin.kw(
        MODEL,
        "search_read",
        [[("name", "like", "ST-")]],
        {"fields": ["name", "state", "date", "employee_ids"], "order": "id"},
        kind="check",
        retry_interrupted=True,
    )
    rdvs = {r["id"]: r for r in rows}
    events = {t["index"]: run.phones.events_of(t) for t in run.techs}
    event_rdv = link_rows(run)  # (tech, event id) -> rdv id
    compare = SideComparison(run.techs, rdvs)
    for tech in run.techs:
        compare.technician(tech, events[tech["index"]], event_rdv)
    row = run.report.row
    row["duplicates"] = compare.duplicates
    row["rdvs"] = len(rdvs)
    row["events"] = sum(1 for evs in events.values() for e in evs if e.get("status") != "cancelled")
    for text in (compare.mismatches + compare.orphans)[:20]:
        log("  sides differ: " + text)
    if compare.duplicates:
        run.report.fail("%d duplicates" % compare.duplicates)
    if compare.mismatches or compare.orphans:
        explain(run, compare.mismatches[:5])
        run.report.fail(
            "the two sides differ: %d mismatches, %d events without RDV (first: %s)"
            % (
                len(compare.mismatches),
                len(compare.orphans),
                (compare.mismatches + compare.orphans)[0],
            )
        )
    proposals = proposal_rows(run)
    written = check_edits(run, rdvs, event_rdv, proposals)
    check_proposals(run, rdvs, proposals, written)
    check_done(run, rdvs, events)


class SideComparison:
    """Odoo's RDVs against each technician's calendar: duplicates, mismatches, orphans."""

    def __init__(self, techs, rdvs):
        self.rdvs = rdvs
        self.by_employee = {t["employee"]: t["index"] for t in techs}
        self.duplicates, self.mismatches, self.orphans = 0, [], []

    def technician(self, tech, events, event_rdv):
        idx, login = tech["index"], tech["login"]
        mine = {
            rid: r
            for rid, r in self.rdvs.items()
            if any(self.by_employee.get(e) == idx for e in r["employee_ids"])
        }
        by_name = {}
        for rid, r in mine.items():
            by_name.setdefault(r["name"], []).append(rid)
        for name, ids in by_name.items():
            if len(ids) > 1:
                self.duplicates += len(ids) - 1
                self.mismatches.append("%s: %d RDVs titled %s (%s)" % (login, len(ids), name, ids))
        matched = {}
        for event in events:
            key = key_of(event)
            rid = int(key) if key and key.isdigit() and int(key) in self.rdvs else None
            if rid is None:
                ids = by_name.get(event.get("summary")) or []
                rid = ids[0] if ids else None
            if rid is not None:
                event_rdv.setdefault((idx, event["id"]), rid)
            if event.get("status") == "cancelled":
                continue
            if rid is None or rid not in mine:
                self.orphans.append(
                    "%s: event %s %r has no RDV" % (login, event["id"], event.get("summary"))
                )
                continue
            matched.setdefault(rid, []).append(event)
        for rid, r in mine.items():
            self.rdv(login, rid, r, matched.get(rid, []))

    def rdv(self, login, rid, r, live):
        """One RDV of the technician against its live events."""
        cancelled = r["state"] in CANCELLED_STATES
        if len(live) > 1:
            self.duplicates += len(live) - 1
            self.mismatches.append(
                "%s: RDV %s %r has %d events" % (login, rid, r["name"], len(live))
            )
        if cancelled and live:
            self.mismatches.append(
                "%s: RDV %s %r is %s in Odoo, its event is %s"
                % (login, rid, r["name"], r["state"], live[0].get("status"))
            )
        elif not cancelled and not live:
            self.mismatches.append(
                "%s: RDV %s %r (%s) has no event in Google" % (login, rid, r["name"], r["state"])
            )
        elif live:
            event = live[0]
            start = utc(event["start"].get("dateTime") or event["start"].get("date"))
            if event.get("summary") != r["name"] or start != utc(r["date"]):
                self.mismatches.append(
                    "%s: RDV %s is %r at %s in Odoo, %r at %s in Google"
                    % (login, rid, r["name"], r["date"], event.get("summary"), start)
                )


def link_rows(run):
    """(tech, event id) -> RDV id as the connector recorded it, when its link model
    is readable (a cancelled event's tombstone carries no title to match by)."""
    by_uid = {t["uid"]: t["index"] for t in run.techs}
    try:
        rows = run.admin.kw(
            "of.google.event.link",
            "search_read",
            [[]],
            {"fields": ["google_event_id", "intervention_id", "user_id"]},
            kind="check",
            retry_interrupted=True,
        )
    except RpcError as exc:
        run.report.note("links not readable (%s): events matched by title" % exc.name)
        return {}
    out = {}
    for row in rows:
        if row["intervention_id"] and row["user_id"] and row["user_id"][0] in by_uid:
            out[(by_uid[row["user_id"][0]], row["google_event_id"])] = row["intervention_id"][0]
    return out


# --------------------------------------------------------------------------- lost edits


def explain(run, mismatches):
    """Logs, for the RDVs these mismatches name, what the ledger saw done to them and
    what their chatter says: a run that fails says how its RDVs got there."""
    ids = sorted({int(m) for text in mismatches for m in re.findall(r"RDV (\d+)", text)})
    if not ids:
        return
    bodies, _tracked, _written = chatter(run.admin, ids)
    for rid in ids:
        for edit in run.ledger.edits:
            if edit.rdv_id == rid:
                log(
                    "    RDV %d, edit #%d: %s %s by %s, %r%s%s"
                    % (
                        rid,
                        edit.seq,
                        edit.side,
                        edit.kind,
                        edit.tech,
                        edit.title,
                        " (uncertain)" if edit.uncertain else "",
                        " (proposed)" if edit.proposed else "",
                    )
                )
        text = re.sub(r"<[^>]+>", " ", bodies.get(rid, ""))
        log("    RDV %d, chatter: %s" % (rid, re.sub(r"\s+", " ", text).strip()[:1500]))


def chatter(admin, rdv_ids):
    """{rdv id: text of the chatter bodies}, and from the tracking of the name field
    {rdv id: titles Odoo had before a write replaced them}, {rdv id: titles written}."""
    messages = admin.kw(
        "mail.message",
        "search_read",
        [[("model", "=", MODEL), ("res_id", "in", rdv_ids)]],
        {"fields": ["res_id", "body", "tracking_value_ids", "message_type"]},
        kind="check",
        retry_interrupted=True,
    )
    bodies, tracked, written = {}, {}, {}
    track_ids, owner = [], {}
    for message in messages:
        if message["message_type"] == "user_notification":
            continue  # "you have been assigned to <title>": not a conflict's loser
        bodies[message["res_id"]] = (
            bodies.get(message["res_id"], "") + " " + (message["body"] or "")
        )
        for tid in message["tracking_value_ids"]:
            owner[tid] = message["res_id"]
            track_ids.append(tid)
    if track_ids:
        values = admin.kw(
            "mail.tracking.value",
            "read",
            [track_ids, ["field_id", "old_value_char", "new_value_char"]],
            kind="check",
            retry_interrupted=True,
        )
        for value in values:
            for column, found in (("old_value_char", tracked), ("new_value_char", written)):
                if (value.get(column) or "").startswith("ST-"):
                    found.setdefault(owner[value["id"]], set()).add(value[column])
    return bodies, tracked, written


def proposal_rows(run):
    """{rdv id: [its proposals]} as the database holds them, with those an
    uninstallation of the connector dropped (none when the connector has no
    proposals)."""
    if not run.ledger.proposing:
        return {}
    rows = run.admin.kw(
        PROPOSAL,
        "search_read",
        [[]],
        {"fields": ["intervention_id", "state", "kind", "proposed_name", "proposed_date"]},
        kind="check",
        retry_interrupted=True,
    )
    out = {}
    # the proposals an uninstallation of the connector dropped (scenario_reinstall; the
    # table made again gives their ids again)
    rows += list(getattr(run, "proposals_uninstalled", ()))
    for row in rows:
        out.setdefault(row["intervention_id"][0], []).append(row)
    return out


def check_proposals(run, rdvs, proposals, written):
    """No RDV of a technician whose changes are proposed moved without a planner's
    acceptance (verdicts.unaccepted_moves), every accepted proposal taken by its RDV
    (verdicts.accepted_not_applied); the proposals' figures."""
    if not run.ledger.proposing:
        return
    proposing = {t["employee"] for t in run.techs if t["index"] in run.ledger.proposing}
    theirs = [rid for rid, r in rdvs.items() if proposing & set(r["employee_ids"])]
    moved = unaccepted_moves(rdvs, run.ledger.edits, proposals, theirs)
    figures = proposal_figures([p for rows in proposals.values() for p in rows])
    row = run.report.row
    row["proposals"] = figures
    row["unaccepted_moves"] = len(moved)
    text = (
        "proposals: %d made (%d accepted, %d refused, %d replaced, %d outdated, %d pending), "
        "%s open at the end of the load and decided then; %d phone edits on %d RDVs of "
        "the technicians proposing"
        % (
            figures["made"],
            figures.get("accepted", 0),
            figures.get("refused", 0),
            figures.get("replaced", 0),
            figures.get("outdated", 0),
            figures.get("pending", 0),
            row.get("proposals_open_at_end", "-"),
            sum(1 for e in run.ledger.edits if e.proposed),
            len(theirs),
        )
    )
    text += "; the planners' decisions during the load: %s" % ", ".join(
        "%d %s" % (run.stats.get(name), name)
        for name in (
            "proposals accepted",
            "proposals refused",
            "interrupted decisions",
            "decisions refused (already decided)",
        )
    )
    log("  " + text)
    if "proposals_text" not in row:
        row["proposals_text"] = text
        run.report.note(text)
    for rid, line in moved[:15]:
        log(
            "  moved without an acceptance: %s (the edits of the RDV: %s; its proposals: %s)"
            % (
                line,
                [
                    (e.seq, e.side, e.kind, e.title, e.tech, e.proposed, e.uncertain)
                    for e in run.ledger.edits
                    if e.rdv_id == rid
                ],
                [
                    (p["id"], p["state"], p["kind"], p["proposed_name"])
                    for p in proposals.get(rid, ())
                ],
            )
        )
    if moved:
        run.report.fail(
            "%d RDVs moved without an acceptance (first: %s)" % (len(moved), moved[0][1])
        )
    untaken = accepted_not_applied(proposals, rdvs, written)
    for line in untaken[:15]:
        log("  accepted, not taken: " + line)
    if untaken:
        explain(run, untaken[:5])
        for line in untaken[:5]:
            rid = int(re.findall(r"RDV (\d+)", line)[0])
            log("    RDV %d, its proposals: %s" % (rid, proposals.get(rid)))
        run.report.fail(
            "%d accepted proposals their RDV never took (first: %s)" % (len(untaken), untaken[0])
        )


def check_done(run, rdvs, events):
    """Each RDV marked done keeps what it held then, in Odoo and in every calendar, the
    phone's changes made on it since put back (verdicts.changed_done)."""
    done = dict(run.ledger.done)
    by_tech = {t["index"]: t["login"] for t in run.techs}
    shown = {}
    for idx, items in events.items():
        for event in items:
            key = key_of(event)
            if event.get("status") == "cancelled" or not (key and key.isdigit()):
                continue
            if int(key) in done:
                start = event["start"].get("dateTime") or event["start"].get("date")
                shown.setdefault(int(key), []).append((by_tech[idx], event.get("summary"), start))
    changed = changed_done(done, rdvs, shown)
    back = put_back(done, run.ledger.edits)
    row = run.report.row
    row["done"], row["done_changed"], row["put_back"] = len(done), len(changed), len(back)
    text = "done RDVs: %d, phone edits on them put back: %d (%d of them proposing)" % (
        len(done),
        len(back),
        sum(1 for e in back if e.proposed),
    )
    log("  " + text)
    if "done_text" not in row:
        row["done_text"] = text
        run.report.note(text)
    for line in changed[:15]:
        log("  done RDV changed: " + line)
    if changed:
        run.report.fail("%d done RDVs changed (first: %s)" % (len(changed), changed[0]))


def check_edits(run, rdvs, event_rdv, proposals=None):
    """No edit lost: each one kept somewhere (verdicts.EditCheck); an interrupted one
    that neither side shows is unresolved, counted and bounded (check_bounds). The
    lost phone edits of technicians whose changes are proposed are lost proposals."""
    edits = run.ledger.edits
    for edit in edits:
        if edit.side == "google" and edit.rdv_id is None:
            edit.rdv_id = event_rdv.get((edit.tech, edit.event_id))
    bodies, tracked, written = chatter(run.admin, list(rdvs))
    check = EditCheck(
        edits, rdvs, bodies, tracked, written, run.phones.seen_titles, proposals or {}
    )
    verdicts = [(edit, check.verdict(edit)) for edit in edits]
    lost = [edit for edit, verdict in verdicts if verdict == "lost"]
    run.report.row["lost_proposals"] = sum(1 for edit in lost if edit.proposed)
    outcomes = {}
    for edit in edits:
        if edit.side == "google" and edit.proposed:
            outcome = check.proposal_outcome(edit, rdvs.get(edit.rdv_id)) or "lost"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    if outcomes:
        log(
            "  the proposing phones' edits: %s"
            % ", ".join("%d %s" % (n, what) for what, n in sorted(outcomes.items()))
        )
    unresolved = [edit for edit, verdict in verdicts if verdict == "unresolved"]
    run.report.row["lost"] = len(lost)
    run.report.row["uncertain"] = sum(1 for edit in edits if edit.uncertain)
    run.report.row["unresolved"] = len(unresolved)
    run.report.row["rolled_back"] = sum(1 for _e, verdict in verdicts if verdict == "rolled back")
    for edit in unresolved:
        log(
            "  unresolved (interrupted, on neither side): %s %r on RDV %s"
            % (edit.kind, edit.title, edit.rdv_id)
        )
    for edit in lost[:15]:
        rdv = rdvs.get(edit.rdv_id)
        log(
            "  lost edit: %s %s %r on RDV %s event %s (base %r; RDV now %r, %s; its name "
            "was %s; the edits of the RDV: %s; its messages: %s)"
            % (
                edit.side,
                edit.kind,
                edit.title,
                edit.rdv_id,
                edit.event_id,
                edit.base,
                rdv and rdv["name"],
                rdv and rdv["state"],
                sorted(tracked.get(edit.rdv_id, ())),
                [
                    (e.seq, e.side, e.kind, e.title, e.tech, e.uncertain)
                    for e in edits
                    if e.rdv_id == edit.rdv_id
                ],
                re.sub(r"<[^>]+>", " ", bodies.get(edit.rdv_id, ""))[:600],
            )
        )
    if lost:
        first = lost[0]
        run.report.fail(
            "%d lost edits (%d of them lost proposals; first: %s %s %r on RDV %s)"
            % (
                len(lost),
                run.report.row["lost_proposals"],
                first.side,
                first.kind,
                first.title,
                first.rdv_id,
            )
        )
    return written


def postgres_cut(run):
    """The requests PostgreSQL's restarts cut (Odoo answers them with psycopg2's error, or
    refuses the session it cannot check: AccessDenied), and the restarts that may cut
    them: PostgreSQL's own and the server's restarts they caused (Odoo's defects)."""
    restarts = getattr(run, "pg_restarts", None)
    if restarts is None or run.postgres is None or not run.postgres.restarts:
        return 0, 0
    from .faults_postgres import CUT  # pylint: disable=import-outside-toplevel

    with run.stats.lock:
        texts = [
            text for text in run.stats.other_errors if CUT.search(text) or "AccessDenied" in text
        ]
    count = len(run.postgres.restarts) + restarts.master_exits + restarts.cron_deaths
    return len(texts), count


def check_bounds(run, load_edits):
    """The run did what it was asked (edits, kills, faults) and stayed within the
    tier's bounds (unresolved edits, workload errors): verdicts.bound_failures."""
    row, stats = run.report.row, run.stats
    pg_cut, pg_restarts = postgres_cut(run)
    counts = {
        "asked_edits": run.args.edits,
        "edits": load_edits,
        "asked_kills": run.args.kills,
        "kills": run.server.kills,
        "restarts": run.server.kills + run.server.hangs + pg_restarts,
        "fault_rate": run.args.fault_rate,
        "faults": sum(1 for e in run.emulator.admin("GET", "log")["entries"] if e.get("fault")),
        "unresolved": row.get("unresolved", 0),
        "people": len(run.planners) + len(run.techs),
        "outage_errors": stats.get("errors: request cut by a restart") + pg_cut,
        "other_errors": stats.get("errors: other") - pg_cut,
    }
    row["workload_errors"] = counts["outage_errors"] + counts["other_errors"]
    for text in bound_failures(counts):
        run.report.fail(text)
