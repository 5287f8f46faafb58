# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Which Odoo a bench runs against, before it imports Odoo: ``--odoo-home`` (default
/opt/odoo19, the series most people install, or $ODOO_HOME), its series read from its
``odoo/release.py``, and our addons for that series: the repository itself for 17.0, the
tree ``tools/build_series.py`` builds for 18.0 and 19.0.

A bench started with another interpreter than that Odoo's virtualenv is started again with
it (Odoo and its dependencies are imported in the bench's own process). Processes are
started with tools/system_tier/processes.py, the launchers the system tier uses.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))

from system_tier.processes import OdooInstall, Postgres  # noqa: E402

DEFAULT_HOME = os.environ.get("ODOO_HOME", "/opt/odoo19")


def add_argument(parser):
    """The bench's ``--odoo-home`` option (read before the parser runs, see ``prepare``)."""
    parser.add_argument(
        "--odoo-home",
        default=DEFAULT_HOME,
        help="Odoo's source and its .venv (default %s); 17.0, 18.0 or 19.0" % DEFAULT_HOME,
    )


def series_of(home):
    """ "17.0", "18.0" or "19.0": the ``version_info`` of ``home/odoo/release.py``."""
    with open(os.path.join(home, "odoo", "release.py")) as handle:
        match = re.search(r"^version_info = \((\d+), (\d+)", handle.read(), re.MULTILINE)
    if not match:
        raise SystemExit("no version_info in %s/odoo/release.py" % home)
    return "%s.%s" % match.groups()


def our_addons(series):
    """The directory holding our addons for ``series``, built when it is not 17.0."""
    if series == "17.0":
        return REPO
    out = os.path.join(tempfile.gettempdir(), "openfire-bench-addons-%s" % series)
    done = subprocess.run(
        [sys.executable, os.path.join(REPO, "tools", "build_series.py"), series, out],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit("tools/build_series.py %s failed:\n%s" % (series, done.stdout[-2000:]))
    return out


def prepare(argv=None):
    """(OdooInstall, series) for the ``--odoo-home`` of ``argv`` (default sys.argv): the
    bench runs under that Odoo's virtualenv, with Odoo and this repository importable."""
    pre = argparse.ArgumentParser(add_help=False)
    add_argument(pre)
    known, _rest = pre.parse_known_args(sys.argv[1:] if argv is None else argv)
    home = os.path.abspath(known.odoo_home)
    venv = os.path.join(home, ".venv")
    if os.path.isdir(venv) and os.path.realpath(sys.prefix) != os.path.realpath(venv):
        python = os.path.join(venv, "bin", "python")
        os.execv(python, [python] + sys.argv)
    sys.path[:0] = [home, REPO]
    series = series_of(home)
    addons = [os.path.join(home, "addons"), os.path.join(home, "odoo", "addons")]
    addons.append(our_addons(series))
    return OdooInstall(sys.executable, home, ",".join(addons), Postgres.from_environ()), series
