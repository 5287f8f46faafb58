#!/usr/bin/env bash
# The one-command demo (README, "Try it: the one-command demo"): the Google emulator plus an
# Odoo with the connector installed, demo data and everything configured, so that anyone can
# press "Sync. with Google" and watch RDVs appear in a "Google Calendar" within two minutes.
#
#   tools/demo.sh [--series S] [--reset] [--odoo-port N] [--emulator-port N] [--db NAME] [--lang fr_FR]
#
#   --series S         Odoo series: 17.0, 18.0 or 19.0 (default 19.0, or the series of ODOO_HOME)
#   --reset            drop the database and create it again (else an existing one is reused)
#   --odoo-port N      Odoo's HTTP port (default 8069)
#   --emulator-port N  the emulator's port (default 8765)
#   --db NAME          database (default demo_openfire_<major>, e.g. demo_openfire_19)
#   --lang CODE        install this language and give it to the demo users (e.g. fr_FR)
#
# Odoo is $ODOO_HOME (default /opt/odoo<major>), run by $ODOO_PYTHON (default
# $ODOO_HOME/.venv/bin/python); when either is missing, tools/setup_odoo.sh makes them (a clone
# of Odoo's repository, or of ODOO_GIT_URL). PostgreSQL is PGHOST (default 127.0.0.1), PGPORT
# (5432), as PGUSER (root); when none answers there, a throwaway cluster is started (initdb in a
# temporary folder, on a free port) and stopped on exit. Logs go to $DEMO_LOG_DIR (default
# $TMPDIR/openfire-demo). Ctrl-C stops Odoo, the emulator and that cluster.
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
source "$REPO/tools/lib.sh"   # series_of
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-root}
LOG_DIR=${DEMO_LOG_DIR:-${TMPDIR:-/tmp}/openfire-demo}
SERIES=""
DB=""
ODOO_PORT=8069
EMU_PORT=8765
RESET=0
LANG_CODE=""
CLIENT_ID="openfire-demo.apps.googleusercontent.com"
CLIENT_SECRET="openfire-demo-secret"

usage() { sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "demo: $*" >&2; exit 1; }

while [ $# -gt 0 ]; do
    case "$1" in
        --series) SERIES=${2:?--series needs 17.0, 18.0 or 19.0}; shift ;;
        --series=*) SERIES=${1#*=} ;;
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
if [ -z "$SERIES" ]; then
    SERIES=$( [ -n "${ODOO_HOME:-}" ] && series_of "$ODOO_HOME" || true)
    SERIES=${SERIES:-19.0}
fi
[[ "$SERIES" =~ ^[0-9]+$ ]] && SERIES="$SERIES.0"
case "$SERIES" in 17.0|18.0|19.0) ;; *) die "--series: 17.0, 18.0 or 19.0, not '$SERIES'" ;; esac
ODOO_HOME=${ODOO_HOME:-/opt/odoo${SERIES%%.*}}
ODOO_PYTHON=${ODOO_PYTHON:-$ODOO_HOME/.venv/bin/python}
DB=${DB:-demo_openfire_${SERIES%%.*}}
mkdir -p "$LOG_DIR"

# ---- 0. Odoo, its virtualenv, the addon tree of the series, PostgreSQL ---------------------
if [ ! -f "$ODOO_HOME/odoo-bin" ] || [ ! -x "$ODOO_PYTHON" ]; then
    echo "demo: no Odoo $SERIES ready in $ODOO_HOME: setting it up (tools/setup_odoo.sh; the first time takes a while)"
    bash "$REPO/tools/setup_odoo.sh" "$SERIES" "$ODOO_HOME" \
        || die "the set-up failed (see above); fix it and run tools/demo.sh again"
fi
[ "$(series_of "$ODOO_HOME")" = "$SERIES" ] \
    || die "ODOO_HOME=$ODOO_HOME holds Odoo $(series_of "$ODOO_HOME"), not $SERIES: use --series or another ODOO_HOME"
# The emulator the demo starts is the one installed in Odoo's virtualenv.
"$ODOO_PYTHON" -c "import google_emulator" 2>/dev/null || {
    echo "demo: the Google emulator is not installed in $ODOO_PYTHON: running tools/setup_odoo.sh"
    bash "$REPO/tools/setup_odoo.sh" "$SERIES" "$ODOO_HOME" || die "the set-up failed (see above)"; }

ADDONS="$REPO"
if [ -f "$REPO/tools/build_series.py" ]; then
    ADDONS="$LOG_DIR/addons-$SERIES"
    python3 "$REPO/tools/build_series.py" "$SERIES" "$ADDONS" > "$LOG_DIR/build_series.log" 2>&1 \
        || { cat "$LOG_DIR/build_series.log"; die "tools/build_series.py $SERIES failed"; }
elif [ "$SERIES" != 17.0 ]; then
    die "no tools/build_series.py: only 17.0 can run from this checkout"
