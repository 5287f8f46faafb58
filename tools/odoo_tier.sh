#!/usr/bin/env bash
# The Odoo tier: fresh databases, both addons installed with their tests, with and without
# demo data, then the connector uninstalled with the planning still working. Fails on a
# failed test, on an ERROR or WARNING logged about our addons, and on a run with no test.
# Writes "<passed> passed, <failed> failed" as the last line of $TMPDIR/ofgc-odoo-tier.summary.
set -uo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
ODOO_HOME=${ODOO_HOME:-/opt/odoo17}
ODOO_PYTHON=${ODOO_PYTHON:-$ODOO_HOME/.venv/bin/python}
SUMMARY="${TMPDIR:-/tmp}/ofgc-odoo-tier.summary"
WORK=$(mktemp -d)
: > "$SUMMARY"
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"   # the emulator, for the addons' tests
# A port nobody uses: the HTTP tests talk to this server, and so does the emulator's push.
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${ODOO_TEST_PORT:-$(free_port)}
DB_ARGS=(--db_host="${PGHOST:-127.0.0.1}" --db_port="${PGPORT:-5432}" --db_user="${PGUSER:-root}")
BASE_ARGS=(--addons-path="$ODOO_HOME/addons,$ODOO_HOME/odoo/addons,$REPO"
           --data-dir="$WORK/data" "${DB_ARGS[@]}" --http-port="$PORT"
           --stop-after-init --max-cron-threads=0)
ADDON_TAGS=/openfire_planning,/openfire_google_calendar
# With our addons installed, Odoo's own Google Calendar sync must still pass its tests.
ODOO_GOOGLE_TAGS=$ADDON_TAGS,/google_calendar,/google_account
total_passed=0
total_failed=0
ok=1

drop_db() { dropdb -h "${PGHOST:-127.0.0.1}" -p "${PGPORT:-5432}" -U "${PGUSER:-root}" --if-exists "$1" 2>/dev/null; }

# run_install NAME DB EXTRA_ARGS...: install with tests, check the log, count the tests.
run_install() {
    local name=$1 db=$2; shift 2
    local log="$WORK/$name.log"
    drop_db "$db"
    echo "-- $name: odoo-bin -d $db -i openfire_google_calendar --test-enable $*"
    "$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" "${BASE_ARGS[@]}" -d "$db" -i openfire_google_calendar \
        --test-enable --test-tags "$ADDON_TAGS" --log-level=test "$@" > "$log" 2>&1
    local status=$?
    local ran failed
    ran=$(grep -oE "odoo.tests.result: .* of [0-9]+ tests" "$log" | grep -oE "[0-9]+ tests" \
          | awk '{s += $1} END {print s + 0}')
    failed=$(grep -oE "odoo.tests.result: [0-9]+ failed, [0-9]+ error" "$log" \
             | grep -oE "[0-9]+ (failed|error)" | awk '{s += $1} END {print s + 0}')
    local ours
    ours=$(grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|WARNING|CRITICAL) " "$log" \
           | grep -iE "openfire|of[._]planning" | grep -v "odoo.tests.result" || true)
    grep -E "(ERROR|FAIL):|Traceback|odoo.tests.stats: openfire|odoo.tests.result" "$log" | head -60
    if [ -n "$ours" ]; then
        echo "ERROR/WARNING lines about our addons:"; echo "$ours" | head -30
        ok=0
    fi
    if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ]; then ok=0; fi
    if [ "$ran" -eq 0 ]; then echo "$name: no test ran"; ok=0; fi
    total_passed=$((total_passed + ran - failed)); total_failed=$((total_failed + failed))
    echo "-- $name: $ran tests run, $failed failed (exit $status, log $log)"
}

DB=ofgc_test_$$
run_install demo "${DB}_demo" --test-tags "$ODOO_GOOGLE_TAGS"
run_install nodemo "${DB}_nodemo" --without-demo=all

echo "-- uninstall: the connector goes, the planning stays"
"$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" shell "${BASE_ARGS[@]}" -d "${DB}_demo" --log-level=warn \
    < "$REPO/tools/odoo_uninstall_check.py" > "$WORK/uninstall.log" 2>&1
if grep -q "^uninstall check: ok" "$WORK/uninstall.log"; then
    grep "^uninstall check" "$WORK/uninstall.log"
    total_passed=$((total_passed + 1))
else
    echo "uninstall check FAILED:"; tail -30 "$WORK/uninstall.log"; ok=0
    total_failed=$((total_failed + 1))
fi

if [ "${KEEP_DB:-0}" != 1 ]; then
    drop_db "${DB}_demo"; drop_db "${DB}_nodemo"
fi
echo "$total_passed passed, $total_failed failed" | tee -a "$SUMMARY"
[ "$ok" = 1 ]
