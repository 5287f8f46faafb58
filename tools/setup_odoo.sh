#!/usr/bin/env bash
# Make an Odoo 17 source tree runnable for the Odoo tier: a virtualenv in
# <odoo>/.venv with Odoo's requirements (psycopg2-binary instead of psycopg2)
# and ours. Odoo itself is not on PyPI: unpack an Odoo 17.0 source first.
# Usage: tools/setup_odoo.sh /opt/odoo17
set -euo pipefail
ODOO_HOME=${1:?usage: tools/setup_odoo.sh <odoo 17 source folder>}
here="$(cd "$(dirname "$0")/.." && pwd)"
[ -f "$ODOO_HOME/odoo-bin" ] || { echo "no odoo-bin in $ODOO_HOME" >&2; exit 2; }
# chromium runs the browser tests (tours); the LDAP/SASL headers build python-ldap.
if ! dpkg -s libldap2-dev libsasl2-dev chromium >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq libldap2-dev libsasl2-dev chromium
fi
python3 -m venv "$ODOO_HOME/.venv"
pip="$ODOO_HOME/.venv/bin/python -m pip --disable-pip-version-check --quiet"
$pip install --upgrade pip wheel "setuptools<70"
sed -e 's/^psycopg2==/psycopg2-binary==/' "$ODOO_HOME/requirements.txt" > "$ODOO_HOME/.requirements-local.txt"
$pip install -r "$ODOO_HOME/.requirements-local.txt" -r "$here/requirements.txt" websocket-client
echo "setup_odoo: Odoo tier ready: ODOO_HOME=$ODOO_HOME tools/test.sh"
