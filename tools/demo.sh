#!/usr/bin/env bash
# The one-command demo (README, "Try it: the one-command demo"): the Google emulator plus an
# Odoo with the connector installed, demo data and everything configured, so that anyone can
# press "Sync. with Google" and watch RDVs appear in a "Google Calendar" within two minutes.
#
#   tools/demo.sh [--reset] [--odoo-port N] [--emulator-port N] [--db NAME] [--lang fr_FR]
#
#   --reset            drop the database and create it again (else an existing one is reused)
#   --odoo-port N      Odoo's HTTP port (default 8069)
#   --emulator-port N  the emulator's port (default 8765)
#   --db NAME          database (default demo_openfire)
#   --lang CODE        install this language and give it to the demo users (e.g. fr_FR)
#
# Needs an Odoo 17 in $ODOO_HOME (default /opt/odoo17) run by $ODOO_PYTHON (default
# $ODOO_HOME/.venv/bin/python; tools/setup_odoo.sh makes it), and PostgreSQL at PGHOST
# (default 127.0.0.1), PGPORT (5432), as PGUSER (root). Logs go to $DEMO_LOG_DIR (default
# $TMPDIR/openfire-demo). Ctrl-C stops Odoo and the emulator.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
ODOO_HOME=${ODOO_HOME:-/opt/odoo17}
ODOO_PYTHON=${ODOO_PYTHON:-$ODOO_HOME/.venv/bin/python}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-root}
LOG_DIR=${DEMO_LOG_DIR:-${TMPDIR:-/tmp}/openfire-demo}
DB=demo_openfire
ODOO_PORT=8069
EMU_PORT=8765
RESET=0
LANG_CODE=""
CLIENT_ID="openfire-demo.apps.googleusercontent.com"
CLIENT_SECRET="openfire-demo-secret"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "demo: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --reset) RESET=1 ;;
        --odoo-port) ODOO_PORT=${2:?--odoo-port needs a number}; shift ;;
        --odoo-port=*) ODOO_PORT=${1#*=} ;;
        --emulator-port) EMU_PORT=${2:?--emulator-port needs a number}; shift ;;
        --emulator-port=*) EMU_PORT=${1#*=} ;;
        --db) DB=${2:?--db needs a name}; shift ;;
        --db=*) DB=${1#*=} ;;
        --lang) LANG_CODE=${2:?--lang needs a code}; shift ;;
        --lang=*) LANG_CODE=${1#*=} ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown option $1" ;;
    esac
    shift
done
[[ "$ODOO_PORT" =~ ^[0-9]+$ && "$EMU_PORT" =~ ^[0-9]+$ ]] || die "ports must be numbers"
[ "$ODOO_PORT" != "$EMU_PORT" ] || die "Odoo and the emulator need two different ports"
[ -x "$ODOO_PYTHON" ] && [ -f "$ODOO_HOME/odoo-bin" ] \
    || die "no Odoo 17 at ODOO_HOME=$ODOO_HOME (see README, \"The Odoo tier\")"

# 127.0.0.1, not localhost: the Odoo session cookie is per host name, and the Google redirect
# must come back to the host the user logged in on.
ODOO_URL="http://127.0.0.1:$ODOO_PORT"
EMU_URL="http://127.0.0.1:$EMU_PORT"
REDIRECT_URI="$ODOO_URL/google_account/authentication"
export PYTHONPATH="$REPO${PYTHONPATH:+:$PYTHONPATH}"   # google_emulator
DB_ARGS=(--db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER")
ODOO_ARGS=(--addons-path="$ODOO_HOME/addons,$ODOO_HOME/odoo/addons,$REPO" "${DB_ARGS[@]}")
mkdir -p "$LOG_DIR"

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port_busy "$ODOO_PORT" && die "port $ODOO_PORT is taken; choose another with --odoo-port"
port_busy "$EMU_PORT" && die "port $EMU_PORT is taken; choose another with --emulator-port"

# Both servers run in sessions of their own (setsid): Ctrl-C reaches this script only, which
# stops them in order, instead of racing them.
pids=()
stop_all() {
    trap - INT TERM EXIT
    if [ ${#pids[@]} -gt 0 ]; then
        echo; echo "demo: stopping Odoo and the emulator"
        kill "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
}
trap 'stop_all; exit 130' INT TERM
trap stop_all EXIT

psql_at() { psql -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -d "$1" -tAqc "$2" 2>/dev/null; }

# ---- 1. the database -----------------------------------------------------------------------
if [ "$RESET" = 1 ]; then
    echo "demo: dropping database $DB (--reset)"
    "$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" db "${DB_ARGS[@]}" drop "$DB" \
        > "$LOG_DIR/drop.log" 2>&1 || true   # fails harmlessly when there is none
fi
exists=$(psql_at postgres "SELECT 1 FROM pg_database WHERE datname = '$DB'" || true)
state=""
[ "$exists" = 1 ] && state=$(psql_at "$DB" \
    "SELECT state FROM ir_module_module WHERE name = 'openfire_google_calendar'" || true)
if [ "$state" = installed ]; then
    # Updated, so that a database made by an older checkout matches the code.
    echo "demo: reusing database $DB, updating the addons (--reset to start from scratch)"
    "$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" "${ODOO_ARGS[@]}" -d "$DB" \
        -u openfire_planning,openfire_google_calendar --stop-after-init --max-cron-threads=0 \
        --http-port="$ODOO_PORT" > "$LOG_DIR/update.log" 2>&1 \
        || { tail -30 "$LOG_DIR/update.log"; die "update failed"; }
else
    echo "demo: installing openfire_google_calendar with demo data in $DB" \
         "(a few minutes; log $LOG_DIR/install.log)"
    "$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" "${ODOO_ARGS[@]}" -d "$DB" -i openfire_google_calendar \
        --stop-after-init --max-cron-threads=0 --http-port="$ODOO_PORT" \
        > "$LOG_DIR/install.log" 2>&1 \
        || { tail -30 "$LOG_DIR/install.log"; die "installation failed"; }
fi

# ---- 2. the configuration an integrator would do --------------------------------------------
echo "demo: configuring (client, Google endpoints -> emulator, settings, passwords)"
DEMO_ODOO_URL="$ODOO_URL" DEMO_EMULATOR_URL="$EMU_URL" DEMO_CLIENT_ID="$CLIENT_ID" \
DEMO_CLIENT_SECRET="$CLIENT_SECRET" DEMO_LANG="$LANG_CODE" \
    "$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" shell "${ODOO_ARGS[@]}" -d "$DB" --log-level=warn \
    --no-http < "$REPO/tools/demo_setup.py" > "$LOG_DIR/setup.log" 2>&1 || true
setup_line=$(grep "^demo-setup: ok" "$LOG_DIR/setup.log" || true)
[ -n "$setup_line" ] || { tail -30 "$LOG_DIR/setup.log"; die "configuration failed"; }
read -r -a emails <<< "${setup_line#demo-setup: ok}"

# ---- 3. the emulator -------------------------------------------------------------------------
# Checked again: the installation takes minutes, and someone may have taken a port since.
port_busy "$EMU_PORT" && die "port $EMU_PORT is taken; choose another with --emulator-port"
port_busy "$ODOO_PORT" && die "port $ODOO_PORT is taken; choose another with --odoo-port"
account_args=()
for email in "${emails[@]}"; do account_args+=(--account "$email"); done
setsid "$ODOO_PYTHON" -m google_emulator --port "$EMU_PORT" --time-zone Europe/Paris \
    --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET" --redirect-uri "$REDIRECT_URI" \
    "${account_args[@]}" > "$LOG_DIR/emulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
    grep -q "running at" "$LOG_DIR/emulator.log" && break
    kill -0 "${pids[0]}" 2>/dev/null || { cat "$LOG_DIR/emulator.log"; die "emulator died"; }
    sleep 0.2
done
grep "running at" "$LOG_DIR/emulator.log" || die "the emulator did not start"

# ---- 4. Odoo ---------------------------------------------------------------------------------
echo "demo: starting Odoo on $ODOO_URL (log $LOG_DIR/odoo.log)"
setsid "$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" "${ODOO_ARGS[@]}" -d "$DB" --db-filter="^$DB\$" \
    --http-interface=127.0.0.1 --http-port="$ODOO_PORT" > "$LOG_DIR/odoo.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do
    curl -sf -o /dev/null "$ODOO_URL/web/login" && break
    kill -0 "${pids[1]}" 2>/dev/null || { tail -30 "$LOG_DIR/odoo.log"; die "Odoo died"; }
    sleep 0.5
done
curl -sf -o /dev/null "$ODOO_URL/web/login" || die "Odoo does not answer on $ODOO_URL"

cat <<EOF

==============================================================================================
 OpenFire x Google Calendar demo is running

 Odoo               $ODOO_URL   (database $DB; use 127.0.0.1, not localhost)
 Logins             jean.dupont@example.com / jean     (technician, has RDVs)
                    sophie.martin@example.com / sophie, karim.benali@example.com / karim
                    admin / admin                       (settings)
 Google emulator    $EMU_URL/
 Jean's "phone"     $EMU_URL/ui/jean.dupont@example.com

 1. Open $ODOO_URL and log in as jean.dupont@example.com / jean.
 2. Interventions > Planning.
 3. Press "Sync. with Google" ("Sync. avec Google") -> OK -> on the emulator's consent page,
    "Autoriser" (Allow). Back in Odoo, the sync runs and tells what it created.
 4. Open Jean's "phone" page: his RDVs are there, in the "Interventions" calendar. Change the
    start of one there and save, press "Sync. with Google" again in Odoo: the RDV moves.
    (Odoo also gets a push notification and syncs by itself within a few seconds.)

 Logs: $LOG_DIR      Ctrl-C stops Odoo and the emulator.
==============================================================================================
EOF

# Serve until Ctrl-C, or until one of the two stops by itself.
set +e
wait -n "${pids[@]}"
[ $? -gt 128 ] && exit 130   # interrupted: the trap stops both
echo "demo: a process stopped by itself; see $LOG_DIR/odoo.log and $LOG_DIR/emulator.log" >&2
exit 1
