"""The figures `GET /metrics` reads from the database at scrape time (docs/operations.md, "Metrics").

Rules:
- Read-only, a few grouped queries per scrape, whatever the size of the tables: queue depths count only the
  states still in play (never the rows done or sent, which grow for ever), through the queues' `state` indexes;
  the oldest waiting row is one `min()` over the pending rows; open requests are counted from the (status,
  priority, plan) index alone; breached and at-risk deadlines are found by the (state, due_at) index, so a scrape
  reads the deadlines due by the hour's end, not every open request (migration 0016).
- Requests are counted while not closed or deferred (`OPEN`: intake, open, waiting, resolved), per status,
  priority and plan; a priority or plan not set is `None`.
- A request is *breached* when one of its pending deadlines (storage.deadlines' `PENDING`) is due at or before
  `now`, as sla/ counts it, and *at risk* when one is due after `now` and within `at_risk` of it; a request may
  be both. Each request counts once per figure.
- A dead letter is an outbox row in state dead (a dismissed one is no longer counted, as in `frontdesk status`).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TypeVar

from sqlalchemy import case, distinct, func
from sqlmodel import Session, col, select

from storage import inbox, outbox
from storage.columns import to_utc
from storage.deadlines import PENDING
from storage.kinds import InboxState, OutboxState, TicketStatus
from storage.tables import InboxItem, OutboxItem, Ticket, TicketDeadline

INBOX_STATES = (InboxState.PENDING, InboxState.PROCESSING, InboxState.DEAD)
OUTBOX_STATES = (OutboxState.PENDING, OutboxState.SENDING, OutboxState.PARKED, OutboxState.DEAD)
OPEN = (TicketStatus.INTAKE, TicketStatus.OPEN, TicketStatus.WAITING, TicketStatus.RESOLVED)
AT_RISK = timedelta(hours=1)
S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class QueueFigures:
    """Rows per state still in play, and when the oldest pending row was stored (None: none pending)."""

    inbox: dict[InboxState, int]
    outbox: dict[OutboxState, int]
    oldest_inbox: datetime | None
    oldest_outbox: datetime | None


@dataclass(frozen=True)
class RequestCount:
    status: TicketStatus
    priority: str | None
    plan: str | None
    count: int


@dataclass(frozen=True)
class DeadlineCount:
    """Requests of one priority and plan with a pending deadline breached, and with one at risk."""

    priority: str | None
    plan: str | None
    breached: int
    at_risk: int


def queue_figures(session: Session) -> QueueFigures:
    return QueueFigures(
        inbox=_counts(session, InboxItem, INBOX_STATES),
        outbox=_counts(session, OutboxItem, OUTBOX_STATES),
        oldest_inbox=inbox.oldest_pending(session),
        oldest_outbox=outbox.oldest_pending(session),
    )


def _counts(session: Session, model: type[InboxItem] | type[OutboxItem], states: tuple[S, ...]) -> dict[S, int]:
    """Rows per state of `states` (zero when none), through the queue's index led by `state`."""
    state, kind = col(model.state), type(states[0])
    found = dict.fromkeys(states, 0)
    statement = select(state, func.count()).where(state.in_([s.value for s in states])).group_by(state)
    for value, number in session.exec(statement):
        found[kind(value)] = int(number)
    return found


def open_requests(session: Session) -> list[RequestCount]:
    """The requests not closed or deferred, per status, priority and plan (one grouped query)."""
    status, priority, plan = col(Ticket.status), col(Ticket.priority), col(Ticket.plan)
    statement = (
        select(status, priority, plan, func.count())
        .where(status.in_([s.value for s in OPEN]))
        .group_by(status, priority, plan)
    )
    return [RequestCount(TicketStatus(s), p, pl, int(n)) for s, p, pl, n in session.exec(statement)]


def deadline_counts(session: Session, *, now: datetime, at_risk: timedelta = AT_RISK) -> list[DeadlineCount]:
    """Per priority and plan, the open requests with a pending deadline breached at `now`, and with one due
    within `at_risk` after it (one grouped query)."""
    instant, ticket_id, due = to_utc(now), col(Ticket.id), col(TicketDeadline.due_at)
    breached = func.count(distinct(case((due <= instant, ticket_id))))
    risky = func.count(distinct(case((due > instant, ticket_id))))
    statement = (
        select(col(Ticket.priority), col(Ticket.plan), breached, risky)
        .join(TicketDeadline, col(TicketDeadline.ticket_id) == ticket_id)
        .where(col(Ticket.status).in_([s.value for s in OPEN]), PENDING, due <= to_utc(now + at_risk))
        .group_by(col(Ticket.priority), col(Ticket.plan))
    )
    return [DeadlineCount(p, pl, int(b), int(r)) for p, pl, b, r in session.exec(statement)]
