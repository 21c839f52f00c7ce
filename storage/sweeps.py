"""Claiming the tickets whose `next_change_at` has come, for the sweeps.

Rules:
- A ticket is due when next_change_at <= now and no sweep holds an unexpired lease on it. The query walks the
  index on next_change_at in order and stops after `limit` rows, so its cost does not grow with the number of
  open tickets.
- `lock_due` locks a claimed batch's tickets (in id order, so two sweeps never wait on each other in a cycle)
  and reads each one's record and stored milestones (sla.plan, encoded) after the lock, so a change committed
  meanwhile (an event recorded, its milestones recomputed) is what the sweep reads.
- The sweep computes what happened (with sla/), writes outbox rows, and calls `reschedule` (one ticket) or
  `reschedule_all` (a batch, one statement run for many) with each ticket's new next_change_at (None when nothing
  more will change), in the same transaction; that ends the lease.
  A ticket whose lease was lost is LeaseLostError, and the transaction is rolled back.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, or_, update
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.engine import Database
from storage.errors import LeaseLostError
from storage.leases import Lease, claim_rows, finish_row
from storage.tables import Ticket
from storage.tickets import TicketRecord, to_ticket_record

SWEEP_LEASE = ("sweep_lease_until", "sweep_lease_token")


@dataclass(frozen=True)
class DueTicket:
    id: int
    sr_number: int
    next_change_at: datetime
    lease: Lease


@dataclass(frozen=True)
class Rescheduled:
    """A claimed ticket and its next change (None: nothing more will change)."""

    due: DueTicket
    next_change_at: datetime | None


def claim_due_tickets(database: Database, *, now: datetime, lease_for: timedelta, limit: int = 100) -> list[DueTicket]:
    """Leases up to `limit` tickets due at `now`, the earliest first."""
    instant = to_utc(now)
    lease_until = col(Ticket.sweep_lease_until)
    eligible = and_(col(Ticket.next_change_at) <= instant, or_(lease_until.is_(None), lease_until <= instant))
    rows, lease = claim_rows(
        database,
        Ticket,
        eligible=eligible,
        order_by=[col(Ticket.next_change_at), col(Ticket.id)],
        limit=limit,
        now=now,
        lease_for=lease_for,
        lease_columns=SWEEP_LEASE,
        returning=[col(Ticket.id), col(Ticket.sr_number), col(Ticket.next_change_at)],
        sort_key=lambda row: (row.next_change_at, row.id),
    )
    return [DueTicket(**row._asdict(), lease=lease) for row in rows]


def reschedule(session: Session, due: DueTicket, *, next_change_at: datetime | None) -> None:
    """Stores when the ticket is due next and ends the sweep's lease; LeaseLostError if it was lost."""
    next_at = None if next_change_at is None else to_utc(next_change_at)
    finish_row(session, Ticket, due.id, due.lease, {"next_change_at": next_at}, lease_columns=SWEEP_LEASE)


def lock_due(session: Session, due: Sequence[DueTicket]) -> dict[int, tuple[TicketRecord, str | None]]:
    """Each claimed ticket's record and stored milestones, by id, its row locked until the transaction ends."""
    table = Ticket.__table__  # type: ignore[attr-defined]
    statement = (
        select(table).where(table.c.id.in_([ticket.id for ticket in due])).order_by(table.c.id).with_for_update()
    )  # rows, not ORM objects: a batch is read once and never changed through them
    return {row.id: (to_ticket_record(row), row.milestones) for row in session.connection().execute(statement)}


def reschedule_all(session: Session, moves: Sequence[Rescheduled]) -> None:
    """Stores each ticket's next change and ends the sweep's leases, in one statement run for all; LeaseLostError
    if any lease was lost."""
    if not moves:
        return
    table = Ticket.__table__  # type: ignore[attr-defined]
    until, token = (table.c[name] for name in SWEEP_LEASE)
    rows = [{"b_id": m.due.id, "b_token": m.due.lease.token, "b_next": _utc(m.next_change_at)} for m in moves]
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), token == bindparam("b_token"))
        .values({table.c.next_change_at: bindparam("b_next"), until: None, token: None})
    )
    changed = session.connection().execute(statement, rows).rowcount
    if changed != len(rows):
        raise LeaseLostError(f"{len(rows) - changed} of {len(rows)} tickets were claimed again after their lease")


def _utc(instant: datetime | None) -> datetime | None:
    return None if instant is None else to_utc(instant)
