#!/usr/bin/env bash
# The project's test command (README "Run the tests"; .ci/run calls it).
#   tier 1, always (no Odoo needed):
#     lint        tools/lint.sh: ruff, prettier (+ plugin-xml), eslint, pylint-odoo (mandatory
#                 config), oca-checks-odoo-module, oca-checks-po, in check mode: 0 findings;
#     docs        each addon's README.rst is the one tools/build_readme.py builds from readme/;
#     series      tools/build_series.py --check: the 18.0/19.0 trees build from the sources;
#     data files  XML/CSV well-formed;
#     pytest      the Google emulator and the sync core;
#   tier 2, the Odoo tier, for every Odoo series found (tools/odoo_tier.sh, one run each):
#     install with and without demo data with all tests (ours, Odoo's google_calendar and
#     google_account beside them), the wheels, the glue addon on OCA's queue_job (its own
#     tests), the uninstall check, the system tier.
# Where Odoo is looked for: ODOO_SERIES_DIRS (comma- or space-separated folders; default
# /opt/odoo17 /opt/odoo18 /opt/odoo19), or ODOO_HOME for one folder. A folder with an Odoo is
# brought up to date by tools/setup_odoo.sh (quick when nothing changed); a missing one is set
# up from ODOO_GIT_URL when that is set (e.g. a local mirror), else reported as not run.
# ODOO_TIER=0 skips tier 2, ODOO_TIER=1 makes "no Odoo found" a failure.
# The last line is "tests: N passed, M failed"; the exit status is 0 only when all passed.
set -uo pipefail
cd "$(dirname "$0")/.."
source tools/lib.sh   # series_of
REPO=$(pwd)
PY=${PY:-$REPO/.venv/bin/python}
failures=0
passed_total=0
failed_total=0
summary=()
start_all=$SECONDS

note() { summary+=("$1"); echo "== $1"; }

# What the tiers need and the machine may not have yet: .venv and node_modules.
if [ ! -x "$PY" ] || [ ! -x node_modules/.bin/prettier ]; then
    echo "== set-up: tools/setup.sh (no .venv or node_modules yet)"
    bash tools/setup.sh || echo "== set-up FAILED: the tiers below will say what is missing"
fi
check() {   # check NAME COMMAND...: a static check counts as one test
    local name=$1; shift
    echo "== tier 1: $name"
    local t=$SECONDS
    if "$@"; then
        note "$name: ok ($((SECONDS - t)) s)"; passed_total=$((passed_total + 1))
    else
        note "$name: FAILED ($((SECONDS - t)) s; see above)"; failures=$((failures + 1))
        failed_total=$((failed_total + 1))
    fi
}

# ---- tier 1: static checks -------------------------------------------------------------------
check "lint (tools/lint.sh)" bash tools/lint.sh
check "README.rst built from readme/ (tools/build_readme.py --check)" "$PY" tools/build_readme.py --check
if [ -f tools/build_series.py ]; then
    check "series trees (tools/build_series.py --check)" "$PY" tools/build_series.py --check
fi
check "XML/CSV well-formed" "$PY" tools/check_data_files.py

# ---- tier 1: pytest ---------------------------------------------------------------------------
echo "== tier 1: pytest (emulator, sync core)"
log=$(mktemp)
t=$SECONDS
"$PY" -m pytest -q -p no:cacheprovider 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
line=$(grep -E "(passed|failed|errors?|no tests ran).* in [0-9.]+s" "$log" | tail -1)
passed=$(echo "$line" | grep -oE "[0-9]+ passed" | awk '{s += $1} END {print s + 0}')
failed=$(echo "$line" | grep -oE "[0-9]+ (failed|errors?)" | awk '{s += $1} END {print s + 0}')
rm -f "$log"
passed_total=$((passed_total + passed)); failed_total=$((failed_total + failed))
if [ "$status" -eq 5 ] || [ "$passed" -eq 0 ]; then
    note "pytest tier: FAILED, it ran no test (exit $status)"; failures=$((failures + 1))
    failed_total=$((failed_total + 1))
elif [ "$status" -ne 0 ]; then
    note "pytest tier: FAILED ($passed passed, $failed failed, exit $status, $((SECONDS - t)) s)"
    failures=$((failures + 1)); [ "$failed" -eq 0 ] && failed_total=$((failed_total + 1))
else
    note "pytest tier: $passed passed ($((SECONDS - t)) s)"
