#!/usr/bin/env bash
# Re-export each addon's .pot from a database where it is installed, merge it into fr.po
# (new strings untranslated, removed ones dropped) and list what still needs a translation.
# Usage: tools/i18n_update.sh <database>     (ODOO_HOME as for tools/test.sh)
set -euo pipefail
REPO="$(cd "$(dirname "$0")/.." && pwd)"
DB=${1:?usage: tools/i18n_update.sh <database with both addons installed>}
ODOO_HOME=${ODOO_HOME:-/opt/odoo17}
ODOO_PYTHON=${ODOO_PYTHON:-$ODOO_HOME/.venv/bin/python}
for addon in openfire_planning openfire_google_calendar; do
    "$ODOO_PYTHON" "$ODOO_HOME/odoo-bin" --addons-path="$ODOO_HOME/addons,$ODOO_HOME/odoo/addons,$REPO" \
        --db_host="${PGHOST:-127.0.0.1}" --db_user="${PGUSER:-root}" -d "$DB" --log-level=warn \
        --stop-after-init -u "$addon" --i18n-export="$REPO/$addon/i18n/$addon.pot" --modules="$addon"
    "$ODOO_PYTHON" - "$REPO/$addon/i18n" "$addon" <<'PY'
import sys
from babel.messages.pofile import read_po, write_po
folder, addon = sys.argv[1:]
with open(f"{folder}/{addon}.pot", "rb") as handle:
    template = read_po(handle)
with open(f"{folder}/fr.po", "rb") as handle:
    catalog = read_po(handle, locale="fr")
catalog.update(template, no_fuzzy_matching=True)
with open(f"{folder}/fr.po", "wb") as handle:
    write_po(handle, catalog, width=100, ignore_obsolete=True)
todo = [message.id for message in catalog if message.id and not message.string]
print(f"{addon}: {len(catalog)} strings, {len(todo)} to translate")
for text in todo:
    print("  TODO:", repr(text))
PY
done
