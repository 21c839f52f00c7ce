"""The agents' queue as the Home tab shows it: open requests by nearest pending deadline, breached first.

Rules:
- A request is queued while open, waiting or resolved; not in intake, not closed.
- A pending deadline is a target that has not stopped and has a due instant: stored `running`, or stored
  `breached` without a stop (sla/ marks a running target breached once its due instant is reached, and the
  milestone sweep stores that). A target met late (`breached` with a stop) and a paused one are not pending.
  The rule is storage.deadlines' PENDING, shared with the work list (`/frontdesk list`) so the two lists agree.
- A request's next deadline is its earliest pending due instant (the target's name breaks ties); it is
  breached when that instant is at or before `now`, as sla/ counts it. Ordering by due instant therefore puts
  breached requests first, most overdue first; requests without a pending deadline come last; then by SR.
- Two queries whatever the number of open requests: the lines (the nearest target picked by a window
  function over ticket_deadline, ordered and limited by the database) and the counts (one grouped query, per
  priority and plan, from which the totals are summed). Both work on SQLite (3.25+) and PostgreSQL.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Subquery, and_, func
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.deadlines import PENDING
from storage.kinds import TicketStatus
from storage.tables import Ticket, TicketDeadline
from storage.tickets import TicketRecord, to_ticket_record

QUEUED = (TicketStatus.OPEN.value, TicketStatus.WAITING.value, TicketStatus.RESOLVED.value)


@dataclass(frozen=True)
class QueueLine:
    """A queued request and its next deadline (none: no pending deadline)."""

    ticket: TicketRecord
    target: str | None
    due_at: datetime | None
    breached: bool


@dataclass(frozen=True)
class QueueCounts:
    """How many requests are queued, in all, per priority and per plan (by name; None, not set, last)."""

    total: int
    per_priority: tuple[tuple[str | None, int], ...]
    per_plan: tuple[tuple[str | None, int], ...]


def queue_lines(session: Session, *, now: datetime, limit: int) -> list[QueueLine]:
    """The first `limit` queued requests: breached first, then by nearest deadline, undated last."""
    nearest = _nearest_deadlines()
    statement = (
        select(Ticket, nearest.c.target, nearest.c.due_at)
        .outerjoin(nearest, and_(nearest.c.ticket_id == col(Ticket.id), nearest.c.rank == 1))
        .where(col(Ticket.status).in_(QUEUED))
        .order_by(nearest.c.due_at.is_(None), nearest.c.due_at, col(Ticket.sr_number))
        .limit(limit)
    )
    instant = to_utc(now)
    return [
        QueueLine(to_ticket_record(ticket), target, due, due is not None and due <= instant)
        for ticket, target, due in session.exec(statement).all()
    ]


def queue_counts(session: Session) -> QueueCounts:
    """The queued requests counted per priority and per plan (one grouped query)."""
    statement = (
        select(Ticket.priority, Ticket.plan, func.count())
        .where(col(Ticket.status).in_(QUEUED))
        .group_by(col(Ticket.priority), col(Ticket.plan))
    )
    per_priority, per_plan = Counter[str | None](), Counter[str | None]()
    for priority, plan, count in session.exec(statement).all():
        per_priority[priority] += int(count)
        per_plan[plan] += int(count)
    return QueueCounts(per_priority.total(), _ordered(per_priority), _ordered(per_plan))


def _nearest_deadlines() -> Subquery:
    """Each ticket's pending deadlines ranked by due instant (rank 1: the nearest)."""
    rank = func.row_number().over(
        partition_by=col(TicketDeadline.ticket_id), order_by=(col(TicketDeadline.due_at), col(TicketDeadline.target))
    )
    return (
        select(
            col(TicketDeadline.ticket_id), col(TicketDeadline.target), col(TicketDeadline.due_at), rank.label("rank")
        )
        .where(
            PENDING,
            col(TicketDeadline.due_at).is_not(None),
        )
        .subquery()
    )


def _ordered(counts: Counter[str | None]) -> tuple[tuple[str | None, int], ...]:
    """By name, unset last."""
    return tuple(sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or "")))
