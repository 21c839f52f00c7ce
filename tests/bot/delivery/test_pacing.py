"""Per-channel paces and methods blocked by Retry-After, on given instants, kept in the database."""

import random
from datetime import timedelta

from bot.delivery.pacing import Held, Pace, Pacing
from bot.delivery.tuning import DeliverySettings
from storage.engine import Database
from tests.storage.helpers import NOW

SECOND = timedelta(seconds=1)
POST = "chat.postMessage"


def test_a_channel_gets_its_burst_then_one_message_a_second(db: Database) -> None:
    pacing = Pacing(db, Pace(per_second=1.0, burst=3))

    def take(channel: str, at: timedelta) -> object:
        held = pacing.admit(POST, channel, NOW + at)
        return None if held is None else held.until

    assert [take("C1", 0 * SECOND) for _ in range(3)] == [None, None, None]
    assert take("C1", 0 * SECOND) == NOW + SECOND
    assert take("C2", 0 * SECOND) is None  # another channel has its own pace
    assert take("C1", SECOND / 2) == NOW + SECOND
    assert take("C1", SECOND) is None
    assert take("C1", 100 * SECOND) is None  # a pace holds at most its burst
    assert [take("C1", 100 * SECOND) for _ in range(3)] == [None, None, NOW + 101 * SECOND]


def test_a_block_holds_only_its_method_until_it_ends_for_every_process(db: Database, database_url: str) -> None:
    one, other = Pacing(db, Pace()), Pacing(Database.from_url(database_url), Pace())
    one.block(POST, NOW + 30 * SECOND)
    other.block(POST, NOW + 10 * SECOND)  # a shorter block does not shorten the longer one
    assert other.admit(POST, "C1", NOW) == Held(NOW + 30 * SECOND, "chat.postMessage rate limited")
    assert other.admit("views.open", None, NOW) is None
    assert one.admit(POST, "C1", NOW + 30 * SECOND) is None
    other.database.dispose()


def test_a_blocked_call_spends_no_token(db: Database) -> None:
    pacing = Pacing(db, Pace(per_second=1.0, burst=1))
    pacing.block(POST, NOW + SECOND)
    assert pacing.admit(POST, "C1", NOW) == Held(NOW + SECOND, "chat.postMessage rate limited")
    assert pacing.admit(POST, "C1", NOW + SECOND) is None
    assert pacing.admit(POST, "C1", NOW + SECOND) == Held(NOW + 2 * SECOND, "paced: channel C1")


def test_backoff_doubles_up_to_its_cap_with_half_of_it_jitter() -> None:
    settings = DeliverySettings(backoff_base=2 * SECOND, backoff_cap=60 * SECOND)
    rng = random.Random(3)
    for tries, full in [(1, 2), (2, 4), (3, 8), (6, 60), (40, 60)]:
        wait = settings.backoff(tries, rng)
        assert full * SECOND / 2 <= wait <= full * SECOND
