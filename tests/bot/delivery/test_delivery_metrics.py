"""The delivery worker's tries as /metrics counts them: per method and result, Slack's latency and its 429s."""

from prometheus_client import CollectorRegistry

from bot.delivery import Deliverer
from bot.monitoring.instruments import INSTRUMENTS
from slack_emulator import RateLimited, ServerError, SlackEmulator
from storage.engine import Database
from tests.bot.delivery.helpers import ManualClock, enqueue, post


def _value(name: str, registry: CollectorRegistry = INSTRUMENTS, **labels: str) -> float:
    return registry.get_sample_value(name, labels) or 0.0


def test_a_429_then_a_post_count_one_rate_limited_try_one_sent_and_two_timed_calls(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer
) -> None:
    method = {"method": "chat.postMessage"}
    before = {
        "sent": _value("frontdesk_deliveries_total", result="sent", **method),
        "limited": _value("frontdesk_deliveries_total", result="rate_limited", **method),
        "429": _value("frontdesk_slack_rate_limited_total", **method),
        "calls": _value("frontdesk_slack_api_seconds_count", **method),
    }
    emulator.fail("chat.postMessage", RateLimited(retry_after=0))
    post(db, clock, "m", emulator.workspace.channel("support").id)
    deliverer.deliver_once(clock.now)
    deliverer.deliver_once(clock.now)
    assert _value("frontdesk_deliveries_total", result="sent", **method) == before["sent"] + 1
    assert _value("frontdesk_deliveries_total", result="rate_limited", **method) == before["limited"] + 1
    assert _value("frontdesk_slack_rate_limited_total", **method) == before["429"] + 1
    assert _value("frontdesk_slack_api_seconds_count", **method) == before["calls"] + 2


def test_a_5xx_is_a_retried_try_and_an_unknown_channel_error_a_dead_one(
    db: Database, clock: ManualClock, emulator: SlackEmulator, deliverer: Deliverer
) -> None:
    labels = {"method": "reactions.add"}
    retried = _value("frontdesk_deliveries_total", result="retried", **labels)
    dead = _value("frontdesk_deliveries_total", result="dead", **labels)
    seeded = emulator.workspace.post_message(emulator.workspace.channel("support").id, "alice", text="help")
    emulator.fail("reactions.add", ServerError(status=503))
    on = {"channel": seeded.channel, "timestamp": seeded.ts}
    enqueue(db, clock, "eyes", "reactions.add", args={**on, "name": "eyes"})
    deliverer.deliver_once(clock.now)
    enqueue(db, clock, "nameless", "reactions.add", args={**on, "name": ""})
    deliverer.deliver_once(clock.now)  # Slack refuses it for good: invalid_name
    assert _value("frontdesk_deliveries_total", result="retried", **labels) == retried + 1
    assert _value("frontdesk_deliveries_total", result="dead", **labels) == dead + 1
