#!/usr/bin/env bash
# Set-up for the Odoo-free tier: a virtualenv in .venv with requirements.txt.
# Usage: tools/setup.sh            (idempotent; PYTHON=python3.11 to choose the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 \
    | grep -v "^WARNING: Location" || true
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt 2>&1 \
    | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import googleapiclient, google_auth_oauthlib, werkzeug, pytest, pylint_odoo" \
    && echo "setup: .venv ready ($(.venv/bin/python --version))"
