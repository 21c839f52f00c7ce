"""The outbox: idempotent enqueueing, due rows only, order per key, rows that wait for others, results, retries,
rows put back, dead letters, leases, concurrent senders."""

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from storage.engine import Database
from storage.errors import InvalidValueError, LeaseLostError
from storage.kinds import DestinationKind, OutboxState
from storage.outbox import (
    OutboxClaim,
    OutboxEntry,
    claim_outbox,
    dead_letter,
    dead_letters,
    enqueue,
    latest_of_ticket,
    mark_sent,
    outbox_counts,
    outbox_entry,
    put_back,
    retry_later,
    stored_since,
)
from storage.tables import AuditEvent
from storage.tickets import open_ticket
from tests.storage.helpers import NOW, finish_worker, run_in_threads, start_worker

LEASE = timedelta(minutes=2)
MINUTE = timedelta(minutes=1)


def _enqueue(
    db: Database,
    key: str,
    *,
    kind: str = "slack",
    not_before: object = None,
    ordering_key: str | None = None,
    waits_for: str | None = None,
) -> bool:
    with db.write() as session:
        return enqueue(
            session, key=key, destination_kind=kind, destination="C1", payload={"text": key}, now=NOW,
            not_before=not_before,  # type: ignore[arg-type]
            ordering_key=ordering_key, waits_for=waits_for,
        )  # fmt: skip


def _keys(claims: list[OutboxClaim]) -> list[str]:
    return [claim.idempotency_key for claim in claims]


def _sent(db: Database, claim: OutboxClaim) -> None:
    with db.write() as session:
        mark_sent(session, claim, now=NOW)


def test_the_same_idempotency_key_is_stored_once(db: Database) -> None:
    assert [_enqueue(db, "SR-000001:response:warn:0.75") for _ in range(3)] == [True, False, False]
    with db.read() as session:
        assert outbox_counts(session)[OutboxState.PENDING] == 1


def test_an_unknown_destination_kind_is_refused(db: Database) -> None:
    with pytest.raises(InvalidValueError, match="DestinationKind"):
        _enqueue(db, "x", kind="sms")


def test_only_due_messages_are_claimed_and_by_kind_when_asked(db: Database) -> None:
    _enqueue(db, "later", not_before=NOW + MINUTE)
    _enqueue(db, "mail", kind="email")
    _enqueue(db, "now")
    assert [
        claim.idempotency_key for claim in claim_outbox(db, now=NOW, lease_for=LEASE, destination_kind="slack")
    ] == ["now"]
    (mail,) = claim_outbox(db, now=NOW, lease_for=LEASE)
    assert (mail.destination_kind, mail.payload) == (DestinationKind.EMAIL, {"text": "mail"})
    assert [claim.idempotency_key for claim in claim_outbox(db, now=NOW + MINUTE, lease_for=LEASE)] == ["later"]


def test_a_failed_send_is_retried_later_then_dead_lettered(db: Database) -> None:
    _enqueue(db, "m")
    for attempt in (1, 2):
        (claim,) = claim_outbox(db, now=NOW + attempt * MINUTE, lease_for=LEASE)
        assert claim.attempts == attempt
        with db.write() as session:
            state = retry_later(
                session, claim, error="HTTP 503", next_try_at=NOW + (attempt + 1) * MINUTE, max_attempts=2
            )
        assert state is (OutboxState.DEAD if attempt == 2 else OutboxState.PENDING)
        assert claim_outbox(db, now=NOW + attempt * MINUTE, lease_for=LEASE) == []
    assert claim_outbox(db, now=NOW + timedelta(days=1), lease_for=LEASE) == []
    with db.read() as session:
        (dead,) = dead_letters(session)
    assert (dead.idempotency_key, dead.attempts, dead.last_error) == ("m", 2, "HTTP 503")


def test_rows_of_one_ordering_key_are_claimed_one_at_a_time_in_order(db: Database) -> None:
    for key, ordering_key in [("a1", "C1/"), ("b1", "C1/1.0"), ("a2", "C1/"), ("free", None), ("a3", "C1/")]:
        _enqueue(db, key, ordering_key=ordering_key)
    first = claim_outbox(db, now=NOW, lease_for=LEASE)
    assert _keys(first) == ["a1", "b1", "free"]
    assert claim_outbox(db, now=NOW, lease_for=LEASE) == []  # a2 waits for a1
    _sent(db, first[0])
    (second,) = claim_outbox(db, now=NOW, lease_for=LEASE)
    assert second.idempotency_key == "a2"
    with db.write() as session:
        retry_later(session, second, error="HTTP 500", next_try_at=NOW + MINUTE, max_attempts=5)
    assert claim_outbox(db, now=NOW, lease_for=LEASE) == []  # a3 waits while a2 waits for its retry
    with db.write() as session:
        dead_letter(session, claim_outbox(db, now=NOW + MINUTE, lease_for=LEASE)[0], error="channel_not_found")
    assert _keys(claim_outbox(db, now=NOW + MINUTE, lease_for=LEASE)) == ["a3"]  # a dead row blocks nothing


