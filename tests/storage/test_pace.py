"""Shared paces: a token is never spent twice by concurrent processes, a pace never lets more through than its
rate and burst allow, and a block only ever grows."""

from datetime import timedelta
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import pace
from storage.engine import Database
from tests.storage.helpers import NOW, run_in_threads

SECOND = timedelta(seconds=1)
_names = count(1)


def test_processes_taking_one_channel_at_once_get_one_token_between_them(db: Database, database_url: str) -> None:
    processes = [db, *(Database.from_url(database_url) for _ in range(2))]  # a connection pool each

    def take(database: Database) -> bool:
        with database.write() as session:
            return pace.take(session, "channel:C1", now=NOW, interval=SECOND, burst=2) is None

    assert sum(run_in_threads([lambda d=d: take(d) for d in processes for _ in range(4)])) == 2
    with db.write() as session:
        assert pace.take(session, "channel:C1", now=NOW, interval=SECOND, burst=2) == NOW + SECOND
    for database in processes[1:]:
        database.dispose()


def test_a_block_is_never_shortened(db: Database) -> None:
    with db.write() as session:
        assert pace.blocked_until(session, "method:chat.update", now=NOW) is None
        pace.block(session, "method:chat.update", until=NOW + 30 * SECOND)
        pace.block(session, "method:chat.update", until=NOW + 10 * SECOND)
        assert pace.blocked_until(session, "method:chat.update", now=NOW) == NOW + 30 * SECOND
        pace.block(session, "method:chat.update", until=NOW + 40 * SECOND)
        assert pace.blocked_until(session, "method:chat.update", now=NOW + 39 * SECOND) == NOW + 40 * SECOND
        assert pace.blocked_until(session, "method:chat.update", now=NOW + 40 * SECOND) is None


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    gaps=st.lists(st.integers(min_value=0, max_value=3_000_000), min_size=1, max_size=30),
    per_interval=st.sampled_from([250_000, 1_000_000, 2_500_000]),
    burst=st.integers(min_value=1, max_value=4),
)
def test_what_a_pace_lets_through_never_exceeds_its_burst_plus_its_rate(
    db: Database, gaps: list[int], per_interval: int, burst: int
) -> None:
    name, interval, now, taken = f"channel:C{next(_names)}", timedelta(microseconds=per_interval), NOW, []
    for gap in gaps:  # microseconds between attempts
        now += timedelta(microseconds=gap)
        with db.write() as session:
            answer = pace.take(session, name, now=now, interval=interval, burst=burst)
        if answer is None:
            taken.append(now)
        else:
            assert answer > now  # the next token comes later, never now
    for start in taken:
        for window in (interval, 3 * interval, 10 * interval):
            assert len([t for t in taken if start <= t < start + window]) <= burst + window / interval
