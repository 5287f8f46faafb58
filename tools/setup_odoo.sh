#!/usr/bin/env bash
# Make an Odoo of one series runnable for the addons, their tests and the demo.
#
#   tools/setup_odoo.sh [SERIES] [DIR]      SERIES 17.0, 18.0 or 19.0 (default 19.0),
#                                           DIR default /opt/odoo<major> (e.g. /opt/odoo19)
#   tools/setup_odoo.sh DIR                 (older form: the series is read from DIR)
#
# 1. DIR without Odoo: a shallow clone of Odoo's public repository, branch SERIES
#    (ODOO_GIT_URL clones from a mirror instead, e.g. file:///srv/odoo.git).
# 2. System packages when missing (needs root): libldap2-dev libsasl2-dev (python-ldap),
#    chromium (browser tests), postgresql-client.
# 3. DIR/.venv with Odoo's requirements rewritten for this machine (psycopg2-binary; cbor2 5.6.2
#    on Python < 3.12, whose 5.4.2 sdist builds as 0.0.0), then ours with Odoo's pins as
#    constraints (so pip never upgrades cryptography and breaks pyOpenSSL): the Google libraries,
#    the Google emulator (installed, not editable: the addons' tests import it), websocket-client
#    (browser tests) and whool (the addons' wheels).
# 4. OCA's queue_job for the series, from PyPI (odoo-addon-queue_job, the version pinned below),
#    unpacked into DIR/.oca-addons (outside the repository): the Odoo tier puts that folder on
#    --addons-path to install and test openfire_google_calendar_queue_job; and what queue_job
#    declares besides Odoo's requirements (openupgradelib, from 19.0 on), under Odoo's pins.
# Idempotent: a second run only checks, and re-installs what changed (e.g. the emulator).
# PYTHON chooses the interpreter of the venv (default python3). Full log: $SETUP_LOG.
set -Eeuo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
source "$REPO/tools/lib.sh"   # series_of
SUPPORTED="17.0 18.0 19.0"

SERIES=""; DIR=""
if [ $# -ge 1 ] && [[ "$1" == */* || "$1" == . ]]; then      # older form: setup_odoo.sh DIR
    DIR=$1; SERIES=$(series_of "$DIR"); [ -n "$SERIES" ] || SERIES=19.0
else
    SERIES=${1:-19.0}; DIR=${2:-/opt/odoo${SERIES%%.*}}
fi
case " $SUPPORTED " in *" $SERIES "*) ;; *)
    echo "setup_odoo: series '$SERIES' is not supported (supported: $SUPPORTED)" >&2; exit 2 ;;
