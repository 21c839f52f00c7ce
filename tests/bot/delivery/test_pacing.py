"""Per-channel token buckets and methods blocked by Retry-After, on given instants."""

import random
from datetime import timedelta

from bot.delivery.pacing import ChannelPace, MethodBlocks, Pace
from bot.delivery.settings import DeliverySettings
from tests.storage.helpers import NOW

SECOND = timedelta(seconds=1)


def test_a_channel_gets_its_burst_then_one_message_a_second() -> None:
    pace = ChannelPace(Pace(per_second=1.0, burst=3))
    assert [pace.take("C1", NOW) for _ in range(3)] == [None, None, None]
    assert pace.take("C1", NOW) == NOW + SECOND
    assert pace.take("C2", NOW) is None  # another channel has its own bucket
    assert pace.take("C1", NOW + SECOND / 2) == NOW + SECOND
    assert pace.take("C1", NOW + SECOND) is None
    assert pace.take("C1", NOW + 100 * SECOND) is None  # the bucket holds at most its burst
    assert [pace.take("C1", NOW + 100 * SECOND) for _ in range(3)] == [None, None, NOW + 101 * SECOND]


def test_a_block_holds_only_its_method_until_it_ends() -> None:
    blocks = MethodBlocks()
    blocks.block("chat.postMessage", NOW + 30 * SECOND)
    blocks.block("chat.postMessage", NOW + 10 * SECOND)  # a shorter block does not shorten the longer one
    assert blocks.blocked_until("chat.postMessage", NOW) == NOW + 30 * SECOND
    assert blocks.blocked_until("views.open", NOW) is None
    assert blocks.blocked_until("chat.postMessage", NOW + 30 * SECOND) is None


def test_backoff_doubles_up_to_its_cap_with_half_of_it_jitter() -> None:
    settings = DeliverySettings(backoff_base=2 * SECOND, backoff_cap=60 * SECOND)
    rng = random.Random(3)
    for tries, full in [(1, 2), (2, 4), (3, 8), (6, 60), (40, 60)]:
        wait = settings.backoff(tries, rng)
        assert full * SECOND / 2 <= wait <= full * SECOND
