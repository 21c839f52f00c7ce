"""What the read API may show of requests, read in one query per page (docs/integrations.md, "Read API").

Rules:
- A request is shown by its fields that are about the request itself: number, kind, status, title, description,
  reproduction steps, when it happened, impact, urgency, priority, plan, customer name, escalation level, missing
  fields and its timestamps; with its deadlines (target, start, due instant, state, stop) and, for one request,
  its clock events (instant, kind, value). Never shown: contact details, the requester's and agents' identities,
  Slack and email ids, messages, attachments, the rating, the audit trail (docs/security.md, "The read API").
- `list_requests` gives the requests last changed at or after `since` (updated_at: any change of a field, a
  deadline or the next change), by SR number, after the number `after`, at most `limit`: pages never overlap and
  a request changed while a client pages is shown where its number falls, once.
- Deadlines come in the order they were first stored, events in the order they happened (by instant, then as
  recorded); instants are UTC, exact to the microsecond.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.tables import Customer, Ticket, TicketDeadline, TicketEvent


@dataclass(frozen=True)
class DeadlineRead:
    target: str
    started_at: datetime | None
    due_at: datetime | None  # None: no deadline ("as seen fit")
    state: str
    stopped_at: datetime | None


@dataclass(frozen=True)
class EventRead:
    at: datetime
    kind: str
    value: str


@dataclass(frozen=True)
class RequestRead:
    sr_number: int
    kind: str
    status: str
    title: str | None
    description: str | None
    reproduction_steps: str | None
    occurred_at: datetime | None
    impact: str | None
    urgency: str | None
    priority: str | None
    plan: str | None
    customer: str | None
    escalation_level: str | None
    missing_fields: tuple[str, ...]
    opened_at: datetime
    completed_at: datetime | None
    defect_confirmed_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    deferred_at: datetime | None
    updated_at: datetime
    deadlines: tuple[DeadlineRead, ...]


@dataclass(frozen=True)
class RequestDetail:
    request: RequestRead
    events: tuple[EventRead, ...]


def list_requests(
    session: Session,
    *,
    since: datetime | None = None,
    status: str | None = None,
    priority: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> list[RequestRead]:
    """A page of requests (the module's rules): numbers above `after`, at most `limit`, in SR order."""
    statement = (
        select(Ticket, Customer.name)
        .outerjoin(Customer, col(Customer.id) == col(Ticket.customer_id))
        .where(col(Ticket.sr_number) > after)
        .order_by(col(Ticket.sr_number))
        .limit(limit)
    )
    if since is not None:
        statement = statement.where(col(Ticket.updated_at) >= to_utc(since))
    if status is not None:
        statement = statement.where(col(Ticket.status) == status)
    if priority is not None:
        statement = statement.where(col(Ticket.priority) == priority)
    rows = list(session.exec(statement))
    deadlines = _deadlines(session, [ticket.id for ticket, _ in rows if ticket.id is not None])
    return [_request(ticket, customer, deadlines[ticket.id]) for ticket, customer in rows]


def request_detail(session: Session, sr_number: int) -> RequestDetail | None:
    """The request numbered `sr_number` with its deadlines and clock events, or None."""
    statement = (
        select(Ticket, Customer.name)
        .outerjoin(Customer, col(Customer.id) == col(Ticket.customer_id))
        .where(col(Ticket.sr_number) == sr_number)
    )
    found = session.exec(statement).first()
    if found is None:
        return None
    ticket, customer = found
    assert ticket.id is not None
    events = session.exec(
        select(TicketEvent)
        .where(col(TicketEvent.ticket_id) == ticket.id)
        .order_by(col(TicketEvent.at), col(TicketEvent.id))
    )
    return RequestDetail(
        _request(ticket, customer, _deadlines(session, [ticket.id])[ticket.id]),
        tuple(EventRead(row.at, row.kind, row.value) for row in events),
    )


def _deadlines(session: Session, ids: list[int]) -> dict[int | None, list[DeadlineRead]]:
    found: dict[int | None, list[DeadlineRead]] = defaultdict(list)
    if not ids:
        return found
    statement = select(TicketDeadline).where(col(TicketDeadline.ticket_id).in_(ids)).order_by(col(TicketDeadline.id))
    for row in session.exec(statement):
        found[row.ticket_id].append(DeadlineRead(row.target, row.started_at, row.due_at, row.state, row.stopped_at))
    return found


def _request(ticket: Ticket, customer: str | None, deadlines: list[DeadlineRead]) -> RequestRead:
    return RequestRead(
        sr_number=ticket.sr_number,
        kind=ticket.kind,
        status=ticket.status,
        title=ticket.title,
        description=ticket.description,
        reproduction_steps=ticket.reproduction_steps,
        occurred_at=ticket.occurred_at,
        impact=ticket.impact,
        urgency=ticket.urgency,
        priority=ticket.priority,
        plan=ticket.plan,
        customer=customer,
        escalation_level=ticket.escalation_level,
        missing_fields=tuple(ticket.missing_fields),
        opened_at=ticket.opened_at,
        completed_at=ticket.completed_at,
        defect_confirmed_at=ticket.defect_confirmed_at,
        first_response_at=ticket.first_response_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        deferred_at=ticket.deferred_at,
        updated_at=ticket.updated_at,
        deadlines=tuple(deadlines),
    )