esac
PYTHON=${PYTHON:-python3}
GIT_URL=${ODOO_GIT_URL:-https://github.com/odoo/odoo.git}
SETUP_LOG=${SETUP_LOG:-${TMPDIR:-/tmp}/setup_odoo-$SERIES.log}
: > "$SETUP_LOG"

STEP=""; HINT=""
step() { STEP=$1; HINT=$2; echo "setup_odoo [$SERIES]: $STEP"; }
on_error() {
    echo "setup_odoo [$SERIES]: FAILED while: $STEP" >&2
    [ -s "$SETUP_LOG" ] && { echo "--- last lines of $SETUP_LOG:" >&2; tail -15 "$SETUP_LOG" >&2; }
    echo "setup_odoo [$SERIES]: what to do: $HINT" >&2
}
trap on_error ERR
# Progress without the noise: pip's and git's main lines, everything in the log.
progress() { tee -a "$SETUP_LOG" | grep --line-buffered -E "^(Collecting|Building wheel for|Successfully|Cloning|Receiving objects: 100|Checking out files: 100)" \
             | sed -u 's/^/    /' || true; }

# ---- 1. the Odoo source ---------------------------------------------------------------------
if [ -f "$DIR/odoo-bin" ]; then
    found=$(series_of "$DIR")
    if [ "$found" != "$SERIES" ]; then
        step "checking the Odoo in $DIR" "use another DIR for $SERIES, or the series of $DIR ($found)"
        false
    fi
    echo "setup_odoo [$SERIES]: Odoo $SERIES already in $DIR"
else
    if [ -e "$DIR" ] && [ -n "$(ls -A "$DIR" 2>/dev/null | grep -vx .venv)" ]; then
        step "checking $DIR" "$DIR exists and holds no Odoo (no odoo-bin): empty it or choose another DIR"
        false
    fi
    step "cloning Odoo $SERIES from $GIT_URL into $DIR (shallow; about 1 GB from GitHub, a few minutes)" \
         "check the network and the URL (ODOO_GIT_URL=$GIT_URL), or clone it yourself: git clone --depth 1 --branch $SERIES $GIT_URL $DIR"
    mkdir -p "$(dirname "$DIR")"
    git clone --progress --depth 1 --branch "$SERIES" "$GIT_URL" "$DIR" 2>&1 | tr '\r' '\n' | progress
    [ -f "$DIR/odoo-bin" ]
fi

# ---- 2. system packages ---------------------------------------------------------------------
missing=()
for pkg in libldap2-dev libsasl2-dev chromium postgresql-client; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    step "installing system packages: ${missing[*]}" \
         "run as root: apt-get update && apt-get install -y ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then
        echo "setup_odoo [$SERIES]: not root, cannot apt-get install ${missing[*]}" >&2; false
    fi
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"; } \
        >> "$SETUP_LOG" 2>&1
fi

# ---- 3. the virtualenv ----------------------------------------------------------------------
VENV="$DIR/.venv"
VPY="$VENV/bin/python"
LOCAL_REQ="$DIR/.requirements-local.txt"
sed -e 's/^psycopg2==/psycopg2-binary==/' -e 's/^cbor2==5\.4\.2/cbor2==5.6.2/' \
    "$DIR/requirements.txt" > "$LOCAL_REQ"
OURS=()
while read -r line; do OURS+=("$line"); done < <(grep -E "^google-" "$REPO/requirements.txt")
OURS+=(websocket-client whool)
# gevent (the websocket process of a prefork server) checks its requirements with
# pkg_resources, which cannot find zope.interface 7+ (renamed distribution): the process
# would crash at every start (found by the system tier).
OURS+=("zope.interface<7" "zope.event<5")
# What the venv was made from: when it has not changed, there is nothing to install.
stamp=$( { cat "$LOCAL_REQ"; printf '%s\n' "${OURS[@]}"; "$PYTHON" --version 2>&1;
           cd "$REPO/google_emulator" && find . -name '*.py' -not -path './tests/*' -o -name pyproject.toml -o -path './tests/data/*' \
           | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-16)
STAMP_FILE="$VENV/.openfire-setup"
check_venv() {
    (cd "$DIR" && "$VPY" -c "import odoo.release, psycopg2, google_emulator, googleapiclient, google_auth_oauthlib, websocket, whool") \
        >> "$SETUP_LOG" 2>&1
}
if [ -x "$VPY" ] && [ "$(cat "$STAMP_FILE" 2>/dev/null)" = "$stamp" ] && check_venv; then
    echo "setup_odoo [$SERIES]: $VENV is up to date"
else
    if [ ! -x "$VPY" ]; then
        step "creating the virtualenv $VENV" \
             "install Python's venv module (apt-get install python3-venv) or set PYTHON=/path/to/python3"
        "$PYTHON" -m venv "$VENV" >> "$SETUP_LOG" 2>&1
    fi
    PIP=("$VPY" -m pip --disable-pip-version-check)
    step "installing pip, wheel and setuptools in the virtualenv" \
         "check that PyPI answers (pip config list; PIP_INDEX_URL), then run this script again"
    "${PIP[@]}" install --progress-bar off --upgrade pip wheel "setuptools>=61,<70" 2>&1 | progress
    step "installing Odoo $SERIES's requirements ($LOCAL_REQ; several minutes the first time)" \
         "read $SETUP_LOG: a package that does not build usually lacks a system library (apt-get install the -dev package it names), then run this script again"
    "${PIP[@]}" install --progress-bar off -r "$LOCAL_REQ" 2>&1 | progress
    step "installing ours with Odoo's pins as constraints: ${OURS[*]}" \
         "read $SETUP_LOG; a conflict with Odoo's pins means requirements.txt asks for a version Odoo $SERIES cannot have"
    "${PIP[@]}" install --progress-bar off -c "$LOCAL_REQ" "${OURS[@]}" 2>&1 | progress
    step "installing the Google emulator (not editable: nothing points at the repository)" \
         "read $SETUP_LOG; try by hand: $VPY -m pip install $REPO/google_emulator"
    build=$(mktemp -d)
    # From a copy: building in the repository would leave build/ and *.egg-info behind.
    # Its tests stay out, their data (real Google recurrence rules) goes in: the connector's
    # recurrence tests read it from the installed package.
    tar -C "$REPO" --exclude=__pycache__ --exclude='google_emulator/tests/*.py' --exclude=build \
        --exclude='*.egg-info' \
        -cf - google_emulator | tar -C "$build" -xf -
    "${PIP[@]}" install --progress-bar off --no-build-isolation --force-reinstall --no-deps "$build/google_emulator" 2>&1 | progress
    "${PIP[@]}" install --progress-bar off -c "$LOCAL_REQ" "$build/google_emulator" 2>&1 | progress   # its deps, pinned
    rm -rf "$build"
    step "checking the virtualenv (import odoo, psycopg2, the Google libraries, the emulator)" \
         "read $SETUP_LOG for the failed import, install that package into $VENV, run this script again"
    check_venv
    echo "$stamp" > "$STAMP_FILE"
fi
"$VPY" -m pip check >> "$SETUP_LOG" 2>&1 \
    || echo "setup_odoo [$SERIES]: note: pip check reports conflicts (see $SETUP_LOG); Odoo's pins win"

# ---- 4. OCA's queue_job ---------------------------------------------------------------------
# One known-good release per series (what the Odoo tier was last run with); QUEUE_JOB_SPEC
# overrides, e.g. "odoo-addon-queue_job>=18.0,<18.1" for the newest 18.0 one.
case "$SERIES" in
    17.0) QJ_DEFAULT="odoo-addon-queue_job==17.0.1.5.4" ;;
    18.0) QJ_DEFAULT="odoo-addon-queue_job==18.0.1.7.0" ;;   # 18.0.1.7.1+ needs an 18.0 with api.private
    19.0) QJ_DEFAULT="odoo-addon-queue_job==19.0.2.4.0.1" ;;
