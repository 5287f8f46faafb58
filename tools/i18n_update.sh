#!/usr/bin/env bash
# Re-export each addon's .pot from a database where it is installed, merge it into fr.po
# (new strings untranslated, removed ones dropped) and list what still needs a translation.
# Usage: tools/i18n_update.sh <database>     (ODOO_HOME as for tools/test.sh)
# The addons are the repository's (tools/addons.py); one not installed in the database is
# skipped with a note (the glue needs OCA's queue_job: QUEUE_JOB_ADDONS, default
# ODOO_HOME/.oca-addons, is on the addons path).
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
source "$REPO/tools/lib.sh"   # our_addons
DB=${1:?usage: tools/i18n_update.sh <database with the addons installed>}
ODOO_HOME=${ODOO_HOME:-/opt/odoo17}
ODOO_PYTHON=${ODOO_PYTHON:-$ODOO_HOME/.venv/bin/python}
QUEUE_JOB_ADDONS=${QUEUE_JOB_ADDONS:-$ODOO_HOME/.oca-addons}
PATHS="$ODOO_HOME/addons,$ODOO_HOME/odoo/addons,$REPO"
[ -d "$QUEUE_JOB_ADDONS" ] && PATHS="$PATHS,$QUEUE_JOB_ADDONS"
for addon in $(our_addons --installable); do
    state=$(psql -h "${PGHOST:-127.0.0.1}" -U "${PGUSER:-root}" -d "$DB" -tAqc \
        "SELECT state FROM ir_module_module WHERE name = '$addon'")
    if [ "$state" != installed ]; then
        echo "$addon: not installed in $DB (${state:-unknown}): its .pot is left as it is"
        continue
    fi
    mkdir -p "$REPO/$addon/i18n"
    "$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" --addons-path="$PATHS" \
        --db_host="${PGHOST:-127.0.0.1}" --db_user="${PGUSER:-root}" -d "$DB" --log-level=warn \
        --stop-after-init -u "$addon" --i18n-export="$REPO/$addon/i18n/$addon.pot" --modules="$addon"
    "$ODOO_PYTHON" - "$REPO/$addon/i18n" "$addon" <<'PY'
import os
import sys
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
folder, addon = sys.argv[1:]
with open(f"{folder}/{addon}.pot", "rb") as handle:
    template = read_po(handle)
if os.path.exists(f"{folder}/fr.po"):
    with open(f"{folder}/fr.po", "rb") as handle:
        catalog = read_po(handle, locale="fr")
else:  # a new addon: its first French catalogue
    catalog = Catalog(locale="fr", project="Odoo Server", charset="utf-8")
catalog.update(template, no_fuzzy_matching=True)
with open(f"{folder}/fr.po", "wb") as handle:
    write_po(handle, catalog, width=100, ignore_obsolete=True)
todo = [message.id for message in catalog if message.id and not message.string]
print(f"{addon}: {len(catalog)} strings, {len(todo)} to translate")
for text in todo:
    print("  TODO:", repr(text))
PY
done
