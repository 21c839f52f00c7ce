"""The tickets whose `next_change_at` has come, locked for the milestone sweep in the transaction that sweeps them.

Rules:
- A ticket is due when next_change_at <= now. `lock_due` reads up to `limit` due tickets, earliest first (then by
  id), each one's record and stored milestones (sla.plan, encoded), and locks their rows until the transaction
  ends: it walks the index on (next_change_at, id) in order and stops after `limit` rows, so its cost grows with
  neither the open tickets nor the tickets due at one instant (a calendar's opening makes many).
- PostgreSQL: the rows are locked `FOR UPDATE SKIP LOCKED`, so concurrent sweeps never wait for or get each
  other's tickets, and a change committed by someone else before the lock is what the sweep reads. SQLite: the
  write transaction begins IMMEDIATE, so sweeps run one at a time.
- There is no lease to outlive its sweep: a sweep that dies (killed, disconnected, rolled back) releases its
  tickets with its transaction, and the next sweep takes them at once (docs/operations.md, "Recovery").
- The sweep computes what happened (with sla/), writes outbox rows and calls `reschedule_all` with each
  ticket's new next_change_at (None when nothing more will change), in the same transaction: one statement run
  for the batch, which also marks updated the tickets whose deadlines the sweep changed (a breach stored).
- `put_off` moves one ticket's next change to a later instant, for a ticket its sweep could not handle: it is
  looked at again then, and the tickets due after it are not held up.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Boolean, bindparam, case, literal, update
from sqlmodel import Session, select

from storage.columns import UTCDateTime, to_utc
from storage.tables import Ticket
from storage.tickets import TicketRecord, to_ticket_record


@dataclass(frozen=True)
class DueTicket:
    """A due ticket locked by the sweep's transaction: its record and its stored milestones (sla.plan, encoded)."""

    ticket: TicketRecord
    milestones: str | None


@dataclass(frozen=True)
class Rescheduled:
    """A swept ticket's next change (None: nothing more will change); `touched` when its deadlines changed."""

    ticket_id: int
    next_change_at: datetime | None
    touched: bool = False


def lock_due(session: Session, *, now: datetime, limit: int) -> list[DueTicket]:
    """Up to `limit` tickets due at `now`, earliest first, locked until the transaction ends; on PostgreSQL those
    another transaction holds are skipped."""
    table = Ticket.__table__  # type: ignore[attr-defined]
    statement = (
        select(table)
        .where(table.c.next_change_at <= to_utc(now))
        .order_by(table.c.next_change_at, table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )  # rows, not ORM objects: a batch is read once and never changed through them
    rows = session.connection().execute(statement)
    return [DueTicket(to_ticket_record(row), row.milestones) for row in rows]


def reschedule_all(session: Session, moves: Sequence[Rescheduled], *, now: datetime) -> None:
    """Stores each ticket's next change, and `now` as the update instant of those `touched`, in one statement
    run for all."""
    if not moves:
        return
    table = Ticket.__table__  # type: ignore[attr-defined]
    # the instants take the type of their column: UTCDateTime stores them in UTC
    rows = [{"b_id": m.ticket_id, "b_next": m.next_change_at, "b_touched": m.touched} for m in moves]
    touched = bindparam("b_touched", type_=Boolean)
    touched_at = case((touched, literal(now, UTCDateTime)), else_=table.c.updated_at)
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({table.c.next_change_at: bindparam("b_next"), table.c.updated_at: touched_at})
    )
    session.connection().execute(statement, rows)


def put_off(session: Session, ticket_id: int, *, until: datetime) -> None:
    """The ticket's next change is `until` (a ticket its sweep could not handle, looked at again then)."""
    table = Ticket.__table__  # type: ignore[attr-defined]
    session.connection().execute(update(table).where(table.c.id == ticket_id).values(next_change_at=to_utc(until)))
