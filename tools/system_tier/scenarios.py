"""The named fault scenarios, run one after the other once a mode's load passed its
checks: each does its fault to the running system, then judges the database and the
emulator (its own checks, then quiescence and both sides compared again, 0 duplicates).

``--scenarios`` names them (comma-separated, ``all``, or ``none``); the default is the
list CI runs. A scenario that a known product defect makes fail is listed in
``EXPECTED_TO_FAIL`` with the defect's description: it still runs, its failures are
printed as "expected failure" with that reason, and it turns into a failure the day it
passes (so the list is kept true)."""

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
# What CI runs, per mode (the tier's time budget): the threaded run's technicians
# without a login are delegated, the prefork run's use shared calendars and queue_job.
DEFAULT = {
    "threaded": ("consent-revoked", "delegation-removed"),
    "prefork": ("pg-restart", "calendar-unshared"),
}
# scenario -> (modes, why): not run in these modes unless named in --scenarios, and then
# expected to fail for that reason (a defect outside the connector)
NOT_BY_DEFAULT = {
    "pg-restart": (
        ("threaded",),
        "Odoo's threaded server: a cron thread whose reconnection PostgreSQL refuses dies "
        "for good (odoo/service/server.py cron_thread opens its connection outside any "
        "try), so no scheduled action runs until Odoo is restarted",
    ),
}
# scenario -> why it is expected to fail today (a product defect, reported)
EXPECTED_TO_FAIL = {
    "google-outage": (
        "the connector's defect: with Google silent (connections accepted, never answered), "
        '"Sync. avec Google" waits the Google client\'s 30 s socket timeout per call '
        "(sync/credentials.py DEFAULT_TIMEOUT, also for the interactive sync) and answers after "
        "60 s or more; in prefork both HTTP workers are held and the server stops answering"
    ),
}


def selected(args, mode):
    """The scenarios this mode does, in the order of SCENARIOS."""
    wanted = getattr(args, "scenarios", None)
    if wanted in (None, ""):
        names = DEFAULT.get(mode, ())
    elif wanted == "all":
        names = tuple(
            name for name in SCENARIOS if mode not in NOT_BY_DEFAULT.get(name, ((), ""))[0]
        )
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
        modes, why = NOT_BY_DEFAULT.get(name, ((), ""))
        if run.mode in modes:
            log("  scenario %s in %s is expected to FAIL: %s" % (name, run.mode, why))


def run_all(run):
    """Each selected scenario on the mode's running system; failures go to the report
    (those of an expected-to-fail scenario are printed with the defect instead)."""
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
        if name in EXPECTED_TO_FAIL:
            del run.report.failures[len(before) :]
            if new:
                log(
                    "  scenario %s: expected failure (%s): %s"
                    % (name, EXPECTED_TO_FAIL[name], "; ".join(new))
                )
                run.report.row["scenarios"][name] = "expected failure"
            else:
                run.report.fail(
                    "scenario %s passed but is listed as expected to fail (%s): update "
                    "scenarios.EXPECTED_TO_FAIL" % (name, EXPECTED_TO_FAIL[name])
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
