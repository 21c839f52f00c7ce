"""Group commit of inbox rows: items queued during a transaction share the next one, each answered after its commit."""

import threading
from collections.abc import Callable, Sequence
from datetime import datetime

import pytest

from storage.engine import Database
from storage.errors import DatabaseUnavailableError, StorageError
from storage.group_commit import GroupCommit
from storage.inbox import Arrival, inbox_rows, receive_all
from tests.storage.helpers import NOW

WAIT = 10.0  # seconds; only reached when something is broken


def _arrival(key: str, now: datetime = NOW) -> Arrival:
    return Arrival(key, "slack", f"conversation-{key}", {"key": key}, now)


def _stored(db: Database) -> list[str]:
    with db.read() as session:
        return [row.key for row in inbox_rows(session, limit=1000)]


class Gated:
    """The inbox write, held at its first call until `open()`: what arrives meanwhile queues behind it."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.batches: list[list[str]] = []
        self.writing, self.gate = threading.Event(), threading.Event()

    def __call__(self, arrivals: Sequence[Arrival]) -> list[bool]:
        self.batches.append([arrival.key for arrival in arrivals])
        if len(self.batches) == 1:
            self.writing.set()
            assert self.gate.wait(WAIT)
        return receive_all(self.db, arrivals)


class Submitter:
    """A thread that submits one item and keeps its outcome or error."""

    def __init__(self, commit: GroupCommit[Arrival, bool], arrival: Arrival) -> None:
        self.outcome: bool | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(commit, arrival))
        self.thread.start()

    def _run(self, commit: GroupCommit[Arrival, bool], arrival: Arrival) -> None:
        try:
            self.outcome = commit.submit(arrival)
        except BaseException as error:
            self.error = error

    def joined(self) -> "Submitter":
        self.thread.join(WAIT)
        assert not self.thread.is_alive()
        return self


def _first_held_then(
    commit: GroupCommit[Arrival, bool], gated: Gated, first: Arrival, then: list[Arrival]
) -> tuple[Submitter, list[Submitter]]:
    """`first` is being written (held) while `then` are submitted and queue; then the write goes on."""
    leader = Submitter(commit, first)
    assert gated.writing.wait(WAIT)
    followers = [Submitter(commit, arrival) for arrival in then]
    assert commit.wait_for_queued(len(then), WAIT)
    assert leader.outcome is None
    assert leader.error is None
    gated.gate.set()
    return leader.joined(), [follower.joined() for follower in followers]


def test_items_queued_during_a_transaction_share_the_next_one_and_each_is_answered(db: Database) -> None:
    gated = Gated(db)
    commit: GroupCommit[Arrival, bool] = GroupCommit(gated)
    keys = ["k1", "k2", "k3", "k4", "k5", "k6", "k2"]  # one key twice: a Slack retry racing the original
    leader, followers = _first_held_then(commit, gated, _arrival("k0"), [_arrival(key) for key in keys])
    assert (leader.outcome, leader.error) == (True, None)
    assert [follower.error for follower in followers] == [None] * len(keys)
    assert gated.batches[0] == ["k0"]
    assert len(gated.batches) == 2
    assert sorted(gated.batches[1]) == sorted(keys)
    outcomes = [(key, follower.outcome) for key, follower in zip(keys, followers, strict=True)]
    assert sorted(outcome for key, outcome in outcomes if key == "k2") == [False, True]
    assert all(outcome for key, outcome in outcomes if key != "k2")
    assert _stored(db) == gated.batches[0] + list(dict.fromkeys(gated.batches[1]))  # in submission order, once


def test_a_key_already_stored_is_answered_false_and_stored_once(db: Database) -> None:
    commit: GroupCommit[Arrival, bool] = GroupCommit(lambda arrivals: receive_all(db, arrivals))
    assert commit.submit(_arrival("once")) is True
    assert commit.submit(_arrival("once")) is False
    assert _stored(db) == ["once"]


def test_a_bad_item_in_a_batch_fails_alone_and_the_others_are_stored(db: Database) -> None:
    gated = Gated(db)
    commit: GroupCommit[Arrival, bool] = GroupCommit(gated, shared_errors=(DatabaseUnavailableError,))
    naive = datetime(2026, 11, 23, 9, 0)
    then = [_arrival("good1"), _arrival("naive", now=naive), _arrival("good2")]
    _, (good1, bad, good2) = _first_held_then(commit, gated, _arrival("first"), then)
    assert (good1.outcome, good2.outcome) == (True, True)
    assert bad.outcome is None
    assert isinstance(bad.error, ValueError)
    assert sorted(_stored(db)) == ["first", "good1", "good2"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_when_the_database_cannot_be_written_every_item_fails_and_nothing_is_stored(empty_database_url: str) -> None:
    database = Database.from_url(empty_database_url)  # no tables: every write fails
    try:
        gated = Gated(database)
        commit: GroupCommit[Arrival, bool] = GroupCommit(gated, shared_errors=(DatabaseUnavailableError,))
        leader, followers = _first_held_then(commit, gated, _arrival("a"), [_arrival("b"), _arrival("c")])
        for submitter in (leader, *followers):
            assert submitter.outcome is None
            assert isinstance(submitter.error, StorageError)
        assert len(gated.batches) == 2  # the failed batch of two was not retried item by item
    finally:
        database.dispose()


def test_many_threads_store_every_item_exactly_once(db: Database) -> None:
    writes: list[int] = []
    lock = threading.Lock()

    def write(arrivals: Sequence[Arrival]) -> list[bool]:
        with lock:
            writes.append(len(arrivals))
        return receive_all(db, arrivals)

    commit: GroupCommit[Arrival, bool] = GroupCommit(write, max_batch=8)
    keys = [f"k{number % 150}" for number in range(200)]  # 50 duplicates
    barrier = threading.Barrier(16)
    outcomes: list[tuple[str, bool]] = []

    def submit_every_16th(start: int) -> Callable[[], None]:
        def run() -> None:
            barrier.wait(WAIT)
            for key in keys[start::16]:
                outcome = commit.submit(_arrival(key))
                with lock:
                    outcomes.append((key, outcome))

        return run

    threads = [threading.Thread(target=submit_every_16th(start)) for start in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT * 3)
    assert len(outcomes) == 200
    assert sorted(key for key, new in outcomes if new) == sorted(set(keys))
    assert sorted(_stored(db)) == sorted(set(keys))
    assert sum(writes) == 200
    assert max(writes) <= 8
