"""The prefork run with OCA's queue_job: its job runner loaded in the server
(``--load=base,web,queue_job``), the glue addon openfire_google_calendar_queue_job
installed in that mode's database, so that the scheduled action enqueues each account's
sync as a job the runner hands to the HTTP workers, as a deployment with queue_job does.

queue_job is where tools/setup_odoo.sh unpacks it (``$ODOO_HOME/.oca-addons``, or
``QUEUE_JOB_ADDONS``); ``--queue-job auto``, the default, uses it when it is there. The
kills leave jobs started by the workers they kill: the glue requeues them (its dead
jobs), and the figures count them."""

import os

from .common import log
from .processes import free_port

GLUE = "openfire_google_calendar_queue_job"
# one of the two HTTP workers stays for the users (a job runs in an HTTP worker)
CHANNELS = "root:1,root.google_calendar:1"


def addons_dir(args):
    path = os.environ.get("QUEUE_JOB_ADDONS") or os.path.join(args.odoo_home, ".oca-addons")
    return path if os.path.isfile(os.path.join(path, "queue_job", "__manifest__.py")) else None


def wanted(args, mode):
    """Whether this mode runs with queue_job (prefork only); ``on`` without queue_job is
    an error."""
    if mode != "prefork" or args.queue_job == "off":
        return False
    if addons_dir(args):
        return True
    if args.queue_job == "on":
        raise RuntimeError("--queue-job on, but no queue_job in %s" % args.odoo_home)
    return False


def install(run):
    """The glue (and queue_job) installed in the mode's database copy."""
    odoo = run.args.odoo.with_addons(addons_dir(run.args))
    log_path = os.path.join(run.workdir, "queue_job_install.log")
    with open(log_path, "wb") as out:
        done = odoo.install(
            run.db,
            GLUE,
            "--max-cron-threads=0",
            "--http-port",
            str(free_port()),
            "--data-dir",
            run.args.data_dir,
            "--log-level",
            "warn",
            stdout=out,
            timeout=900,
        )
    if done.returncode != 0:
        raise RuntimeError("installing %s failed; see %s" % (GLUE, log_path))
    log("  %s installed (queue_job from %s)" % (GLUE, addons_dir(run.args)))


def adapt(run):
    """The server of the mode loads queue_job and runs its job runner."""
    server = run.server
    server.odoo = server.odoo.with_addons(addons_dir(run.args))
    server.options += ["--load", "base,web,queue_job"]
    server.env = dict(os.environ, ODOO_QUEUE_JOB_CHANNELS=CHANNELS)
    run.report.row["queue_job"] = True


# what the server logs when it requeues a job found dead: the glue (every series), and
# queue_job's own runner on the releases that test its queue_job_lock (17.0, 19.0)
REQUEUED = (
    ("glue", "Google Calendar: requeued dead job"),
    ("queue_job", "Re-queued dead job with uuid"),
)


def requeued(log_path):
    """How many dead jobs were requeued, by whom, from the server's log."""
    counts = {who: 0 for who, _text in REQUEUED}
    try:
        with open(log_path, errors="replace") as handle:
            for line in handle:
                for who, text in REQUEUED:
                    if text in line:
                        counts[who] += 1
    except OSError:
        pass
    return counts


def figures(run):
    """Jobs by state (done, failed...), from the database, and the dead jobs
    requeued, from the log; a failed job is noted."""
    dead = requeued(run.server.log_path)
    run.report.row["jobs_requeued"] = dead
    log("  dead jobs requeued: %s" % dead)
    try:
        rows = run.admin.kw(
            "queue.job",
            "read_group",
            [[("channel", "like", "google_calendar")], ["state"], ["state"]],
            kind="check",
            retry_interrupted=True,
        )
    except Exception as exc:  # pylint: disable=broad-except
        run.report.note("queue.job not readable: %s" % exc)
        return
    states = {row["state"]: row.get("state_count", row.get("__count")) for row in rows}
    run.report.row["jobs"] = states
    log("  queue_job jobs: %s" % states)
    if states.get("failed"):
        run.report.note("%s failed queue_job jobs" % states["failed"])
