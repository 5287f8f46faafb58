#!/usr/bin/env bash
# Set-up for the Odoo-free tier and the linters: a virtualenv in .venv with requirements.txt,
# and the JavaScript linters (prettier, @prettier/plugin-xml, eslint) in node_modules from
# package-lock.json (npm ci). Odoo's own set-up is tools/setup_odoo.sh.
# Usage: tools/setup.sh            (idempotent; PYTHON=python3.11 to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
fail() { echo "setup: FAILED: $1" >&2; echo "setup: what to do: $2" >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $PYTHON"
    "$PYTHON" -m venv .venv || fail "no virtualenv" "install Python's venv (apt-get install python3-venv) or set PYTHON"
fi
echo "setup: installing requirements.txt into .venv"
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 \
    | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 \
    | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import googleapiclient, google_auth_oauthlib, werkzeug, pytest, pylint_odoo, docutils" \
    || fail "requirements.txt is not fully installed" "run .venv/bin/pip install -r requirements.txt and read its errors"
if command -v npm >/dev/null; then
    if [ ! -x node_modules/.bin/prettier ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        echo "setup: npm ci (prettier, @prettier/plugin-xml, eslint)"
        npm ci --no-audit --no-fund --loglevel=error >/dev/null \
            || fail "npm ci failed" "run npm ci by hand and read its errors (is the npm registry reachable?)"
    fi
else
    echo "setup: note: npm not found, tools/lint.sh needs it (apt-get install nodejs npm)"
fi
echo "setup: .venv ready ($(.venv/bin/python --version)), node_modules ready"
