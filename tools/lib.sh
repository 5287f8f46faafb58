# Shell functions the tools/*.sh scripts share: `source "$(dirname "$0")/lib.sh"`.
# Sourced, never run: it sets no shell option and changes no directory.

# The folder of this file: the scripts may be called from anywhere.
OFGC_TOOLS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# series_of DIR: the series (e.g. 18.0) of the Odoo source tree in DIR, read from its
# odoo/release.py; prints nothing when DIR holds no Odoo (and succeeds: under `set -e`, the
# callers test what it printed).
series_of() {
    sed -n "s/^version_info = (\([0-9]*\), \([0-9]*\),.*/\1.\2/p" "$1/odoo/release.py" 2>/dev/null || true
}

# our_addons [tools/addons.py options]: the repository's addons, read from their manifests
# in dependency order (e.g. `our_addons --installable --sep ,`).
our_addons() {
    python3 "$OFGC_TOOLS/addons.py" "$@"
}
