"""The clock events of a request: what the SLA clocks read to compute its deadlines (docs/architecture.md, "Time").

Rules:
- An event is `kind` at instant `at` (UTC), with a `value` for plan, kind and priority changes, and the actor who
  caused it; events are only ever added (a correction is a later event, such as `reopened` or a new `priority`).
- `counts_of` gives how many events each request's log holds: since events are only added, the log of a request
  changed exactly when its count did (the milestones stored with a request name the count they were computed
  from: sla.plan).
- `events_of` returns a request's events in the order they happened: by `at`, then in the order they were
  recorded, which is the order sla.clocks keeps for events at the same instant.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.errors import InvalidValueError
from storage.tables import TicketEvent
from storage.tickets import lock_ticket

MAX_KIND, MAX_VALUE = 40, 100


@dataclass(frozen=True)
class TicketEventRecord:
    at: datetime
    kind: str
    value: str
    actor: str


def record_event(
    session: Session, ticket_id: int, kind: str, *, at: datetime, actor: str, value: str = ""
) -> TicketEventRecord:
    """Adds an event to the request's log (the ticket is locked, so events of one request are added in turn)."""
    if not kind or len(kind) > MAX_KIND or len(value) > MAX_VALUE:
        raise InvalidValueError(f"an event kind has 1 to {MAX_KIND} characters and a value at most {MAX_VALUE}")
    lock_ticket(session, ticket_id)
    row = TicketEvent(ticket_id=ticket_id, at=to_utc(at), kind=kind, value=value, actor=actor)
    session.add(row)
    session.flush()
    return TicketEventRecord(row.at, row.kind, row.value, row.actor)


def events_of(session: Session, ticket_id: int) -> list[TicketEventRecord]:
    """The request's events, in the order they happened."""
    statement = (
        select(TicketEvent)
        .where(col(TicketEvent.ticket_id) == ticket_id)
        .order_by(col(TicketEvent.at), col(TicketEvent.id))
    )
    return [TicketEventRecord(row.at, row.kind, row.value, row.actor) for row in session.exec(statement)]


def counts_of(session: Session, ticket_ids: list[int]) -> dict[int, int]:
    """How many events the log of each of the requests holds (those without any are left out)."""
    statement = (
        select(TicketEvent.ticket_id, func.count())
        .where(col(TicketEvent.ticket_id).in_(ticket_ids))
        .group_by(col(TicketEvent.ticket_id))
    )
    return {int(ticket_id): int(count) for ticket_id, count in session.exec(statement)}
