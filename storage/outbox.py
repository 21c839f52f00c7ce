"""The outbox: everything Frontdesk says, stored first, then delivered by a worker.

Rules:
- `enqueue` is called in the transaction that decided to say something; its idempotency key is unique, so
  a sweep that runs twice (or after downtime) stores each message once.
- `claim_outbox` leases rows due for a try (pending with next_try_at <= now, or sending with an expired
  lease), the attempt counted at claim time. It never claims a row while an earlier row with the same
  `ordering_key` is pending, sending or parked (one Slack thread is sent in id order, and waits with a row parked
  until the bot is in its channel: storage.channel_waits), nor while the row named by its `waits_for` is. A dead
  (or dismissed) row blocks nothing: the sender decides what its dependants become.
- The sender then calls `mark_sent` (with the `result` later rows need), `retry_later` with the next instant
  and the error (dead-lettered after `max_attempts`), `put_back` when the row was not tried (its attempt is
  given back), or `dead_letter` when a retry cannot succeed.
- An `urgent` row (someone waits on it: a modal whose trigger expires in 3 seconds, an answer to a click) is
  claimed before every other due row; `claim_outbox(urgent_only=True)` takes only those (and `key=` only the row
  stored under that key: a command that waits for its own row).
- `renew_outbox` extends the lease of rows still being sent, so leases can be short (a crashed sender's rows are
  taken again within seconds) and never run out under a live one.
- `outbox_entry` tells where a row stands by its key: its state, tries and next try, and its result once sent.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.engine import Database
from storage.kinds import DestinationKind, OutboxState, parse
from storage.leases import Lease, claim_rows, finish_row, renew_rows, state_counts
from storage.tables import OutboxItem
from storage.upsert import insert_unless_present

ACTIVE = (OutboxState.PENDING.value, OutboxState.SENDING.value, OutboxState.PARKED.value)  # hold back later rows


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
    created_at: datetime
    lease: Lease
    urgent: bool = False


@dataclass(frozen=True)
class DeadLetter:
    id: int
    idempotency_key: str
    destination_kind: DestinationKind
    destination: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True)
class OutboxEntry:
    """Where a row stands, looked up by its idempotency key; `result` is set once it is sent."""

    idempotency_key: str
    state: OutboxState
    destination: str
    ordering_key: str | None
    result: dict[str, Any] | None
    last_error: str | None
    attempts: int = 0
    next_try_at: datetime | None = None  # when a pending row is tried next


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
    ordering_key: str | None = None,
    waits_for: str | None = None,
    urgent: bool = False,
) -> bool:
    """Stores a message to send; False when a message with this idempotency key was already stored.

    Rows with the same `ordering_key` are sent in the order they were stored; a row with `waits_for` is sent
    only after the row with that idempotency key was sent (or died)."""
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
        "ordering_key": ordering_key,
        "waits_for": waits_for,
        "urgent": urgent,
    }
    return insert_unless_present(session, OutboxItem, values, ["idempotency_key"])


def claim_outbox(
    database: Database,
    *,
    now: datetime,
    lease_for: timedelta,
    limit: int = 20,
    destination_kind: str | None = None,
    urgent_only: bool = False,
    key: str | None = None,
) -> list[OutboxClaim]:
    """Leases up to `limit` messages due for a try (only urgent ones with `urgent_only`, only the row stored under
    `key` with it): urgent ones first, then the longest waiting."""
    state, next_try_at = col(OutboxItem.state), col(OutboxItem.next_try_at)
    instant = to_utc(now)
    due = or_(
        and_(state == OutboxState.PENDING.value, next_try_at <= instant),
        and_(state == OutboxState.SENDING.value, col(OutboxItem.lease_until) <= instant),
    )
    kind = true() if destination_kind is None else col(OutboxItem.destination_kind) == destination_kind
    keyed = true() if key is None else col(OutboxItem.idempotency_key) == key
    earlier, awaited = aliased(OutboxItem), aliased(OutboxItem)
    behind_earlier = exists().where(
        col(earlier.ordering_key) == col(OutboxItem.ordering_key),
        col(earlier.state).in_(ACTIVE),
        col(earlier.id) < col(OutboxItem.id),
    )
    waiting = exists().where(col(awaited.idempotency_key) == col(OutboxItem.waits_for), col(awaited.state).in_(ACTIVE))
    rows, lease = claim_rows(
        database,
        OutboxItem,
        eligible=and_(due, kind, keyed, ~behind_earlier, ~waiting, col(OutboxItem.urgent) if urgent_only else true()),
        order_by=[col(OutboxItem.urgent).desc(), next_try_at, col(OutboxItem.id)],
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
            col(OutboxItem.created_at),
            col(OutboxItem.urgent),
        ],
        sort_key=lambda row: (not row.urgent, row.next_try_at, row.id),
    )
    return [
        OutboxClaim(**{**row._asdict(), "destination_kind": DestinationKind(row.destination_kind)}, lease=lease)
        for row in rows
    ]


def renew_outbox(database: Database, claims: list["OutboxClaim"], *, until: datetime) -> int:
    """Extends the lease of `claims` still held (same token, still sending) to `until`; how many were."""
    held = [(claim.id, claim.lease) for claim in claims]
    return renew_rows(database, OutboxItem, held, state=OutboxState.SENDING.value, until=until)


def mark_sent(session: Session, claim: OutboxClaim, *, now: datetime, result: dict[str, Any] | None = None) -> None:
    """Records a delivered message and what the destination answered that later rows need (`result`);
    LeaseLostError if the lease was lost meanwhile."""
    values = {"state": OutboxState.SENT.value, "sent_at": to_utc(now), "last_error": None, "result": result}
    finish_row(session, OutboxItem, claim.id, claim.lease, values)


def put_back(session: Session, claim: OutboxClaim, *, next_try_at: datetime, reason: str | None = None) -> None:
    """Gives back a row that was not tried (its channel was over its pace, a row it needs is not sent yet):
    pending again at `next_try_at`, and the attempt counted by the claim is given back."""
    values = {
        "state": OutboxState.PENDING.value,
        "next_try_at": to_utc(next_try_at),
        "attempts": claim.attempts - 1,
        "last_error": None if reason is None else reason[:2000],
    }
    finish_row(session, OutboxItem, claim.id, claim.lease, values)


def dead_letter(session: Session, claim: OutboxClaim, *, error: str) -> None:
    """Gives up on a row at once (a retry cannot succeed), keeping the error for `frontdesk status`."""
    finish_row(
        session, OutboxItem, claim.id, claim.lease, {"state": OutboxState.DEAD.value, "last_error": error[:2000]}
    )


def retry_later(
    session: Session, claim: OutboxClaim, *, error: str, next_try_at: datetime, max_attempts: int
) -> OutboxState:
    """Schedules another try at `next_try_at`, or dead-letters after `max_attempts`; returns the new state."""
    state = OutboxState.DEAD if claim.attempts >= max_attempts else OutboxState.PENDING
    values = {"state": state.value, "next_try_at": to_utc(next_try_at), "last_error": error[:2000]}
    finish_row(session, OutboxItem, claim.id, claim.lease, values)
    return state


def outbox_entry(session: Session, key: str) -> OutboxEntry | None:
    """The row stored under idempotency key `key` (its state, and its result once sent), or None."""
    row = session.exec(select(OutboxItem).where(col(OutboxItem.idempotency_key) == key)).first()
    if row is None:
        return None
    return OutboxEntry(
        idempotency_key=row.idempotency_key,
        state=OutboxState(row.state),
        destination=row.destination,
        ordering_key=row.ordering_key,
        result=None if row.result is None else dict(row.result),
        last_error=row.last_error,
        attempts=row.attempts,
        next_try_at=row.next_try_at,
    )


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


def stored_since(session: Session, key_prefix: str, since: datetime) -> bool:
    """Whether a row whose key starts with `key_prefix` was stored at `since` or later (a key range, so the
    unique index on the key serves it on both databases)."""
    statement = select(OutboxItem.id).where(
        col(OutboxItem.idempotency_key) >= key_prefix,
        col(OutboxItem.idempotency_key) < key_prefix + "\uffff",
        col(OutboxItem.created_at) >= to_utc(since),
    )
    return session.exec(statement.limit(1)).first() is not None


def oldest_pending(session: Session) -> datetime | None:
    """When the oldest message still waiting to be sent was stored (for `frontdesk status`)."""
    statement = select(func.min(OutboxItem.created_at)).where(col(OutboxItem.state) == OutboxState.PENDING.value)
    return session.exec(statement).one()


def latest_of_ticket(session: Session, ticket_id: int, key_suffix: str) -> tuple[str, dict[str, Any]] | None:
    """The key and payload of the latest row stored for the ticket whose key ends with `key_suffix` (e.g. the
    last question asked)."""
    statement = (
        select(OutboxItem)
        .where(col(OutboxItem.ticket_id) == ticket_id, col(OutboxItem.idempotency_key).endswith(key_suffix))
        .order_by(col(OutboxItem.id).desc())
        .limit(1)
    )
    row = session.exec(statement).first()
    return None if row is None else (row.idempotency_key, dict(row.payload))
