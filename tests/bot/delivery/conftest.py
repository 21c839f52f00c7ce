"""Fixtures of the delivery tests: a SQLite database (PostgreSQL where a test asks), a clock moved by hand that
the worker and the emulator share, the emulator on that clock, and a worker pointed at it.

Rules:
- `backend` is "sqlite" unless a test parametrizes it (indirect) with "postgresql".
- The emulator's call times are the shared clock's, so pacing is asserted on recorded times, never by sleeping.
- The emulator must end a test without internal errors.
"""

import random
from collections.abc import Iterator

import pytest

from bot.delivery import Deliverer, DeliverySettings, delivery_client
from slack_emulator import SlackEmulator, Workspace
from storage.engine import Database
from tests.bot.delivery.helpers import ManualClock


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def emulator(clock: ManualClock) -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example(clock=clock.seconds)) as emulator:
        yield emulator
    assert emulator.internal_errors == []


@pytest.fixture
def settings() -> DeliverySettings:
    return DeliverySettings()


@pytest.fixture
def deliverer(db: Database, emulator: SlackEmulator, clock: ManualClock, settings: DeliverySettings) -> Deliverer:
    client = delivery_client(emulator.bot_token, emulator.base_url, timeout=5)
    return Deliverer(db, client, clock, settings, rng=random.Random(7))
