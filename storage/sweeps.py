"""Claiming the tickets whose `next_change_at` has come, for the sweeps.

Rules:
- A ticket is due when next_change_at <= now and no sweep holds an unexpired lease on it. The query walks the
  index on next_change_at in order and stops after `limit` rows, so its cost does not grow with the number of
  open tickets.
- The sweep computes what happened (with sla/), writes outbox rows, and calls `reschedule` with the ticket's
  new next_change_at (None when nothing more will change) in the same transaction; that ends the lease.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_
from sqlmodel import Session, col

from storage.columns import to_utc
from storage.engine import Database
from storage.leases import Lease, claim_rows, finish_row
from storage.tables import Ticket

SWEEP_LEASE = ("sweep_lease_until", "sweep_lease_token")


@dataclass(frozen=True)
class DueTicket:
    id: int
    sr_number: int
    next_change_at: datetime
    lease: Lease


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