def test_a_row_that_waits_for_another_is_claimed_once_that_one_is_sent_or_dead(db: Database) -> None:
    _enqueue(db, "update", waits_for="post")  # stored before the row it waits for
    _enqueue(db, "post", ordering_key="C1/")
    _enqueue(db, "reply", waits_for="missing")  # nothing to wait for
    (post, reply) = claim_outbox(db, now=NOW, lease_for=LEASE)
    assert _keys([post, reply]) == ["post", "reply"]
    assert claim_outbox(db, now=NOW, lease_for=LEASE) == []
    with db.write() as session:
        mark_sent(session, post, now=NOW, result={"channel": "C1", "ts": "1.000001"})
    assert _keys(claim_outbox(db, now=NOW, lease_for=LEASE)) == ["update"]
    with db.read() as session:
        assert outbox_entry(session, "post") == OutboxEntry(
            "post", OutboxState.SENT, "C1", "C1/", {"channel": "C1", "ts": "1.000001"}, None, 1, NOW
        )
        reply_entry = OutboxEntry("reply", OutboxState.SENDING, "C1", None, None, None, attempts=1, next_try_at=NOW)
        assert outbox_entry(session, "reply") == reply_entry
        assert outbox_entry(session, "missing") is None


def test_a_row_put_back_is_not_counted_as_an_attempt(db: Database) -> None:
    _enqueue(db, "m")
    (claim,) = claim_outbox(db, now=NOW, lease_for=LEASE)
    with db.write() as session:
        put_back(session, claim, next_try_at=NOW + MINUTE, reason="waiting for C1's pace")
    assert claim_outbox(db, now=NOW, lease_for=LEASE) == []
    (again,) = claim_outbox(db, now=NOW + MINUTE, lease_for=LEASE)
    assert again.attempts == 1
    with db.write() as session:
        dead_letter(session, again, error="channel_not_found")
    with db.read() as session:
        (dead,) = dead_letters(session)
    assert (dead.attempts, dead.last_error) == (1, "channel_not_found")


def test_a_message_whose_sender_died_is_claimed_again_after_the_lease(db: Database) -> None:
    _enqueue(db, "m")
    (first,) = claim_outbox(db, now=NOW, lease_for=LEASE)
    assert claim_outbox(db, now=NOW + LEASE / 2, lease_for=LEASE) == []
    (second,) = claim_outbox(db, now=NOW + LEASE, lease_for=LEASE)
    assert (second.id, second.attempts) == (first.id, 2)
    with pytest.raises(LeaseLostError):
        _sent(db, first)
    _sent(db, second)
    with db.read() as session:
        assert outbox_counts(session)[OutboxState.SENT] == 1


def test_four_senders_send_every_message_exactly_once(db: Database) -> None:
    for number in range(120):
        _enqueue(db, f"m{number}")

    def send_all() -> list[str]:
        sent = []
        while batch := claim_outbox(db, now=NOW, lease_for=LEASE, limit=4):
            for claim in batch:
                _sent(db, claim)
                sent.append(claim.idempotency_key)
        return sent

    per_sender = run_in_threads([send_all] * 4)
    everything = [key for keys in per_sender for key in keys]
    assert sorted(everything) == sorted(f"m{number}" for number in range(120))
    with db.read() as session:
        assert outbox_counts(session)[OutboxState.SENT] == 120


@pytest.mark.postgres
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_processes_of_three_threads_send_every_message_exactly_once(database_url: str, db: Database) -> None:
    for number in range(150):
        _enqueue(db, f"m{number}")
    workers = [start_worker("outbox", database_url, "3") for _ in range(2)]
    assert [finish_worker(worker)[-1] for worker in workers] == ["done", "done"]
    with db.read() as session:
        per_message = list(
            session.exec(
                select(AuditEvent.subject, func.count())
                .where(col(AuditEvent.action) == "outbox.sent")
                .group_by(col(AuditEvent.subject))
            )
        )
        assert outbox_counts(session)[OutboxState.SENT] == 150
    assert len(per_message) == 150
    assert {count for _, count in per_message} == {1}


def test_rows_stored_since_an_instant_are_found_by_key_prefix(db: Database) -> None:
    _enqueue(db, "form:7:U1:view:V1")
    _enqueue(db, "form:70:U1:view:V2")
    with db.read() as session:
        assert stored_since(session, "form:7:U1:", NOW)
        assert not stored_since(session, "form:7:U1:", NOW + timedelta(seconds=1))
        assert not stored_since(session, "form:7:U2:", NOW - MINUTE)
        assert stored_since(session, "form:70:", NOW)
        assert not stored_since(session, "form:8", NOW - MINUTE)


def test_the_latest_row_of_a_ticket_is_found_by_key_suffix(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW).id
        for key in ("m1:ask", "m1:status", "m2:ask"):
            enqueue(session, key=key, destination_kind="slack", destination="C1", payload={"n": key}, now=NOW,
                    ticket_id=ticket)  # fmt: skip
        assert latest_of_ticket(session, ticket, ":ask") == ("m2:ask", {"n": "m2:ask"})
        assert latest_of_ticket(session, ticket, ":nothing") is None
