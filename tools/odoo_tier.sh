#!/usr/bin/env bash
# The Odoo tier for ONE Odoo series (tools/test.sh runs it for every series it finds):
#   0. the addon tree of the series (tools/build_series.py SERIES, in a temporary folder);
#   1. "demo":   both addons (and the integrators' example, test_openfire_google_calendar) installed in a fresh database with demo data and --test-enable,
#                our tests and Odoo's google_calendar/google_account suites beside them;
#   2. "nodemo": the same without demo data, installed from WHEELS (every addon's built with
#                whool; the planning's and the connector's installed into a fresh virtualenv on
#                top of the series' one): no addons path to the repository or the series tree;
#   3. "queue_job": OCA's queue_job of the series (from PyPI, unpacked by tools/setup_odoo.sh
#                into ODOO_HOME/.oca-addons, or QUEUE_JOB_ADDONS) and the glue addon
#                openfire_google_calendar_queue_job installed in a third database, its tests;
#   4. "uninstall": the connector uninstalled, the planning still working;
#   5. "system": tools/system_tier.py (real Odoo servers), when it exists.
# Fails on a failed test, on a run with no test, on an addon left not installed (e.g. "not
# installable" on this series), and on any ERROR or WARNING logged about our addons. Odoo
# listens on 127.0.0.1 only, on a free port. Nothing is put on PYTHONPATH: the emulator the
# tests import is installed in Odoo's virtualenv (tools/setup_odoo.sh).
#
#   ODOO_HOME=/opt/odoo18 tools/odoo_tier.sh
# ODOO_PYTHON (default $ODOO_HOME/.venv/bin/python); PGHOST/PGPORT/PGUSER (127.0.0.1, 5432,
# root); KEEP_DB=1 keeps the databases; ODOO_WHEELS=0 runs "nodemo" from the tree instead;
# SYSTEM_TIER=0 skips the system tier; QUEUE_JOB_ONLY=1 runs the queue_job part alone;
# QUEUE_JOB_ADDONS (default $ODOO_HOME/.oca-addons) is where queue_job is. The last line of
# $TMPDIR/ofgc-odoo-tier-SERIES.summary is "<passed> passed, <failed> failed".
set -uo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
source "$REPO/tools/lib.sh"   # series_of, our_addons
ODOO_HOME=${ODOO_HOME:-/opt/odoo17}
ODOO_PYTHON=${ODOO_PYTHON:-$ODOO_HOME/.venv/bin/python}
SERIES=$(series_of "$ODOO_HOME")
[ -n "$SERIES" ] || { echo "odoo tier: no Odoo in ODOO_HOME=$ODOO_HOME (no odoo/release.py)"; exit 2; }
SUMMARY="${TMPDIR:-/tmp}/ofgc-odoo-tier-$SERIES.summary"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ofgc-odoo-$SERIES.XXXX")
: > "$SUMMARY"
unset PYTHONPATH
PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}; PGUSER=${PGUSER:-root}
total_passed=0
total_failed=0
ok=1
tier_start=$SECONDS
say() { echo "[$SERIES] $*"; }
record() { echo "$*" >> "$SUMMARY"; say "$*"; }

# ---- 0. the addon tree of this series ----------------------------------------------------------
if [ -f "$REPO/tools/build_series.py" ]; then
    ADDONS="$WORK/addons"
    if ! python3 "$REPO/tools/build_series.py" "$SERIES" "$ADDONS" > "$WORK/build.log" 2>&1; then
        cat "$WORK/build.log"; record "build_series.py $SERIES FAILED"
        echo "0 passed, 1 failed" >> "$SUMMARY"; exit 1
    fi
elif [ "$SERIES" = 17.0 ]; then
    ADDONS="$REPO"          # the canonical tree is 17.0
else
    record "no tools/build_series.py: only 17.0 can run"; echo "0 passed, 1 failed" >> "$SUMMARY"; exit 1
fi
say "addons: $ADDONS"

