#!/usr/bin/env bash
# The project's test command (README "Run the tests"; .ci/run calls it).
#   tier 1, always: pylint-odoo on both addons, XML/CSV well-formedness, and the
#           Odoo-free pytest tier (the Google emulator, the sync core);
#   tier 2, when an Odoo 17 is found: install both addons in fresh databases
#           (with and without demo data) with their tests, and uninstall the connector.
# Odoo is looked for in $ODOO_HOME (default /opt/odoo17) run by $ODOO_PYTHON (default
# $ODOO_HOME/.venv/bin/python); ODOO_TIER=0 skips it, ODOO_TIER=1 makes its absence an error.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)
PY=${PY:-$REPO/.venv/bin/python}
failures=0
passed_total=0
failed_total=0
summary=()

note() { summary+=("$1"); echo "== $1"; }

# ---- tier 1: static checks -------------------------------------------------------------------
echo "== tier 1: pylint-odoo"
if "$PY" -m pylint --rcfile=.pylintrc openfire_planning openfire_google_calendar; then
    note "pylint-odoo: 0 messages"
else
    note "pylint-odoo: FAILED (messages above)"; failures=$((failures + 1))
fi
if "$PY" tools/check_data_files.py; then
    note "XML/CSV: well-formed"
else
    note "XML/CSV: FAILED"; failures=$((failures + 1))
fi

# ---- tier 1: pytest ---------------------------------------------------------------------------
echo "== tier 1: pytest (emulator, sync core)"
log=$(mktemp)
"$PY" -m pytest -q -p no:cacheprovider 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
line=$(grep -E "(passed|failed|errors?|no tests ran).* in [0-9.]+s" "$log" | tail -1)
passed=$(echo "$line" | grep -oE "[0-9]+ passed" | awk '{s += $1} END {print s + 0}')
failed=$(echo "$line" | grep -oE "[0-9]+ (failed|errors?)" | awk '{s += $1} END {print s + 0}')
rm -f "$log"
passed=${passed:-0}
passed_total=$((passed_total + passed)); failed_total=$((failed_total + failed))
if [ "$status" -eq 5 ] || [ "$passed" -eq 0 ]; then
    note "pytest tier: FAILED, it ran no test (exit $status)"; failures=$((failures + 1))
elif [ "$status" -ne 0 ]; then
    note "pytest tier: FAILED ($passed passed, $failed failed, exit $status)"; failures=$((failures + 1))
else
    note "pytest tier: $passed passed"
fi

# ---- tier 2: Odoo -----------------------------------------------------------------------------
ODOO_HOME=${ODOO_HOME:-/opt/odoo17}
ODOO_PYTHON=${ODOO_PYTHON:-$ODOO_HOME/.venv/bin/python}
odoo_found=0
if [ "${ODOO_TIER:-auto}" != 0 ] && [ -x "$ODOO_PYTHON" ] && [ -f "$ODOO_HOME/odoo-bin" ] \
        && (cd "$ODOO_HOME" && "$ODOO_PYTHON" -c "import odoo" 2>/dev/null); then
    odoo_found=1
fi
if [ "$odoo_found" = 1 ]; then
    echo "== tier 2: Odoo 17 at $ODOO_HOME"
    if "$REPO/tools/odoo_tier.sh"; then
        odoo_line=$(tail -1 "${TMPDIR:-/tmp}/ofgc-odoo-tier.summary")
        note "odoo tier: $odoo_line"
        passed_total=$((passed_total + $(echo "$odoo_line" | grep -oE "^[0-9]+")))
    else
        note "odoo tier: FAILED ($(tail -1 "${TMPDIR:-/tmp}/ofgc-odoo-tier.summary" 2>/dev/null))"
        failures=$((failures + 1)); failed_total=$((failed_total + 1))
    fi
elif [ "${ODOO_TIER:-auto}" = 1 ]; then
    note "odoo tier: FAILED, ODOO_TIER=1 but no Odoo 17 at $ODOO_HOME"; failures=$((failures + 1))
else
    note "odoo tier: NOT RUN (no importable Odoo 17 at ODOO_HOME=$ODOO_HOME; see README)"
fi

echo
echo "== summary"
printf '   %s\n' "${summary[@]}"
echo "tests: $passed_total passed, $failed_total failed"
[ "$failures" -eq 0 ]
