"""The worker in a thread: woken by an enqueue, it delivers without waiting for its poll, and stops cleanly."""

from datetime import timedelta

import pytest

from bot.delivery import Deliverer, DeliverySettings
from bot.threads.runner import Runner
from slack_emulator import ServerError, SlackEmulator
from storage.engine import Database
from tests.bot.delivery.helpers import ManualClock, post

HOUR = timedelta(hours=1)


@pytest.mark.parametrize("settings", [DeliverySettings(poll_interval=HOUR)])
def test_a_woken_runner_delivers_at_once_and_stops_cleanly(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer
) -> None:
    support = emulator.workspace.channel("support").id
    runner = Runner(deliverer.round, name="delivery", poll=deliverer.settings.poll_interval).start()
    try:
        post(db, clock, "first", support)
        runner.wake()
        emulator.wait_for_call("chat.postMessage", lambda call: call.params["text"] == "first")
        post(db, clock, "second", support)
        runner.wake()
        emulator.wait_for_call("chat.postMessage", lambda call: call.params["text"] == "second")
    finally:
        runner.stop()
    assert not runner.running


@pytest.mark.parametrize("settings", [DeliverySettings(poll_interval=HOUR, backoff_base=timedelta(seconds=30))])
def test_a_runner_retries_a_failed_row_when_woken_after_its_retry_came_due(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer
) -> None:
    emulator.fail("chat.postMessage", ServerError(500))
    support = emulator.workspace.channel("support").id
    post(db, clock, "m", support)
    deliverer.deliver_once(clock.now)  # fails: retried 15 to 30 s later
    runner = Runner(deliverer.round, name="delivery", poll=deliverer.settings.poll_interval).start()
    try:
        clock.advance(timedelta(minutes=1))  # past the retry
        runner.wake()
        emulator.wait_for_call("chat.postMessage", lambda call: call.ok)
    finally:
        runner.stop()
