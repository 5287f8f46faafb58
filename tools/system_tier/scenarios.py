"""The named fault scenarios, run one after the other once a mode's load passed its
checks: each does its fault to the running system, then judges the database and the
emulator (its own checks, then quiescence and both sides compared again, 0 duplicates).

``--scenarios`` names them (comma-separated, ``all``, or ``none``); the default is the
list CI runs. A scenario that a known defect makes fail is listed in ``KNOWN_FAILING``
with the defect's description, and kept out of the default: when it runs all the same,
the reason is printed before the load and its failures still fail the run (never a
silent pass); when it passes, the run says the list may be out of date."""

import time
import traceback

from . import checks, field_techs
from .common import log

# name -> (module, function): imported when run, so a scenario's module is only loaded
# when asked for.
SCENARIOS = {
    "pg-restart": ("faults_postgres", "scenario_restart"),
    "google-outage": ("faults_google", "scenario_outage"),
    "consent-revoked": ("scenario_access", "scenario_revoked"),
    "delegation-removed": ("scenario_access", "scenario_delegation"),
    "calendar-unshared": ("scenario_access", "scenario_unshared"),
    "backup-restored": ("scenario_backup", "scenario_backup"),
    "reinstall": ("scenario_reinstall", "scenario_reinstall"),
}
# What CI runs, per mode (the tier's time budget: CI runs three series, about 30 s more
# per series for the threaded scenarios together, 40 to 90 s for the prefork one): the
# threaded run's technicians without a login are delegated, the prefork run's use shared
# calendars and queue_job. The others pass and are run on demand: pg-restart (about 15 s
# with its restarts), calendar-unshared (prefork only, about 15 s) and reinstall.
DEFAULT = {
    "threaded": ("consent-revoked", "delegation-removed", "google-outage"),
    "prefork": ("backup-restored",),
}
# scenario -> (modes, why): a known defect makes it fail in these modes; announced before
# the load when it runs there (named in --scenarios, or "all"), so a failure is expected
# and said so; the scenario is out of CI's default until the defect is fixed.
KNOWN_FAILING = {}
# scenario -> the modes it can run in: calendar-unshared needs technicians synced by a
# planner's shared calendars, which only the prefork run has, delegation-removed
# technicians synced by delegation, which only the threaded run has ("all" leaves each
# out of the other run; named there, it fails and says why).
ONLY_IN = {"calendar-unshared": ("prefork",), "delegation-removed": ("threaded",)}


def selected(args, mode):
    """The scenarios this mode does, in the order of SCENARIOS."""
    wanted = getattr(args, "scenarios", None)
    if wanted in (None, ""):
        names = DEFAULT.get(mode, ())
    elif wanted == "all":
        names = tuple(name for name in SCENARIOS if mode in ONLY_IN.get(name, (mode,)))
    elif wanted == "none":
        names = ()
    else:
        names = tuple(name.strip() for name in wanted.split(",") if name.strip())
        unknown = set(names) - set(SCENARIOS)
        if unknown:
            raise SystemExit(
                "unknown scenarios: %s (known: %s)" % (sorted(unknown), list(SCENARIOS))
            )
    return [name for name in SCENARIOS if name in names]


def announce(run):
    """The mode's scenarios, printed before its load; a scenario named for a mode it is
    known to fail in says why, first."""
    names = selected(run.args, run.mode)
    log("  scenarios: %s" % (", ".join(names) or "none"))
    for name in names:
        modes, why = KNOWN_FAILING.get(name, ((), ""))
        if run.mode in modes:
            log(
                "  scenario %s in %s is expected to FAIL (a known defect): %s"
                % (name, run.mode, why)
            )


def run_all(run):
    """Each selected scenario on the mode's running system; failures go to the report
    (a known-failing one's too, after its reason was printed by ``announce``)."""
    for name in selected(run.args, run.mode):
        module_name, function = SCENARIOS[name]
        module = __import__("%s.%s" % (__package__, module_name), fromlist=[function])
        log("  scenario %s" % name)
        before = list(run.report.failures)
        started = time.monotonic()
        try:
            getattr(module, function)(run)
        except Exception as exc:  # pylint: disable=broad-except
            traceback.print_exc()
            run.report.fail("scenario %s stopped: %s" % (name, exc))
        new = run.report.failures[len(before) :]
        seconds = time.monotonic() - started
        run.report.row.setdefault("scenarios", {})[name] = "FAILED" if new else "ok"
        if run.mode in KNOWN_FAILING.get(name, ((), ""))[0]:
            if new:
                log("  scenario %s: the known defect showed: %s" % (name, "; ".join(new)[:600]))
                run.report.row["scenarios"][name] = "expected failure"
            else:
                log(
                    "  scenario %s passed though listed in scenarios.KNOWN_FAILING for %s: "
                    "is the defect fixed?" % (name, run.mode)
                )
        log("  scenario %s: %s in %.0f s" % (name, run.report.row["scenarios"][name], seconds))


def converge(run, what):
    """Quiescence then both sides compared again (0 duplicates, no mismatch, no lost
    edit), after ``what``."""
    before = len(run.report.failures)
    checks.quiesce(run)
    field_techs.resolve_edits(run)
    checks.check_sides(run)
    for text in run.report.failures[before:]:
        log("  after %s: %s" % (what, text))
