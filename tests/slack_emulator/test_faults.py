"""The fault script's order and counts, and per-channel pacing on a clock."""

from slack_emulator.faults import ANY_METHOD, ChannelPacer, ChannelRateLimit, FaultScript, RateLimited, ServerError
from tests.slack_emulator.helpers import ManualClock


def test_faults_are_taken_in_order_and_counted() -> None:
    script = FaultScript()
    script.add("chat.postMessage", RateLimited(1), times=2)
    script.add("chat.postMessage", ServerError())
    assert script.pending("chat.postMessage") == 3
    taken = [script.take("chat.postMessage") for _ in range(4)]
    assert taken == [RateLimited(1), RateLimited(1), ServerError(), None]
    assert script.pending("chat.postMessage") == 0


def test_a_methods_own_faults_come_before_any_methods() -> None:
    script = FaultScript()
    script.add(ANY_METHOD, ServerError(503), times=None)
    script.add("auth.test", RateLimited(2))
    assert script.take("auth.test") == RateLimited(2)
    assert script.take("auth.test") == ServerError(503)
    assert script.pending(ANY_METHOD) is None


def test_pacing_refills_one_token_a_second(clock: ManualClock) -> None:
    pacer = ChannelPacer(ChannelRateLimit(per_second=0.5, burst=2), clock)
    assert [pacer.admit("C1"), pacer.admit("C1"), pacer.admit("C1")] == [None, None, 2]
    clock.advance(1.0)
    assert pacer.admit("C1") == 1
    clock.advance(1.0)
    assert pacer.admit("C1") is None
    assert pacer.admit("C2") is None
