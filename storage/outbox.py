"""The outbox: everything Frontdesk says, stored first, then delivered by a worker.

Rules:
- `enqueue` is called in the transaction that decided to say something; its idempotency key is unique, so
  a sweep that runs twice (or after downtime) stores each message once.
- `claim_outbox` leases rows due for a try (pending with next_try_at <= now, or sending with an expired
  lease); the sender then calls `mark_sent`, or `retry_later` with the next instant and the error, which
  dead-letters the row after `max_attempts`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, true
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.engine import Database
from storage.kinds import DestinationKind, OutboxState, parse
from storage.leases import Lease, claim_rows, finish_row, state_counts
from storage.tables import OutboxItem
from storage.upsert import insert_unless_present


@dataclass(frozen=True)
class OutboxClaim:
    id: int
    idempotency_key: str
    destination_kind: DestinationKind
    destination: str
    payload: dict[str, Any]
    ticket_id: int | None
    attempts: int  # including this one
    next_try_at: datetime
    lease: Lease


@dataclass(frozen=True)
class DeadLetter:
    id: int
    idempotency_key: str
    destination_kind: DestinationKind
    destination: str
    attempts: int
    last_error: str | None


def enqueue(
    session: Session,
    *,
    key: str,
    destination_kind: str,
    destination: str,
    payload: dict[str, Any],
    now: datetime,
    ticket_id: int | None = None,
    not_before: datetime | None = None,
) -> bool:
    """Stores a message to send; False when a message with this idempotency key was already stored."""
    values = {
        "idempotency_key": key,
        "destination_kind": parse(DestinationKind, destination_kind).value,
        "destination": destination,
        "payload": payload,
        "ticket_id": ticket_id,
        "state": OutboxState.PENDING.value,
        "attempts": 0,
        "created_at": to_utc(now),
        "next_try_at": to_utc(not_before or now),
    }
    return insert_unless_present(session, OutboxItem, values, ["idempotency_key"])


def claim_outbox(
    database: Database,
    *,
    now: datetime,
    lease_for: timedelta,
    limit: int = 20,
    destination_kind: str | None = None,
) -> list[OutboxClaim]:
    """Leases up to `limit` messages due for a try, the longest waiting first."""
    state, next_try_at = col(OutboxItem.state), col(OutboxItem.next_try_at)
    instant = to_utc(now)
    due = or_(
        and_(state == OutboxState.PENDING.value, next_try_at <= instant),
        and_(state == OutboxState.SENDING.value, col(OutboxItem.lease_until) <= instant),
    )
    kind = true() if destination_kind is None else col(OutboxItem.destination_kind) == destination_kind
    rows, lease = claim_rows(
        database,
        OutboxItem,
        eligible=and_(due, kind),
        order_by=[next_try_at, col(OutboxItem.id)],
        limit=limit,
        now=now,
        lease_for=lease_for,
        also_set={"state": OutboxState.SENDING.value, "attempts": col(OutboxItem.attempts) + 1},
        returning=[
            col(OutboxItem.id),
            col(OutboxItem.idempotency_key),
            col(OutboxItem.destination_kind),
            col(OutboxItem.destination),
            col(OutboxItem.payload),
            col(OutboxItem.ticket_id),
            col(OutboxItem.attempts),
            next_try_at,
        ],
        sort_key=lambda row: (row.next_try_at, row.id),
    )
    return [
        OutboxClaim(**{**row._asdict(), "destination_kind": DestinationKind(row.destination_kind)}, lease=lease)
        for row in rows
    ]


def mark_sent(session: Session, claim: OutboxClaim, *, now: datetime) -> None:
    """Records a delivered message; LeaseLostError if the lease was lost meanwhile."""
    values = {"state": OutboxState.SENT.value, "sent_at": to_utc(now), "last_error": None}
    finish_row(session, OutboxItem, claim.id, claim.lease, values)


def retry_later(
    session: Session, claim: OutboxClaim, *, error: str, next_try_at: datetime, max_attempts: int
) -> OutboxState:
    """Schedules another try at `next_try_at`, or dead-letters after `max_attempts`; returns the new state."""
    state = OutboxState.DEAD if claim.attempts >= max_attempts else OutboxState.PENDING
    values = {"state": state.value, "next_try_at": to_utc(next_try_at), "last_error": error[:2000]}
    finish_row(session, OutboxItem, claim.id, claim.lease, values)
    return state


def outbox_counts(session: Session) -> dict[OutboxState, int]:
    """How many messages are in each state (for `frontdesk status`)."""
    return state_counts(session, OutboxItem, OutboxState)


def dead_letters(session: Session, *, limit: int = 50) -> list[DeadLetter]:
    """The most recent dead-lettered messages, newest first."""
    statement = (
        select(OutboxItem)
        .where(col(OutboxItem.state) == OutboxState.DEAD.value)
        .order_by(col(OutboxItem.id).desc())
        .limit(limit)
    )
    return [
        DeadLetter(
            id=row.id,  # type: ignore[arg-type]
            idempotency_key=row.idempotency_key,
            destination_kind=DestinationKind(row.destination_kind),
            destination=row.destination,
            attempts=row.attempts,
            last_error=row.last_error,
        )
        for row in session.exec(statement)
    ]
