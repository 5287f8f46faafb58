#!/usr/bin/env python3
"""The licence header OCA puts at the top of every Python file of an addon.

    tools/licence_headers.py            list the files without it (exit 1 when any)
    tools/licence_headers.py --fix      add it where it is missing

The header is the addon's licence as OCA writes it, after a shebang or coding line if any:

    # Copyright 2026 openfire-google-calendar
    # License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""

import sys
from pathlib import Path

from addons import manifests

ROOT = Path(__file__).resolve().parent.parent
LICENCES = {  # manifest licence -> OCA's header line
    "LGPL-3": "# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).",
    "AGPL-3": "# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).",
}
COPYRIGHT = "# Copyright 2026 openfire-google-calendar"


def main(argv):
    fix = "--fix" in argv
    missing = []
    for name, manifest in manifests(ROOT).items():
        addon = ROOT / name
        line = LICENCES[manifest["license"]]
        for path in sorted(addon.rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            head = text.split("\n", 5)[:5]
            if any(h.startswith("# License ") for h in head):
                continue
            missing.append(path.relative_to(ROOT))
            if fix:
                lines = text.split("\n")
                at = 1 if lines and lines[0].startswith("#!") else 0
                lines[at:at] = [COPYRIGHT, line]
                path.write_text("\n".join(lines), encoding="utf-8")
    for path in missing:
        print(f"{path}:1: licence-header {'added' if fix else 'missing'}")
    return 0 if fix or not missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
