"""Finding requests whose intake the requester left: status intake, and nothing from the requester for a while.

Rules:
- A request's last requester activity is its latest message by the requester (the highest message id among
  them, i.e. the last one recorded) or, without any, the instant it was opened.
- `idle_intake` lists the requests in intake whose last activity is at or before `cutoff`, the longest idle
  first. It starts from the index on ticket.status (requests in intake are few next to all requests) and
  reaches their messages through the index on message.ticket_id, so it does not read closed requests.
- It reads only; the abandoned-intake sweep (bot.intake.abandoned) decides what to say and what to close, and
  reads one request again with `idle_since` after locking it, so a message recorded meanwhile is seen.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.kinds import AuthorRole, TicketStatus
from storage.tables import Message, Ticket


@dataclass(frozen=True)
class IdleIntake:
    """A request in intake and its requester's last activity: the message (None: only the opening) and when."""

    ticket_id: int
    sr_number: int
    last_activity_at: datetime
    last_message_id: int | None
    last_message_ts: str | None


def idle_intake(session: Session, *, cutoff: datetime, limit: int = 1000) -> list[IdleIntake]:
    """The requests in intake with no requester activity after `cutoff`, the longest idle first."""
    latest = (
        select(col(Message.ticket_id).label("ticket_id"), func.max(col(Message.id)).label("message_id"))
        .join(Ticket, col(Ticket.id) == col(Message.ticket_id))
        .where(col(Ticket.status) == TicketStatus.INTAKE.value)
        .where(col(Message.author_role) == AuthorRole.REQUESTER.value)
        .group_by(col(Message.ticket_id))
        .subquery()
    )
    activity = func.coalesce(col(Message.at), col(Ticket.opened_at))
    statement = (
        select(col(Ticket.id), col(Ticket.sr_number), activity, col(Message.id), col(Message.slack_ts))
        .outerjoin(latest, latest.c.ticket_id == col(Ticket.id))
        .outerjoin(Message, col(Message.id) == latest.c.message_id)
        .where(col(Ticket.status) == TicketStatus.INTAKE.value)
        .where(activity <= to_utc(cutoff))
        .order_by(activity, col(Ticket.id))
        .limit(limit)
    )
    return [_idle(*row) for row in session.exec(statement).all()]


def idle_since(session: Session, ticket_id: int) -> IdleIntake | None:
    """The request's last requester activity, or None when it is not in intake (any more)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.status != TicketStatus.INTAKE.value:
        return None
    message = session.exec(
        select(Message)
        .where(col(Message.ticket_id) == ticket_id, col(Message.author_role) == AuthorRole.REQUESTER.value)
        .order_by(col(Message.id).desc())
        .limit(1)
    ).first()
    if message is None:
        return IdleIntake(ticket_id, ticket.sr_number, ticket.opened_at, None, None)
    return IdleIntake(ticket_id, ticket.sr_number, message.at, message.id, message.slack_ts)


def _idle(ticket_id: int, sr_number: int, at: datetime, message_id: int | None, ts: str | None) -> IdleIntake:
    return IdleIntake(ticket_id, sr_number, to_utc(at), message_id, ts)
