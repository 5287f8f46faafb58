"""The connector uninstalled and installed again on the mode's database (``reinstall``).

Uninstalling drops the connector's tables: the accounts, their tokens, the links between
RDVs and events, the sync tokens; the RDVs stay, and so does the sync's identity (plain
system parameters). While it is away the office and the phones go on. Installed again,
the integrator's steps are redone (the group, the cron every minute), every technician
with a login connects again through the consent flow, the technicians without one are
woken. What must hold once the syncs settled:

* each technician syncs into the calendar he had (no second calendar made beside it);
* the existing events are adopted: no duplicate, no event without its RDV (orphan),
  each live RDV one event, both sides the same;
* what the office and the phones changed while the connector was away reached the other
  side (the tier's lost-edit check).
"""

import random
import time

from . import checks, configure, field_techs
from .common import log
from .planners import Planners

EDITS_AWAY = 6  # office and phone edits while the connector is uninstalled
MODULE = "openfire_google_calendar"


def modules(run, states):
    """The connector and the installed modules that depend on it (queue_job's glue,
    an example addon), as ``ir.module.module`` rows."""
    return run.admin.kw(
        "ir.module.module",
        "search_read",
        [[("name", "=like", MODULE + "%"), ("state", "in", states)]],
        {"fields": ["id", "name"]},
        kind="setup",
    )


def button(run, ids, method):
    started = time.monotonic()
    run.admin.kw("ir.module.module", method, [ids], kind="setup", timeout=600)
    return time.monotonic() - started


def away(run, rng):
    """What the office and the phones do while the connector is uninstalled."""
    planners = Planners(run)
    for n in range(EDITS_AWAY):
        if n % 2 == 0:
            planner = run.planners[n % len(run.planners)]
            live = run.ledger.live_rdvs()
            if n % 4 == 0 or not live:
                planners.create(planner, rng)
            else:
                planners.change(planner, rng, rng.choice(live), cancel=False)
        else:
            tech = run.techs[n % len(run.techs)]
            if tech["calendar"]:
                run.phones.edit(tech, rng)


def reconfigure(run):
    """The integrator's steps the uninstallation undid: the connector's group given to
    every user, the scheduled action every minute, the technicians whose changes are
    proposed (a field of the connector's on the employee; the system parameters
    stayed)."""
    admin = run.admin
    recurring = configure.xmlid(admin, "openfire_planning", "group_of_planning_recurring")
    google = configure.xmlid(admin, MODULE, "group_of_planning_google")
    base_user = configure.xmlid(admin, "base", "group_user")
    admin.kw(
        "res.groups",
        "write",
        [[base_user], {"implied_ids": [(4, recurring), (4, google)]}],
        kind="setup",
    )
    configure.schedule_cron(admin)
    for tech in run.techs:
        if tech["index"] in run.ledger.proposing:
            admin.kw(
                "hr.employee",
                "write",
                [[tech["employee"]], {"of_google_changes": "proposed"}],
                kind="setup",
            )


def secondary_calendars(run, login):
    """The ids of the secondary calendars in ``login``'s Google account."""
    for account in run.emulator.admin("GET", "accounts")["accounts"]:
        if account["email"] == login:
            return {c["id"] for c in account["calendars"] if not c["primary"]}
    return set()


def reconnect_owner(run, owner, held):
    """The shared calendars' owner through the consent flow again. He holds his
    technicians' calendars besides his own, which configure.connect counts as calendars
    made beside his (more than one secondary calendar): judged here by their ids
    instead, none made beside the ones he held (``held``)."""
    configure.connect(run, owner, count_calendars=False)
    made = secondary_calendars(run, owner["login"]) - held
    if made:
        run.report.fail(
            "reinstall: %s has calendars made beside the ones he held: %s"
            % (owner["login"], sorted(made))
        )


def reconnect(run, calendars, held=None):
    """Each technician with a login through the consent flow again (his first sync
    included), the shared calendars' owner too; the others woken until their account
    has a calendar; each calendar the one he had."""
    owner = getattr(run, "shared_owner", None)
    if owner:
        reconnect_owner(run, owner, held or set())
    for tech in run.techs:
        if not tech.get("field"):
            configure.connect(run, tech)
    field = [t for t in run.techs if t.get("field")]
    for tech in field:
        tech["calendar"] = None
    field_techs.first_calendars(run)
    for tech in run.techs:
        before = calendars[tech["login"]]
        if tech["calendar"] != before:
            run.report.fail(
                "reinstall: %s syncs into %s, not into the calendar he had (%s)"
                % (tech["login"], tech["calendar"], before)
            )


def scenario_reinstall(run):
    """See the module."""
    from .scenarios import converge  # pylint: disable=import-outside-toplevel

    rng = random.Random(run.args.seed + 11)
    calendars = {tech["login"]: tech["calendar"] for tech in run.techs}
    owner = getattr(run, "shared_owner", None)
    held = secondary_calendars(run, owner["login"]) if owner else set()
    if run.ledger.proposing:  # dropped with the connector's tables: judged all the same
        run.proposals_uninstalled = [
            row for rows in checks.proposal_rows(run).values() for row in rows
        ]
    installed = modules(run, ["installed"])
    connector = [m["id"] for m in installed if m["name"] == MODULE]
    seconds = button(run, connector, "button_immediate_uninstall")
    left = modules(run, ["installed", "to remove", "to upgrade"])
    log(
        "  reinstall: %s uninstalled in %.0f s%s"
        % (
            ", ".join(m["name"] for m in installed),
            seconds,
            " (still installed: %s)" % left if left else "",
        )
    )
    if left:
        run.report.fail("reinstall: still installed after the uninstallation: %s" % left)
        return
    away(run, rng)
    seconds = button(run, [m["id"] for m in installed], "button_immediate_install")
    log("  reinstall: installed again in %.0f s" % seconds)
    reconfigure(run)
    reconnect(run, calendars, held)
    started = time.monotonic()
    converge(run, "the reinstallation")
    run.report.row["reinstall_converged_after"] = round(time.monotonic() - started, 1)
