"""``python -m system_tier`` from tools/: the same as tools/system_tier.py."""

import sys

from .cli import main

sys.exit(main())
