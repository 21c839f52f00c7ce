"""The agents' work list: requests past intake and not closed, nearest running deadline first.

Rules:
- A request's next deadline is the earliest due instant among its pending deadlines (storage.deadlines'
  PENDING: running, or breached and not stopped); requests without one come last. Ordering is done by the
  database (one query with a grouped subquery, then one for the names of the nearest targets), so the list
  costs the same whatever the number of open requests.
- Filters: "open" (open, waiting or resolved), "waiting" (waiting on the requester), "mine" (assigned to the
  agent with this Slack user id), "breaching" (a running deadline at or before `now`), "deferred" (deferred
  defects, whose conversation is closed and whose fix is still tracked: only in this list).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.deadlines import PENDING
from storage.errors import InvalidValueError
from storage.kinds import TicketStatus
from storage.tables import Agent, Ticket, TicketDeadline
from storage.tickets import TicketRecord, to_ticket_record

FILTERS = ("open", "waiting", "mine", "breaching", "deferred")
LISTED = (TicketStatus.OPEN.value, TicketStatus.WAITING.value, TicketStatus.RESOLVED.value)


@dataclass(frozen=True)
class WorkItem:
    ticket: TicketRecord
    next_target: str | None
    next_due: datetime | None


def worklist(
    session: Session, which: str, *, now: datetime, agent_user: str | None = None, limit: int = 30
) -> tuple[list[WorkItem], int]:
    """The requests of list `which`, nearest deadline first (at most `limit`), and how many there are in all."""
    if which not in FILTERS:
        raise InvalidValueError(f"unknown list {which!r}; one of {', '.join(FILTERS)}")
    nearest = (
        select(col(TicketDeadline.ticket_id).label("ticket_id"), func.min(TicketDeadline.due_at).label("due"))
        .where(PENDING, col(TicketDeadline.due_at).is_not(None))
        .group_by(col(TicketDeadline.ticket_id))
        .subquery()
    )
    statement = (
        select(Ticket, nearest.c.due)
        .outerjoin(nearest, nearest.c.ticket_id == col(Ticket.id))
        .where(col(Ticket.status).in_((TicketStatus.DEFERRED.value,) if which == "deferred" else LISTED))
    )
    if which == "waiting":
        statement = statement.where(col(Ticket.status) == TicketStatus.WAITING.value)
    elif which == "mine":
        statement = statement.join(Agent, col(Agent.id) == col(Ticket.assignee_id)).where(
            col(Agent.slack_user_id) == agent_user
        )
    elif which == "breaching":
        statement = statement.where(nearest.c.due <= to_utc(now))
    total = session.exec(select(func.count()).select_from(statement.subquery())).one()
    ordered = statement.order_by(nearest.c.due.is_(None), nearest.c.due, col(Ticket.id)).limit(limit)
    rows = session.exec(ordered).all()
    names = _nearest_targets(session, {row[0].id: row[1] for row in rows if row[1] is not None})
    records = [(to_ticket_record(ticket), due) for ticket, due in rows]
    items = [WorkItem(record, names.get(record.id), due) for record, due in records]
    return items, int(total)


def _nearest_targets(session: Session, due_by_ticket: dict[int | None, datetime]) -> dict[int, str]:
    """The name of the running target due at each ticket's nearest instant."""
    if not due_by_ticket:
        return {}
    statement = select(TicketDeadline).where(
        col(TicketDeadline.ticket_id).in_([ticket for ticket in due_by_ticket if ticket is not None]),
        PENDING,
    )
    names: dict[int, str] = {}
    for row in session.exec(statement.order_by(col(TicketDeadline.target))):
        if row.due_at == due_by_ticket.get(row.ticket_id) and row.ticket_id not in names:
            names[row.ticket_id] = row.target
    return names
