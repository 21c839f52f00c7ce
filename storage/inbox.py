"""The inbox: every received event, stored before it is acknowledged, processed exactly once in effect.

Rules:
- `receive` stores a row under its unique key and tells whether it was new; a duplicate key is dropped.
- `receive_all` stores several arrivals in one transaction of its own (one INSERT ... ON CONFLICT DO NOTHING for
  them all, built once per dialect), rows identical to `receive`'s and in the given order; within the list, as
  across transactions, only the first arrival of a key is new. All or nothing: it raises and stores none.
- `claim_inbox` leases pending rows (and rows whose lease expired) in id order, never a row while an earlier
  row of the same conversation is pending or being processed, so a conversation is handled in order.
- The worker does its work and `complete_inbox` in one transaction: the effects and "done" commit together,
  and a worker that lost its lease gets LeaseLostError, which rolls its effects back.
- `release_inbox` puts a failed row back (attempts were counted at claim time) or, after `max_attempts`,
  marks it dead, so one poisonous event never blocks the queue.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Insert, and_, exists, or_, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.engine import Database
from storage.kinds import InboxState
from storage.leases import Lease, claim_rows, finish_row, state_counts
from storage.tables import InboxItem
from storage.upsert import insert_unless_present

ACTIVE = (InboxState.PENDING.value, InboxState.PROCESSING.value)


@dataclass(frozen=True)
class InboxClaim:
    id: int
    key: str
    source: str
    conversation: str
    payload: dict[str, Any]
    attempts: int  # including this one
    received_at: datetime
    lease: Lease


@dataclass(frozen=True)
class Arrival:
    """One received event to store: what `receive` takes, as a value."""

    key: str
    source: str
    conversation: str
    payload: dict[str, Any]
    now: datetime


def receive(
    session: Session, *, key: str, source: str, conversation: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Stores a received event; False when its key was already stored (a duplicate delivery)."""
    values = _row(Arrival(key, source, conversation, payload, now))
    return insert_unless_present(session, InboxItem, values, ["key"])


def receive_all(database: Database, arrivals: Sequence[Arrival]) -> list[bool]:
    """Stores `arrivals` in one transaction; for each, whether it was new (a stored or earlier key is not)."""
    first: dict[str, int] = {}
    for index, arrival in enumerate(arrivals):
        first.setdefault(arrival.key, index)
    rows = [_row(arrivals[index]) for index in first.values()]
    with database.reporting_errors(), database.engine.begin() as connection:
        inserted = set(connection.execute(_insert_new(connection.dialect.name), rows).scalars()) if rows else set()
    return [first[arrival.key] == index and arrival.key in inserted for index, arrival in enumerate(arrivals)]


def _row(arrival: Arrival) -> dict[str, Any]:
    return {
        "key": arrival.key,
        "source": arrival.source,
        "conversation": arrival.conversation,
        "payload": arrival.payload,
        "state": InboxState.PENDING.value,
        "attempts": 0,
        "received_at": to_utc(arrival.now),
    }


@cache
def _insert_new(dialect_name: str) -> Insert:
    """INSERT of inbox rows that skips a stored key and returns the keys it stored (its SQL is cached)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = InboxItem.__table__  # type: ignore[attr-defined]
    return dialect.insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)


def claim_inbox(
    database: Database, *, now: datetime, lease_for: timedelta, limit: int = 20, source: str | None = None
) -> list[InboxClaim]:
    """Leases up to `limit` rows that may be processed now, oldest first."""
    state, row_id = col(InboxItem.state), col(InboxItem.id)
    earlier = aliased(InboxItem)
    blocked = exists().where(
        col(earlier.conversation) == col(InboxItem.conversation),
        col(earlier.state).in_(ACTIVE),
        col(earlier.id) < row_id,
    )
    ready = or_(
        state == InboxState.PENDING.value,
        and_(state == InboxState.PROCESSING.value, col(InboxItem.lease_until) <= to_utc(now)),
    )
    eligible = and_(ready, ~blocked, true() if source is None else col(InboxItem.source) == source)
    rows, lease = claim_rows(
        database,
        InboxItem,
        eligible=eligible,
        order_by=[row_id],
        limit=limit,
        now=now,
        lease_for=lease_for,
        also_set={"state": InboxState.PROCESSING.value, "attempts": col(InboxItem.attempts) + 1},
        returning=[
            row_id,
            col(InboxItem.key),
            col(InboxItem.source),
            col(InboxItem.conversation),
            col(InboxItem.payload),
            col(InboxItem.attempts),
            col(InboxItem.received_at),
        ],
        sort_key=lambda row: row.id,
    )
    return [InboxClaim(**row._asdict(), lease=lease) for row in rows]


def complete_inbox(session: Session, claim: InboxClaim, *, now: datetime) -> None:
    """Marks a claimed row done, in the caller's transaction; LeaseLostError if the lease was lost."""
    values = {"state": InboxState.DONE.value, "processed_at": to_utc(now), "last_error": None}
    finish_row(session, InboxItem, claim.id, claim.lease, values)


def release_inbox(session: Session, claim: InboxClaim, *, error: str, max_attempts: int) -> InboxState:
    """Gives a row back after a failure: pending again, or dead after `max_attempts`; returns the new state."""
    state = InboxState.DEAD if claim.attempts >= max_attempts else InboxState.PENDING
    finish_row(session, InboxItem, claim.id, claim.lease, {"state": state.value, "last_error": error[:2000]})
    return state


def inbox_counts(session: Session) -> dict[InboxState, int]:
    """How many rows are in each state (for `frontdesk status`)."""
    return state_counts(session, InboxItem, InboxState)


@dataclass(frozen=True)
class InboxRecord:
    """A stored row as `frontdesk status` and the tests read it."""

    id: int
    key: str
    conversation: str
    state: InboxState
    payload: dict[str, Any]
    received_at: datetime


def inbox_rows(session: Session, *, limit: int = 100) -> list[InboxRecord]:
    """The oldest `limit` rows, in the order they were received."""
    statement = select(InboxItem).order_by(col(InboxItem.id)).limit(limit)
    return [
        InboxRecord(row.id, row.key, row.conversation, InboxState(row.state), row.payload, row.received_at)  # type: ignore[arg-type]
        for row in session.exec(statement)
    ]