esac
QJ_SPEC=${QUEUE_JOB_SPEC:-$QJ_DEFAULT}
OCA_ADDONS="$DIR/.oca-addons"
if [ -f "$OCA_ADDONS/queue_job/__manifest__.py" ] && [ "$(cat "$OCA_ADDONS/.spec" 2>/dev/null)" = "$QJ_SPEC" ]; then
    echo "setup_odoo [$SERIES]: queue_job is in $OCA_ADDONS ($(cat "$OCA_ADDONS/.version"))"
else
    step "downloading OCA's queue_job ($QJ_SPEC) into $OCA_ADDONS" \
         "check that PyPI answers (pip config list; PIP_INDEX_URL) and that $QJ_SPEC exists, then run this script again"
    qj_tmp=$(mktemp -d)
    "$VPY" -m pip --disable-pip-version-check download --no-deps --only-binary=:all: -d "$qj_tmp" "$QJ_SPEC" 2>&1 | progress
    qj_wheel=$(ls "$qj_tmp"/odoo_addon_queue_job-*.whl)
    rm -rf "$OCA_ADDONS"; mkdir -p "$OCA_ADDONS"
    "$VPY" -m zipfile -e "$qj_wheel" "$qj_tmp/unpacked"
    mv "$qj_tmp/unpacked/odoo/addons/queue_job" "$OCA_ADDONS/queue_job"
    basename "$qj_wheel" | sed -E 's/^odoo_addon_queue_job-([^-]+)-.*/\1/' > "$OCA_ADDONS/.version"
    echo "$QJ_SPEC" > "$OCA_ADDONS/.spec"
    rm -rf "$qj_tmp"
    [ -f "$OCA_ADDONS/queue_job/__manifest__.py" ]
    echo "setup_odoo [$SERIES]: queue_job $(cat "$OCA_ADDONS/.version") in $OCA_ADDONS"
fi
# Its external dependencies (requests is Odoo's own): checked apart from the venv's stamp, so
# that adding queue_job does not reinstall everything else.
qj_python=$("$VPY" -c "import ast, sys; m = ast.literal_eval(open(sys.argv[1]).read()); print(' '.join(m.get('external_dependencies', {}).get('python', [])))" "$OCA_ADDONS/queue_job/__manifest__.py")
for module in $qj_python; do
    if ! "$VPY" -c "import $module" >> "$SETUP_LOG" 2>&1; then
        step "installing $module (queue_job needs it) with Odoo's pins as constraints" \
             "read $SETUP_LOG; try by hand: $VPY -m pip install -c $LOCAL_REQ $module"
        "$VPY" -m pip --disable-pip-version-check install --progress-bar off -c "$LOCAL_REQ" "$module" 2>&1 | progress
        "$VPY" -c "import $module"
    fi
done
echo "setup_odoo [$SERIES]: ready: Odoo $SERIES in $DIR, Python $VPY ($("$VPY" --version 2>&1))"
