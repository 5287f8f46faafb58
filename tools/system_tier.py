#!/usr/bin/env python3
"""The system tier's command line; the tier itself is the package tools/system_tier/.

    /opt/odoo17/.venv/bin/python tools/system_tier.py --odoo-home /opt/odoo17 \\
        --addons-path /opt/odoo17/addons,/opt/odoo17/odoo/addons,$PWD [--size small|big] \\
        [--planners N --technicians N --edits N --kills N --fault-rate 0.2] \\
        [--mode threaded|prefork|both] [--keep]

Run it with Odoo's virtualenv python (only the standard library and requests are needed).
Exit 0 when every check of every mode passed; the last line is `system tier: ok (...)` or
`system tier: FAILED (...)`. See tools/system_tier/README.md.
"""

import os
import sys

# The package beside this script (tools/system_tier/), whatever the working directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from system_tier.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