# A port nobody uses: the HTTP tests talk to this server, and so does the emulator's push.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${ODOO_TEST_PORT:-$(free_port)}
DB_ARGS=(--db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER")
ODOO_PATHS="$ODOO_HOME/addons,$ODOO_HOME/odoo/addons"
RUN_ARGS=(--data-dir="$WORK/data" "${DB_ARGS[@]}" --http-interface=127.0.0.1 --http-port="$PORT"
          --stop-after-init --max-cron-threads=0)
ADDON_TAGS=/openfire_planning,/openfire_google_calendar
# With our addons installed, Odoo's own Google Calendar sync must still pass its tests.
ODOO_GOOGLE_TAGS=$ADDON_TAGS,/google_calendar,/google_account
case "$SERIES" in
    17.0|18.0) WITH_DEMO=(); WITHOUT_DEMO=(--without-demo=all) ;;
    *)         WITH_DEMO=(--with-demo); WITHOUT_DEMO=() ;;     # 19.0: no demo data by default
esac

psql_q() { psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$1" -tAqc "$2" 2>/dev/null; }
drop_db() { dropdb -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" --if-exists "$1" 2>/dev/null; }

# run_install NAME DB PYTHON ADDONS_PATH EXTRA_ARGS...: install with tests, check the log and
# the modules' state, count the tests. INSTALL (default openfire_google_calendar) is what -i
# installs, EXPECT (default: our two addons) the modules that must end up installed.
run_install() {
    local name=$1 db=$2 python=$3 paths=$4; shift 4
    local log="$WORK/$name.log" start=$SECONDS
    local install=${INSTALL:-openfire_google_calendar}
    local expect=${EXPECT:-openfire_google_calendar openfire_planning}
    drop_db "$db"
    say "-- $name: odoo-bin -d $db -i $install --test-enable $*"
    "$python" "$ODOO_HOME/odoo-bin" --addons-path="$paths" "${RUN_ARGS[@]}" -d "$db" \
        -i "$install" --test-enable --test-tags "$ADDON_TAGS" --log-level=test "$@" \
        > "$log" 2>&1
    local status=$?
    say "$name: $(grep -m1 -oE "addons paths: .*" "$log")"
    local ran failed
    ran=$(grep -oE "odoo.tests.result: .* of [0-9]+ tests" "$log" | grep -oE "[0-9]+ tests" \
          | awk '{s += $1} END {print s + 0}')
    failed=$(grep -oE "odoo.tests.result: [0-9]+ failed, [0-9]+ error" "$log" \
             | grep -oE "[0-9]+ (failed|error)" | awk '{s += $1} END {print s + 0}')
    local ours
    ours=$(grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|WARNING|CRITICAL) " "$log" \
           | grep -iE "openfire|of[._]planning|google_emulator" | grep -v "odoo.tests.result" || true)
    grep -E "(ERROR|FAIL):|Traceback|odoo.tests.stats: openfire|odoo.tests.result" "$log" | head -60
    if [ -n "$ours" ]; then
        say "ERROR/WARNING lines about our addons:"; echo "$ours" | head -30
        ok=0
    fi
    local checks=0 states why=()
    local names wanted
    names=$(printf "'%s'," $expect | sed 's/,$//')
    wanted=$(printf '%s=installed\n' $expect | LC_ALL=C sort | tr '\n' ' ')
    states=$(psql_q "$db" "SELECT name || '=' || state FROM ir_module_module
                           WHERE name IN ($names) ORDER BY name COLLATE \"C\"" \
             | tr '\n' ' ')
    if [ "$states" != "$wanted" ]; then
        say "$name: our addons are not installed: ${states:-no such modules}"
        grep -E "not installable|invalid module names|Some modules are not loaded" "$log" | head
        ok=0; checks=$((checks + 1)); why+=("addons not installed")
    fi
    if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then ok=0; fi
    if [ "$ran" -eq 0 ]; then say "$name: no test ran"; ok=0; checks=$((checks + 1)); why+=("0 tests"); fi
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then   # crashed outside the tests
        checks=$((checks + 1)); why+=("odoo-bin exit $status")
    fi
    if [ -n "$ours" ]; then
        checks=$((checks + 1)); why+=("$(echo "$ours" | wc -l) ERROR/WARNING lines about our addons")
    fi
    total_passed=$((total_passed + ran - failed)); total_failed=$((total_failed + failed + checks))
    local extra=""
    [ ${#why[@]} -gt 0 ] && extra=", FAILED: $(printf '%s; ' "${why[@]}" | sed 's/; $//')"
    record "$name: $ran tests run, $failed failed$extra (exit $status, $((SECONDS - start)) s, log $log)"
}

# make_wheel_env: every addon's wheel built (whool, offline); those the connector's install
# needs (it and the addons of ours it depends on) installed into a fresh virtualenv made on top
# of the series' one: the others require addons from elsewhere (the glue, OCA's queue_job).
# Prints nothing on success, sets WHEEL_PYTHON.
WHEEL_PYTHON=""
make_wheel_env() {
    local wheels="$WORK/wheels" venv="$WORK/wheel-venv" src="$WORK/wheel-src"
    local addon all=() needed=() installed=()
    mkdir -p "$wheels" "$src"
    mapfile -t all < <(our_addons --source "$ADDONS" --installable)
    mapfile -t needed < <(our_addons --source "$ADDONS" --needed-by openfire_google_calendar)
    # From a copy: a build leaves nothing in the repository.
    for addon in "${all[@]}"; do cp -r "$ADDONS/$addon" "$src/"; done
    "$ODOO_PYTHON" -m pip --disable-pip-version-check wheel --no-deps --no-build-isolation \
        --no-index -w "$wheels" "${all[@]/#/$src/}" \
        > "$WORK/wheels.log" 2>&1 || { tail -20 "$WORK/wheels.log"; return 1; }
    say "wheels: $(cd "$wheels" && ls | tr '\n' ' ')"
    for addon in "${needed[@]}"; do
        installed+=("$(ls "$wheels"/odoo_addon_"$addon"-*.whl 2>/dev/null)")
        [ -f "${installed[-1]}" ] || { say "wheels: none for $addon in $wheels"; return 1; }
    done
    "$ODOO_PYTHON" -m venv --without-pip "$venv" || return 1
    local base_site site
    base_site=$("$ODOO_PYTHON" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    site=$("$venv/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    echo "$base_site" > "$site/odoo-series-venv.pth"      # Odoo's requirements, the emulator
    local pip=("$ODOO_PYTHON" -m pip --disable-pip-version-check --python "$venv/bin/python")
    # Odoo itself as a distribution (as OCA's CI does: pip install -e odoo), so that the wheels'
    # "odoo>=SERIES" requirement is met; then those wheels, and every requirement they declare
    # checked (not resolved by pip: Odoo's own metadata names psycopg2, the venv has the binary).
    { "${pip[@]}" install --no-deps --no-build-isolation --no-index -e "$ODOO_HOME" &&
      "${pip[@]}" install --no-deps --no-index "${installed[@]}" &&
      "$venv/bin/python" - "${installed[@]}" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path
from pip._vendor.packaging.requirements import Requirement

missing = []
for wheel in sorted(Path(arg) for arg in sys.argv[1:]):
    dist = distribution(wheel.name.split("-")[0])
    for line in dist.requires or []:
        req = Requirement(line)
        try:
            found = distribution(req.name).version
        except PackageNotFoundError:
            missing.append(f"{dist.name}: {req} (not installed)")
            continue
        if not req.specifier.contains(found, prereleases=True):
            missing.append(f"{dist.name}: {req} (found {found})")
        else:
            print(f"requirement met: {dist.name} -> {req} ({found})")
if missing:
    sys.exit("requirements NOT met:\n  " + "\n  ".join(missing))
PY
    } >> "$WORK/wheels.log" 2>&1 || { tail -20 "$WORK/wheels.log"; return 1; }
    grep -E "^requirement met" "$WORK/wheels.log" | sed "s/^/[$SERIES] /"
    WHEEL_PYTHON="$venv/bin/python"
}

DB=ofgc_test_${SERIES%%.*}_$$
if [ "${QUEUE_JOB_ONLY:-0}" != 1 ]; then   # QUEUE_JOB_ONLY=1: the queue_job part alone
# with the integrators' example addon (test_openfire_google_calendar) and its tests
INSTALL=openfire_google_calendar,test_openfire_google_calendar \
EXPECT="openfire_google_calendar openfire_planning test_openfire_google_calendar" \
    run_install demo "${DB}_demo" "$ODOO_PYTHON" "$ODOO_PATHS,$ADDONS" \
    --test-tags "$ODOO_GOOGLE_TAGS,/test_openfire_google_calendar" "${WITH_DEMO[@]}"

if [ "${ODOO_WHEELS:-1}" != 0 ]; then
    if make_wheel_env; then
        run_install nodemo-from-wheels "${DB}_nodemo" "$WHEEL_PYTHON" "$ODOO_PATHS" "${WITHOUT_DEMO[@]}"
    else
        record "wheels: FAILED (build or install, log $WORK/wheels.log)"
        ok=0; total_failed=$((total_failed + 1))
    fi
else
    run_install nodemo "${DB}_nodemo" "$ODOO_PYTHON" "$ODOO_PATHS,$ADDONS" "${WITHOUT_DEMO[@]}"
fi
fi  # QUEUE_JOB_ONLY

# ---- queue_job: the glue addon on OCA's queue_job (tools/setup_odoo.sh unpacked the series'
# release from PyPI into ODOO_HOME/.oca-addons), its own tests only: one more install.
QUEUE_JOB_ADDONS=${QUEUE_JOB_ADDONS:-$ODOO_HOME/.oca-addons}
if [ -f "$QUEUE_JOB_ADDONS/queue_job/__manifest__.py" ]; then
    qj_version=$(cat "$QUEUE_JOB_ADDONS/.version" 2>/dev/null || echo "?")
    INSTALL=openfire_google_calendar_queue_job \
    EXPECT="openfire_google_calendar_queue_job queue_job openfire_google_calendar openfire_planning" \
        run_install "queue_job-$qj_version" "${DB}_queue_job" "$ODOO_PYTHON" \
        "$ODOO_PATHS,$ADDONS,$QUEUE_JOB_ADDONS" --test-tags /openfire_google_calendar_queue_job \
        "${WITHOUT_DEMO[@]}"
    [ "${KEEP_DB:-0}" != 1 ] && drop_db "${DB}_queue_job"
else
    record "queue_job: FAILED, not found in $QUEUE_JOB_ADDONS (tools/setup_odoo.sh $SERIES $ODOO_HOME downloads it)"
    ok=0; total_failed=$((total_failed + 1))
fi

if [ "${QUEUE_JOB_ONLY:-0}" != 1 ]; then
say "-- uninstall: the connector goes, the planning stays"
"$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" shell --addons-path="$ODOO_PATHS,$ADDONS" "${RUN_ARGS[@]}" \
    -d "${DB}_demo" --log-level=warn < "$REPO/tools/odoo_uninstall_check.py" > "$WORK/uninstall.log" 2>&1
if grep -q "^uninstall check: ok" "$WORK/uninstall.log"; then
    record "$(grep "^uninstall check" "$WORK/uninstall.log")"
    total_passed=$((total_passed + 1))
else
    say "uninstall check FAILED:"; tail -30 "$WORK/uninstall.log"; ok=0
    record "uninstall check: FAILED"; total_failed=$((total_failed + 1))
fi

if [ "${KEEP_DB:-0}" != 1 ]; then
    drop_db "${DB}_demo"; drop_db "${DB}_nodemo"
fi

if [ "${SYSTEM_TIER:-1}" != 0 ] && [ -f "$REPO/tools/system_tier.py" ]; then
    say "-- system tier: tools/system_tier.py (real Odoo servers)"
    start=$SECONDS
    "$ODOO_PYTHON" "$REPO/tools/system_tier.py" --odoo-home "$ODOO_HOME" \
        --addons-path "$ODOO_PATHS,$ADDONS" > "$WORK/system.log" 2>&1
    status=$?
    cat "$WORK/system.log" | tail -40
    last=$(grep -E "^system tier: " "$WORK/system.log" | tail -1)
    if [ "$status" -eq 0 ] && [[ "$last" == "system tier: ok"* ]]; then
        total_passed=$((total_passed + 1))
    else
        ok=0; total_failed=$((total_failed + 1)); last="system tier: FAILED (exit $status) ${last#system tier: }"
    fi
    record "$last ($((SECONDS - start)) s)"
elif [ "${SYSTEM_TIER:-1}" != 0 ]; then
    record "system tier: not run (no tools/system_tier.py)"
fi
fi  # QUEUE_JOB_ONLY

[ "$ok" = 1 ] && [ "${KEEP_WORK:-0}" != 1 ] && rm -rf "$WORK"
record "Odoo $SERIES: $total_passed passed, $total_failed failed in $((SECONDS - tier_start)) s"
echo "$total_passed passed, $total_failed failed" >> "$SUMMARY"
[ "$ok" = 1 ]
