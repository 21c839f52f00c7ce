"""The inbox: duplicates dropped, conversations in order, leases, and exactly-once processing under concurrency."""

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from storage import audit
from storage.engine import Database
from storage.errors import LeaseLostError
from storage.inbox import (
    Arrival,
    InboxClaim,
    claim_inbox,
    complete_inbox,
    inbox_counts,
    kill_inbox,
    receive,
    receive_all,
    renew_inbox,
    retry_inbox,
)
from storage.kinds import InboxState
from storage.tables import AuditEvent, InboxItem
from tests.storage.helpers import NOW, finish_worker, run_in_threads, start_worker

LEASE = timedelta(minutes=5)


def _receive(db: Database, *keys_and_conversations: tuple[str, str]) -> list[bool]:
    with db.write() as session:
        return [
            receive(session, key=key, source="slack", conversation=conversation, payload={"key": key}, now=NOW)
            for key, conversation in keys_and_conversations
        ]


def _complete(db: Database, claim: InboxClaim) -> None:
    with db.write() as session:
        complete_inbox(session, claim, now=NOW)


def test_a_duplicate_key_is_dropped(db: Database) -> None:
    assert _receive(db, ("Ev1", "C1"), ("Ev1", "C1"), ("Ev2", "C1")) == [True, False, True]
    assert _receive(db, ("Ev2", "C2")) == [False]
    with db.read() as session:
        assert inbox_counts(session)[InboxState.PENDING] == 2


def test_receive_all_stores_new_keys_in_order_and_drops_duplicates_in_the_list_and_stored_ones(db: Database) -> None:
    _receive(db, ("old", "C0"))
    arrivals = [Arrival(key, "slack", "C1", {"key": key}, NOW) for key in ("b", "old", "a", "b", "c")]
    assert receive_all(db, arrivals) == [True, False, True, False, True]
    assert receive_all(db, []) == []
    claims = claim_inbox(db, now=NOW, lease_for=LEASE)
    assert [claim.key for claim in claims] == ["old", "b"]  # C1's rows one at a time, in the order given
    assert claims[1].payload == {"key": "b"}


def test_receive_all_stores_the_same_row_as_receive(db: Database) -> None:
    payload = {"event": {"text": 'Ça ne marche pas 🚨 <@U1> & "quotes"', "n": [1, 2.5, None, True]}, "e": {}}
    with db.write() as session:
        receive(session, key="one", source="slack", conversation="C1", payload=payload, now=NOW)
    receive_all(db, [Arrival("all", "slack", "C2", payload, NOW)])
    with db.read() as session:
        raw = {row.key: row for row in session.exec(select(InboxItem).where(col(InboxItem.key).in_(["one", "all"])))}
        stored = session.connection().exec_driver_sql(
            "SELECT CAST(payload AS TEXT), CAST(received_at AS TEXT) FROM inbox WHERE conversation IN ('C1', 'C2')"
        )
        assert len(set(stored.all())) == 1  # the very same text in the database
    fields = ("source", "payload", "state", "attempts", "received_at", "lease_until", "lease_token", "last_error")
    assert [getattr(raw["one"], name) for name in fields] == [getattr(raw["all"], name) for name in fields]
    claims = {claim.key: claim for claim in claim_inbox(db, now=NOW, lease_for=LEASE)}
    assert claims["one"].payload == claims["all"].payload == payload
    assert claims["one"].received_at == claims["all"].received_at == NOW


def test_rows_are_claimed_oldest_first_and_one_at_a_time_per_conversation(db: Database) -> None:
    _receive(db, ("a1", "A"), ("b1", "B"), ("a2", "A"), ("c1", "C"), ("b2", "B"))
    first = claim_inbox(db, now=NOW, lease_for=LEASE)
    assert [claim.key for claim in first] == ["a1", "b1", "c1"]
    assert claim_inbox(db, now=NOW, lease_for=LEASE) == []  # a2 and b2 wait for a1 and b1
    _complete(db, first[0])
    assert [claim.key for claim in claim_inbox(db, now=NOW, lease_for=LEASE)] == ["a2"]
    assert first[0].payload == {"key": "a1"}
    assert first[0].attempts == 1


