#!/usr/bin/env bash
# The linters of .pre-commit-config.yaml, in CHECK mode, run from what tools/setup.sh installs
# (PyPI into .venv via requirements.txt, npm into node_modules via package-lock.json): pre-commit
# itself cannot clone hook repositories on every machine, the same tools can run from here.
#   ruff check, ruff format --check          Python (.ruff.toml)
#   prettier --check (+ @prettier/plugin-xml) XML and JS (.prettierrc.yml)
#   eslint                                   JS (eslint.config.cjs)
#   pylint-odoo                              every addon (tools/addons.py), mandatory config
#                                            (.pylintrc); also the 18.0/19.0 trees
#                                            tools/build_series.py builds
#   oca-checks-odoo-module, oca-checks-po    manifests, XML, CSV; .po/.pot (same trees)
#   tools/licence_headers.py                 OCA's licence header in the addons' Python files
# Prints the number of findings per tool and exits 1 when there is any. tools/format.sh fixes
# what a formatter can fix.
#   tools/lint.sh            (PY=python of a venv with requirements.txt, default .venv/bin/python)
set -uo pipefail
cd "$(dirname "$0")/.."
source tools/lib.sh   # our_addons
REPO=$(pwd)
PY=${PY:-$REPO/.venv/bin/python}
BIN=$(dirname "$PY")
mapfile -t ADDONS < <(our_addons)
[ ${#ADDONS[@]} -gt 0 ] || { echo "lint: FAILED (tools/addons.py found no addon)"; exit 1; }
total=0
counts=()
missing=0

for tool in ruff pylint oca-checks-odoo-module oca-checks-po; do
    if [ ! -x "$BIN/$tool" ]; then
        echo "lint: $BIN/$tool is missing: run tools/setup.sh (it installs requirements.txt into .venv)"
        missing=1
    fi
done
if [ ! -x node_modules/.bin/prettier ] || [ ! -x node_modules/.bin/eslint ]; then
    if command -v npm >/dev/null; then
        echo "lint: node_modules missing: npm ci"
        npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1 \
            || { echo "lint: npm ci failed: run it by hand to see why"; missing=1; }
    else
        echo "lint: npm is missing: install Node.js and npm (apt-get install nodejs npm), then tools/setup.sh"
        missing=1
    fi
fi
[ "$missing" = 0 ] || { echo "lint: FAILED (tools missing)"; exit 1; }

# run_tool NAME PATTERN COMMAND...: run, show the output, count the lines matching PATTERN.
run_tool() {
    local name=$1 pattern=$2; shift 2
    local out n status
    out=$("$@" 2>&1)
    status=$?
    n=$(printf '%s\n' "$out" | grep -cE "$pattern")
    if [ "$status" -ne 0 ] && [ "$n" -eq 0 ]; then   # the tool failed without a finding
        printf '%s\n' "$out" | tail -15
        echo "lint: $name: the tool itself failed (exit $status)"; n=1
    fi
    if [ "$n" -gt 0 ]; then
        printf '%s\n' "$out" | grep -E "$pattern" | head -${LINT_SHOW:-40}
        [ "$n" -gt "${LINT_SHOW:-40}" ] && echo "   ... ($n in all)"
    fi
    echo "lint: $name: $n findings"
    counts+=("$name $n"); total=$((total + n))
}

# Files: what git knows (tracked, or new and not ignored), so generated trees are not linted.
mapfile -t js_xml < <(git ls-files --cached --others --exclude-standard -- '*.js' '*.xml' | sort -u)
mapfile -t js < <(printf '%s\n' "${js_xml[@]}" | grep -E '\.js$')
mapfile -t po < <(git ls-files --cached --others --exclude-standard -- '*.po' '*.pot' | sort -u)
in_dir() { local dir=$1; shift; (cd "$dir" && "$@"); }
existing() { local f; for f in "$@"; do [ -f "$f" ] && echo "$f"; done; }
mapfile -t js_xml < <(existing "${js_xml[@]}")
mapfile -t js < <(existing "${js[@]}")
mapfile -t po < <(existing "${po[@]}")

FINDING_LINE='^[^ :]+(:[0-9]+)+:? '
run_tool "ruff check" "$FINDING_LINE" "$BIN/ruff" check --no-fix --output-format concise .
run_tool "ruff format" ": unformatted: " "$BIN/ruff" format --check --output-format concise .
run_tool "prettier" "^\[warn\] [^ ]+\.(js|xml)$" node_modules/.bin/prettier --check "${js_xml[@]}"
run_tool "eslint" "^ +[0-9]+:[0-9]+ +(error|warning) " node_modules/.bin/eslint "${js[@]}"
run_tool "pylint-odoo" "$FINDING_LINE" "$PY" -m pylint --rcfile=.pylintrc --valid-odoo-versions=17.0 "${ADDONS[@]}"
run_tool "oca-checks-odoo-module" "$FINDING_LINE|^[^ :]+: [a-z0-9-]+ " \
    "$BIN/oca-checks-odoo-module" "${ADDONS[@]}"
run_tool "oca-checks-po" "$FINDING_LINE|^[^ :]+: [a-z0-9-]+ " "$BIN/oca-checks-po" "${po[@]}"
run_tool "licence headers" ": licence-header " "$PY" tools/licence_headers.py

# The trees of the other series: what a formatter fixes is fixed in the sources; these runs
# catch what only a generated tree has (pylint-odoo's series rules, the manifests, the XML).
if [ -f tools/build_series.py ]; then
    trees=$(mktemp -d)
    for series in $("$PY" tools/build_series.py --list 2>/dev/null | grep -v '^17\.0$'); do
        if ! "$PY" tools/build_series.py "$series" "$trees/$series" > "$trees/build-$series.log" 2>&1; then
            cat "$trees/build-$series.log"; echo "lint: build_series.py $series failed"
            counts+=("build $series 1"); total=$((total + 1)); continue
        fi
        mapfile -t built < <(our_addons --source "$trees/$series")
        run_tool "pylint-odoo $series" "$FINDING_LINE" in_dir "$trees/$series" "$PY" -m pylint \
            --rcfile="$REPO/.pylintrc" --valid-odoo-versions="$series" "${built[@]}"
        run_tool "oca-checks-odoo-module $series" "$FINDING_LINE|^[^ :]+: [a-z0-9-]+ " \
            in_dir "$trees/$series" "$BIN/oca-checks-odoo-module" "${built[@]}"
    done
    rm -rf "$trees"
fi

echo "lint: $total findings in all ($(printf '%s, ' "${counts[@]}" | sed 's/, $//'))"
[ "$total" -eq 0 ]
