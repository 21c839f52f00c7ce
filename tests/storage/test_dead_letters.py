"""Dead letters tried again or dismissed: the rows change as told, each change is audited, and what is not a dead
letter is refused by name."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from storage import dead_letters
from storage.engine import Database
from storage.errors import InvalidValueError, NotFoundError
from storage.kinds import OutboxState
from storage.outbox import claim_outbox, dead_letter, enqueue, outbox_counts, retry_later
from storage.tables import AuditEvent, OutboxItem
from tests.storage.helpers import NOW

LEASE = timedelta(minutes=2)
LATER = NOW + timedelta(hours=1)


def _dead(db: Database, *keys: str) -> list[int]:
    with db.write() as session:
        for key in keys:
            enqueue(session, key=key, destination_kind="slack", destination="C1", payload={}, now=NOW)
    claims = claim_outbox(db, now=NOW, lease_for=LEASE)
    with db.write() as session:
        for claim in claims:
            retry_later(session, claim, error="HTTP 503", next_try_at=NOW, max_attempts=1)
    return [claim.id for claim in claims]


def _row(db: Database, row_id: int) -> OutboxItem:
    with db.read() as session:
        row = session.get(OutboxItem, row_id)
        assert row is not None
        return row


def test_a_retried_dead_letter_is_pending_again_its_attempts_reset_and_audited(db: Database) -> None:
    (row_id,) = _dead(db, "lost")
    with db.write() as session:
        dead_letters.retry(session, row_id, actor="cli", now=LATER)
    row = _row(db, row_id)
    assert (row.state, row.attempts, row.next_try_at, row.last_error) == ("pending", 0, LATER, None)
    (claim,) = claim_outbox(db, now=LATER, lease_for=LEASE)
    assert (claim.id, claim.attempts) == (row_id, 1)
    with db.read() as session:
        (event,) = session.exec(select(AuditEvent).where(col(AuditEvent.action) == "outbox.retried"))
    assert (event.actor, event.subject) == ("cli", f"outbox:{row_id}")
    assert event.before == {"state": "dead", "attempts": 1, "last_error": "HTTP 503"}
    assert event.after == {"state": "pending", "attempts": 0}


def test_retry_all_takes_every_dead_letter_oldest_first_and_leaves_dismissed_ones(db: Database) -> None:
    first, second, third = _dead(db, "a", "b", "c")
    with db.write() as session:
        dead_letters.dismiss(session, second, actor="cli", now=LATER)
        assert dead_letters.retry_all(session, actor="cli", now=LATER) == [first, third]
        assert dead_letters.retry_all(session, actor="cli", now=LATER) == []
        counts = outbox_counts(session)
    assert (counts[OutboxState.PENDING], counts[OutboxState.DEAD], counts[OutboxState.DISMISSED]) == (2, 0, 1)
    dismissed = _row(db, second)
    assert (dismissed.state, dismissed.last_error) == ("dismissed", "HTTP 503")  # kept as it was, to read


def test_what_is_not_a_dead_letter_is_refused_by_name(db: Database) -> None:
    (row_id,) = _dead(db, "lost")
    with db.write() as session:
        enqueue(session, key="waiting", destination_kind="slack", destination="C1", payload={}, now=NOW)
    with pytest.raises(NotFoundError, match="there is no outbox message #999"), db.write() as session:
        dead_letters.retry(session, 999, actor="cli", now=LATER)
    with pytest.raises(InvalidValueError, match=f"#{row_id + 1} is pending, not a dead letter"), db.write() as session:
        dead_letters.dismiss(session, row_id + 1, actor="cli", now=LATER)
    with db.write() as session:
        dead_letters.dismiss(session, row_id, actor="cli", now=LATER)
    with pytest.raises(InvalidValueError, match="is dismissed, not a dead letter"), db.write() as session:
        dead_letters.retry(session, row_id, actor="cli", now=LATER)


def test_a_dead_letter_dead_at_once_is_retried_like_any_other(db: Database) -> None:
    with db.write() as session:
        enqueue(session, key="x", destination_kind="slack", destination="C1", payload={}, now=NOW)
    (claim,) = claim_outbox(db, now=NOW, lease_for=LEASE)
    with db.write() as session:
        dead_letter(session, claim, error="invalid_blocks")
        dead_letters.retry(session, claim.id, actor="U1", now=LATER)
    assert _row(db, claim.id).state == "pending"
