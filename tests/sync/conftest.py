"""Fixtures of the sync core tests: one emulator for the session, reset per test."""

import pytest
from sync_helpers import EMAIL, MemoryOdoo, new_client

from google_emulator import Emulator


@pytest.fixture(scope="session")
def running_emulator():
    """The emulator process-wide (starting one per test would be slow)."""
    emu = Emulator(seed=0).start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emu(running_emulator):
    """A clean emulator: no account, no fault, empty log."""
    running_emulator.reset()
    yield running_emulator
    running_emulator.reset()


@pytest.fixture
def calendar(emu):
    """The dedicated "Interventions" calendar of the test user."""
    emu.add_account(EMAIL, time_zone="Europe/Paris")
    return emu.add_calendar(EMAIL, "Interventions", time_zone="Europe/Paris")


@pytest.fixture
def client(emu, calendar):  # pylint: disable=unused-argument
    """A GoogleClient for the test user, with instant backoff."""
    return new_client(emu)


@pytest.fixture
def odoo():
    """The in-memory Odoo side."""
    return MemoryOdoo()


@pytest.fixture
def phone(emu, calendar):  # pylint: disable=unused-argument
    """The test user acting in Google (no HTTP, no faults)."""
    return emu.phone(EMAIL)
