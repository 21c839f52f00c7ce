"""Fixtures for the emulator's tests: a running emulator on the example workspace, its client, a settable clock.

Rules:
- `emulator` is started per test on a fresh `Workspace.example()` and stopped after it; a test that breaks the
  emulator itself (an exception inside it) fails here, not silently.
- `clock` is a clock the test moves by hand (`clock.advance(seconds)`); `clocked_emulator` runs on it.
"""

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient

from slack_emulator import SlackEmulator, Workspace
from tests.slack_emulator.helpers import ManualClock


def _running(emulator: SlackEmulator) -> Iterator[SlackEmulator]:
    with emulator:
        yield emulator
    assert emulator.internal_errors == []


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    yield from _running(SlackEmulator(Workspace.example()))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def clocked_emulator(clock: ManualClock) -> Iterator[SlackEmulator]:
    yield from _running(SlackEmulator(Workspace.example(clock=clock)))


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return emulator.client()


@pytest.fixture
def ws(emulator: SlackEmulator) -> Workspace:
    return emulator.workspace
