# Copyright 2026 openfire-google-calendar
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The emulator's admin API over HTTP, for the benches that run it in a
process of their own (bench/sync_core.py, bench/fleet_sync.py)."""

import json
import urllib.request


def call(base_url, path, body=None, method=None, timeout=60):
    """Call ``/_emulator/<path>`` (POST with a body, GET without) and return its JSON."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        "%s/_emulator/%s" % (base_url, path),
        data=data,
        method=method or ("POST" if data is not None else "GET"),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read() or b"{}")
