"""Rows parked while the bot is not in their channel: the channel waits once however many park, what follows a
parked row waits with it, release and probe make them due again, and nothing is ever lost or dead."""

from datetime import timedelta

from storage import channel_waits
from storage.channel_waits import ChannelWaiting
from storage.engine import Database
from storage.kinds import OutboxState
from storage.outbox import OutboxClaim, claim_outbox, enqueue, outbox_counts, outbox_entry
from tests.storage.helpers import NOW, run_in_threads

LEASE = timedelta(minutes=2)
MINUTE = timedelta(minutes=1)


def _enqueue(db: Database, key: str, ordering_key: str, waits_for: str | None = None) -> None:
    with db.write() as session:
        enqueue(session, key=key, destination_kind="slack", destination="C1", payload={"text": key}, now=NOW,
                ordering_key=ordering_key, waits_for=waits_for)  # fmt: skip


def _claim(db: Database, at: timedelta = timedelta(0)) -> list[OutboxClaim]:
    return claim_outbox(db, now=NOW + at, lease_for=LEASE)


def _park(db: Database, claim: OutboxClaim, channel: str = "C1") -> ChannelWaiting | None:
    with db.write() as session:
        return channel_waits.park(session, claim, channel=channel, reason="not_in_channel", now=NOW)


def _state(db: Database, key: str) -> OutboxState:
    with db.read() as session:
        found = outbox_entry(session, key)
    assert found is not None
    return found.state


def test_the_first_row_parked_starts_the_wait_and_what_follows_it_waits_too(db: Database) -> None:
    _enqueue(db, "a", "C1/")
    _enqueue(db, "a reply", "C1/1.0", waits_for="a")
    _enqueue(db, "b", "C1/")
    _enqueue(db, "thread", "C1/2.0")
    first, second = _claim(db)  # "a reply" waits for a, "b" is behind a
    assert [first.idempotency_key, second.idempotency_key] == ["a", "thread"]
    assert _park(db, first) == ChannelWaiting("C1", NOW)
    assert _park(db, second) is None  # the channel waits already: nobody is told twice
    assert _claim(db, MINUTE) == []  # what follows a parked row is not claimed
    with db.read() as session:
        assert channel_waits.waiting(session) == [ChannelWaiting("C1", NOW, parked=2)]
        counts = outbox_counts(session)
    assert (counts[OutboxState.PARKED], counts[OutboxState.PENDING], counts[OutboxState.DEAD]) == (2, 2, 0)

    with db.write() as session:
        assert channel_waits.release(session, "C1", now=NOW + MINUTE) == 2
        assert channel_waits.waiting(session) == []
    again = _claim(db, MINUTE)
    assert [claim.idempotency_key for claim in again] == ["a", "thread"]
    assert [claim.attempts for claim in again] == [1, 1]  # parking gave the attempt back


def test_a_probe_makes_the_oldest_parked_row_of_each_channel_due(db: Database) -> None:
    for key, channel in (("c1 first", "C1"), ("c1 second", "C1"), ("c2", "C2")):
        _enqueue(db, key, f"{channel}/{key}")
    for claim in _claim(db):
        _park(db, claim, channel="C1" if claim.idempotency_key.startswith("c1") else "C2")
    with db.write() as session:
        assert channel_waits.probe(session, now=NOW + MINUTE) == 2
    assert sorted(claim.idempotency_key for claim in _claim(db, MINUTE)) == ["c1 first", "c2"]
    assert _state(db, "c1 second") is OutboxState.PARKED


def test_processes_parking_in_one_channel_at_once_start_one_wait(db: Database, database_url: str) -> None:
    for n in range(6):
        _enqueue(db, f"m{n}", f"C1/{n}")
    claims = _claim(db)
    processes = [db, Database.from_url(database_url), Database.from_url(database_url)]
    started = run_in_threads([lambda c=c, d=processes[n % 3]: _park(d, c) for n, c in enumerate(claims)])
    assert [waiting for waiting in started if waiting is not None] == [ChannelWaiting("C1", NOW)]
    for database in processes[1:]:
        database.dispose()
