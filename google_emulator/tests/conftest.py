"""Fixtures: one emulator per test module, reset before every test."""

import os

import pytest

from google_emulator import Emulator
from google_emulator.testing import allow_insecure_loopback, make_service
from google_emulator.tests.helpers import ALICE


@pytest.fixture(scope="module")
def running_emulator():
    """The emulator process-wide for a module (starting one costs ~1 ms)."""
    with Emulator(seed=0).start() as emu:
        yield emu


@pytest.fixture
def emu(running_emulator):
    """A clean emulator: every account, token, fault and log entry forgotten."""
    running_emulator.reset()
    yield running_emulator
    running_emulator.reset()


@pytest.fixture
def service(emu):
    """A googleapiclient Calendar service for ALICE, built like a real caller."""
    return make_service(emu, ALICE)


@pytest.fixture
def insecure_loopback(emu):
    """oauthlib refuses plain HTTP; allow it for the loopback emulator only."""
    previous = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    allow_insecure_loopback(emu)
    yield
    if previous is None:
        os.environ.pop("OAUTHLIB_INSECURE_TRANSPORT", None)
    else:
        os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = previous