def test_a_row_whose_worker_died_is_claimed_again_after_the_lease(db: Database) -> None:
    _receive(db, ("e1", "A"))
    (dead_worker,) = claim_inbox(db, now=NOW, lease_for=LEASE)
    assert claim_inbox(db, now=NOW + LEASE - timedelta(seconds=1), lease_for=LEASE) == []
    (second,) = claim_inbox(db, now=NOW + LEASE, lease_for=LEASE)
    assert (second.id, second.attempts) == (dead_worker.id, 2)
    with pytest.raises(LeaseLostError, match="claimed again"):
        _complete(db, dead_worker)  # the first worker woke up late: its effects roll back
    _complete(db, second)
    with db.read() as session:
        assert inbox_counts(session)[InboxState.DONE] == 1


def test_a_failed_row_waits_until_its_next_try_and_its_conversation_waits_with_it_but_no_other(db: Database) -> None:
    _receive(db, ("p1", "A"), ("p2", "A"), ("q1", "B"))
    claims = claim_inbox(db, now=NOW, lease_for=LEASE)
    assert [c.key for c in claims] == ["p1", "q1"]
    with db.write() as session:
        retry_inbox(session, claims[0], error="HTTP 429", at=NOW + timedelta(seconds=30))
    _complete(db, claims[1])
    assert claim_inbox(db, now=NOW + timedelta(seconds=29), lease_for=LEASE) == []  # p2 waits behind p1
    (again,) = claim_inbox(db, now=NOW + timedelta(seconds=30), lease_for=LEASE)
    assert (again.key, again.attempts) == ("p1", 2)
    with db.write() as session:
        kill_inbox(session, again, error="boom")
    assert [claim.key for claim in claim_inbox(db, now=NOW + timedelta(seconds=30), lease_for=LEASE)] == ["p2"]
    with db.read() as session:
        assert inbox_counts(session)[InboxState.DEAD] == 1


def test_claiming_by_key_prefix_takes_only_those_rows(db: Database) -> None:
    _receive(db, ("message:C1:1", "C1:1"), ("command:T1", "user:U1"), ("view:V1:h", "user:U2"))
    taken = claim_inbox(db, now=NOW, lease_for=LEASE, prefixes=("command:", "block_actions:"))
    assert [claim.key for claim in taken] == ["command:T1"]


def test_a_renewed_lease_is_not_taken_by_another_worker_and_a_lost_one_is_not_renewed(db: Database) -> None:
    _receive(db, ("r1", "A"))
    short = timedelta(seconds=8)
    (claim,) = claim_inbox(db, now=NOW, lease_for=short)
    assert renew_inbox(db, [claim], until=NOW + timedelta(seconds=16)) == 1
    assert claim_inbox(db, now=NOW + timedelta(seconds=10), lease_for=short) == []
    (other,) = claim_inbox(db, now=NOW + timedelta(seconds=16), lease_for=short)
    assert renew_inbox(db, [claim], until=NOW + timedelta(seconds=30)) == 0  # the first worker's lease is gone
    _complete(db, other)
    with pytest.raises(LeaseLostError):
        _complete(db, claim)


def _drain(db: Database, worker: str) -> int:
    processed = 0
    while batch := claim_inbox(db, now=NOW, lease_for=LEASE, limit=5):
        for claim in batch:
            with db.write() as session:
                audit.record(session, actor=worker, action="inbox.processed", at=NOW, subject=f"inbox:{claim.id}")
                complete_inbox(session, claim, now=NOW)
            processed += 1
    return processed


def _processed_once_each(db: Database, expected: int) -> None:
    with db.read() as session:
        per_row = list(
            session.exec(
                select(AuditEvent.subject, func.count())
                .where(col(AuditEvent.action) == "inbox.processed")
                .group_by(col(AuditEvent.subject))
            )
        )
        counts = inbox_counts(session)
    assert len(per_row) == expected
    assert {count for _, count in per_row} == {1}
    assert counts[InboxState.DONE] == expected


def test_four_threads_process_every_row_exactly_once(db: Database) -> None:
    _receive(db, *[(f"k{number}", f"conversation{number % 7}") for number in range(120)])
    processed = run_in_threads([lambda worker=worker: _drain(db, f"w{worker}") for worker in range(4)])
    assert sum(processed) == 120
    _processed_once_each(db, 120)


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_processes_of_three_threads_process_every_row_exactly_once(database_url: str, db: Database) -> None:
    _receive(db, *[(f"k{number}", f"conversation{number}") for number in range(200)])
    workers = [start_worker("inbox", database_url, "3") for _ in range(2)]
    assert [finish_worker(worker)[-1] for worker in workers] == ["done", "done"]
    _processed_once_each(db, 200)
