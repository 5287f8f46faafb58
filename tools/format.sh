#!/usr/bin/env bash
# The fixers of tools/lint.sh, in WRITE mode: ruff check --fix, ruff format,
# oca-checks-odoo-module --fix, OCA's licence headers (whole tree only), oca-checks-po --fix,
# prettier --write (XML, JS), eslint --fix.
# Then tools/lint.sh lists what no formatter can fix.
#   tools/format.sh              the whole tree
#   tools/format.sh PATH...      only these files or folders (e.g. the files you own)
set -uo pipefail
cd "$(dirname "$0")/.."
source tools/lib.sh   # our_addons
PY=${PY:-$(pwd)/.venv/bin/python}
BIN=$(dirname "$PY")
[ -x "$BIN/ruff" ] || { echo "format: $BIN/ruff is missing: run tools/setup.sh"; exit 1; }
if [ ! -x node_modules/.bin/prettier ]; then
    npm ci --no-audit --no-fund --loglevel=error >/dev/null || { echo "format: npm ci failed"; exit 1; }
fi

if [ $# -gt 0 ]; then
    mapfile -t files < <(git ls-files --cached --others --exclude-standard -- "$@" | sort -u)
else
    mapfile -t files < <(git ls-files --cached --others --exclude-standard | sort -u)
fi
pick() { local f; for f in "${files[@]}"; do [ -f "$f" ] && [[ "$f" =~ $1 ]] && echo "$f"; done; }
mapfile -t py < <(pick '\.py$')
mapfile -t js_xml < <(pick '\.(js|xml)$')
mapfile -t js < <(pick '\.js$')
mapfile -t po < <(pick '\.pot?$')
# oca-checks-odoo-module fixes whole addons: all of them, or those given as PATH themselves.
if [ $# -gt 0 ]; then
    mapfile -t addons < <(for a in "$@"; do a=${a%/}; [ -f "$a/__manifest__.py" ] && echo "$a"; done)
else
    mapfile -t addons < <(our_addons)
fi

step() { echo "format: $*"; }
if [ ${#py[@]} -gt 0 ]; then
    step "ruff check --fix, ruff format (${#py[@]} Python files)"
    "$BIN/ruff" check --fix --quiet --output-format concise "${py[@]}" || true
    "$BIN/ruff" format --quiet "${py[@]}"
fi
if [ ${#addons[@]} -gt 0 ]; then
    step "oca-checks-odoo-module --fix (${addons[*]})"
    "$BIN/oca-checks-odoo-module" --fix --no-exit --no-verbose "${addons[@]}" >/dev/null 2>&1 || true
fi
if [ $# -eq 0 ]; then
    step "licence headers (tools/licence_headers.py --fix)"
    "$PY" tools/licence_headers.py --fix | tail -1
fi
if [ ${#po[@]} -gt 0 ]; then
    step "oca-checks-po --fix (${#po[@]} .po/.pot files)"
    "$BIN/oca-checks-po" --fix --no-exit --no-verbose "${po[@]}" >/dev/null 2>&1 || true
fi
if [ ${#js_xml[@]} -gt 0 ]; then
    step "prettier --write (${#js_xml[@]} XML/JS files)"
    node_modules/.bin/prettier --write --log-level warn "${js_xml[@]}"
fi
if [ ${#js[@]} -gt 0 ]; then
    step "eslint --fix (${#js[@]} JS files)"
    node_modules/.bin/eslint --fix "${js[@]}" || true
fi
# The series rules rewrite text of known shapes: a formatter may have made shapes they do not
# know yet (attributes on lines of their own, eval= numbers). Say so before anyone commits.
if [ -f tools/build_series.py ] && ! "$PY" tools/build_series.py --check > /tmp/format-series-check.log 2>&1; then
    tail -3 /tmp/format-series-check.log
    step "WARNING: tools/build_series.py --check fails on the formatted files: teach its rules the new shapes (or revert the XML formatting) before committing"
    exit 1
fi
step "done; tools/lint.sh shows what is left (what no formatter fixes)"