fi

# ---- tier 2: Odoo, every series found ---------------------------------------------------------
if [ -n "${ODOO_SERIES_DIRS:-}" ]; then
    dirs=${ODOO_SERIES_DIRS//,/ }
elif [ -n "${ODOO_HOME:-}" ]; then
    dirs=$ODOO_HOME
else
    dirs="/opt/odoo17 /opt/odoo18 /opt/odoo19"
fi
ran_series=()
if [ "${ODOO_TIER:-auto}" = 0 ]; then
    note "odoo tier: NOT RUN (ODOO_TIER=0)"
else
    for dir in $dirs; do
        series=$(series_of "$dir")
        if [ -z "$series" ]; then
            # /opt/odoo18 -> 18.0; a folder named otherwise needs its Odoo already there.
            guess=$(basename "$dir" | sed -n 's/^odoo\([0-9][0-9]\)$/\1.0/p')
            if [ -n "${ODOO_GIT_URL:-}" ] && [ -n "$guess" ]; then
                echo "== tier 2: no Odoo in $dir: setting up Odoo $guess from ODOO_GIT_URL=$ODOO_GIT_URL"
                bash tools/setup_odoo.sh "$guess" "$dir" || {
                    note "odoo $guess: FAILED to set up $dir (tools/setup_odoo.sh above)"
                    failures=$((failures + 1)); failed_total=$((failed_total + 1)); continue; }
                series=$guess
            else
                note "odoo tier: no Odoo in $dir (tools/setup_odoo.sh SERIES $dir makes one; or set ODOO_GIT_URL)"
                continue
            fi
        else
            # Quick when nothing changed; re-installs the emulator when its code changed.
            bash tools/setup_odoo.sh "$series" "$dir" > "${TMPDIR:-/tmp}/ofgc-setup-$series.out" 2>&1 || {
                cat "${TMPDIR:-/tmp}/ofgc-setup-$series.out"
                note "odoo $series: FAILED to bring $dir up to date (tools/setup_odoo.sh above)"
                failures=$((failures + 1)); failed_total=$((failed_total + 1)); continue; }
        fi
        echo "== tier 2: Odoo $series at $dir"
        ran_series+=("$series")
        t=$SECONDS
        sumfile="${TMPDIR:-/tmp}/ofgc-odoo-tier-$series.summary"
        ODOO_HOME=$dir ODOO_PYTHON="$dir/.venv/bin/python" bash tools/odoo_tier.sh
        status=$?
        counts=$(tail -1 "$sumfile" 2>/dev/null)
        p=$(echo "$counts" | grep -oE "^[0-9]+" || echo 0)
        f=$(echo "$counts" | grep -oE "[0-9]+ failed" | grep -oE "[0-9]+" || echo 1)
        [ "$status" -ne 0 ] && [ "${f:-0}" -eq 0 ] && f=1
        passed_total=$((passed_total + ${p:-0})); failed_total=$((failed_total + ${f:-0}))
        details=$(grep -E "^(demo|nodemo|queue_job|uninstall|system|wheels)" "$sumfile" 2>/dev/null \
                  | sed -E 's/ \(exit [^)]*\)//; s/, log .*$//' | paste -sd '|' | sed 's/|/ | /g')
        if [ "$status" -eq 0 ]; then
            note "odoo $series: ${counts:-?} ($((SECONDS - t)) s) [$details]"
        else
            note "odoo $series: FAILED: ${counts:-?} ($((SECONDS - t)) s) [$details]"
            failures=$((failures + 1))
        fi
    done
    if [ ${#ran_series[@]} -eq 0 ]; then
        if [ "${ODOO_TIER:-auto}" = 1 ]; then
            note "odoo tier: FAILED, ODOO_TIER=1 but no Odoo found in: $dirs"
            failures=$((failures + 1)); failed_total=$((failed_total + 1))
        else
            note "odoo tier: NOT RUN (no Odoo in $dirs; see README, \"The Odoo tier\")"
        fi
    fi
fi

echo
echo "== summary ($((SECONDS - start_all)) s)"
printf '   %s\n' "${summary[@]}"
echo "   tiers run: tier 1 (lint, docs, data files, pytest)${ran_series[*]:+; Odoo tier for ${ran_series[*]}}"
echo "tests: $passed_total passed, $failed_total failed"
[ "$failures" -eq 0 ]