fi

PG_DIR=""
pg_answers() { pg_isready -q -h "$PGHOST" -p "$PGPORT" -t 3 2>/dev/null; }
find_pg_bin() {   # initdb and pg_ctl: on PATH, or where Debian puts them
    local dir
    command -v initdb >/dev/null && command -v pg_ctl >/dev/null && { dirname "$(command -v initdb)"; return; }
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    done
}
start_throwaway_cluster() {
    local bin port owner=()
    bin=$(find_pg_bin)
    if [ -z "$bin" ] && [ "$(id -u)" = 0 ]; then
        echo "demo: installing PostgreSQL's server programs (apt-get install postgresql)"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
            > "$LOG_DIR/apt.log" 2>&1 || { tail "$LOG_DIR/apt.log"; die "apt-get install postgresql failed"; }
        bin=$(find_pg_bin)
    fi
    [ -n "$bin" ] || die "no PostgreSQL answers at $PGHOST:$PGPORT and initdb is missing: install PostgreSQL (apt-get install postgresql) or set PGHOST/PGPORT"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/openfire-demo-pg.XXXX")
    if [ "$(id -u)" = 0 ]; then   # initdb refuses root: the cluster belongs to "postgres"
        id postgres >/dev/null 2>&1 || die "running as root and there is no user postgres to own a cluster: create one (useradd -r postgres) or run as another user"
        chown postgres "$PG_DIR"; owner=(runuser -u postgres --)
    fi
    echo "demo: no PostgreSQL answers at $PGHOST:$PGPORT: starting a throwaway cluster on 127.0.0.1:$port ($PG_DIR)"
    "${owner[@]}" "$bin/initdb" -D "$PG_DIR/data" -U "$PGUSER" --auth=trust -E UTF8 --locale=C.UTF-8 \
        > "$LOG_DIR/initdb.log" 2>&1 || { tail "$LOG_DIR/initdb.log"; die "initdb failed"; }
    "${owner[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
        -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1" start > "$LOG_DIR/pg_ctl.log" 2>&1 \
        || { tail "$PG_DIR/postgres.log"; die "the throwaway cluster did not start"; }
    PG_BIN=$bin; PG_OWNER=("${owner[@]}")
    PGHOST=127.0.0.1; PGPORT=$port
}
stop_throwaway_cluster() {
    [ -n "$PG_DIR" ] || return 0
    echo "demo: stopping the throwaway PostgreSQL cluster"
    "${PG_OWNER[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w stop > /dev/null 2>&1 || true
    rm -rf "$PG_DIR"; PG_DIR=""
}
PG_BIN=""; PG_OWNER=()
trap 'stop_throwaway_cluster' EXIT
if ! pg_answers; then
    start_throwaway_cluster
fi

# 127.0.0.1, not localhost: the Odoo session cookie is per host name, and the Google redirect
# must come back to the host the user logged in on.
ODOO_URL="http://127.0.0.1:$ODOO_PORT"
EMU_URL="http://127.0.0.1:$EMU_PORT"
REDIRECT_URI="$ODOO_URL/google_account/authentication"
DB_ARGS=(--db_host="$PGHOST" --db_port="$PGPORT" --db_user="$PGUSER")
ODOO_ARGS=(--addons-path="$ODOO_HOME/addons,$ODOO_HOME/odoo/addons,$ADDONS" "${DB_ARGS[@]}")
WITH_DEMO=(); [ "$SERIES" = 19.0 ] && WITH_DEMO=(--with-demo)   # 19.0: no demo data by default

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
    stop_throwaway_cluster
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
    "$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" "${ODOO_ARGS[@]}" -d "$DB" -i openfire_google_calendar "${WITH_DEMO[@]}" \
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
# The technicians' own events (their availability in the planning): not the administrator's.
technicians=()
for email in "${emails[@]}"; do [[ "$email" == admin* ]] || technicians+=("$email"); done
"$ODOO_PYTHON" "$REPO/tools/demo_personal_events.py" "$EMU_URL" "${technicians[@]}" \
    >> "$LOG_DIR/emulator.log" 2>&1 || echo "demo: note: the personal events were not created"

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
 5. His own calendar holds a dentist, a training, a day off and a day at home: once synced,
    an RDV planned over them warns (over the day off it is refused), and "Find a slot"
    ("Trouver un créneau") on an RDV proposes the times every technician is free.

 Logs: $LOG_DIR      Ctrl-C stops Odoo and the emulator.
==============================================================================================
EOF

# Serve until Ctrl-C, or until one of the two stops by itself.
set +e
wait -n "${pids[@]}"
[ $? -gt 128 ] && exit 130   # interrupted: the trap stops both
echo "demo: a process stopped by itself; see $LOG_DIR/odoo.log and $LOG_DIR/emulator.log" >&2
exit 1
