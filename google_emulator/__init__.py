"""A local Google Calendar API v3 + OAuth 2.0 emulator for tests and the demo.

Usage::

    from google_emulator import Emulator
    with Emulator(seed=0).start() as emu:
        emu.add_account("demo@example.com")
        ...

See README.md in this folder for every endpoint, knob and limitation.
"""

from .errors import ApiError
from .server import Emulator

__all__ = ["ApiError", "Emulator"]
