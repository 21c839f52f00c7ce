"""Finding requests whose intake was left: status intake, and nothing done on them by a person for a while.

Rules:
- A request's last activity is the latest audit event on it by anyone but the bot (`bot_actor`): a message in
  its thread, an answer given with a button, a form, or its opening; a refused attempt (`access.refused`) is
  not activity, nor is a comment of someone who is neither its requester nor an agent (`ticket.comment_added`),
  so nobody keeps another's request from closing, by trying what they may not do or by writing in its thread.
  Every one of them is audited in the same transaction as the change (storage.tickets, storage.messages), and
  audit ids only grow, so the latest event's id also names the idle period that follows it.
- `idle_intake` lists the requests in intake whose last activity is at or before `cutoff`, the longest idle
  first. It starts from the index on ticket.status (requests in intake are few next to all requests) and reaches
  their events through the index on audit_event (ticket_id, id), so it does not read closed requests.
- It reads only; the abandoned-intake sweep (bot.desk.intake.abandoned) decides what to say and what to close, and
  reads one request again with `idle_since` after locking it, so an answer recorded meanwhile is seen.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.audit import COMMENT_ADDED, REFUSED
from storage.columns import to_utc
from storage.kinds import TicketStatus
from storage.tables import AuditEvent, Ticket

NOT_ACTIVITY = (REFUSED, COMMENT_ADDED)


@dataclass(frozen=True)
class IdleIntake:
    """A request in intake, when a person last did something on it, and that audit event (None: none at all)."""

    ticket_id: int
    sr_number: int
    last_activity_at: datetime
    last_event_id: int | None


def idle_intake(session: Session, *, cutoff: datetime, bot_actor: str, limit: int = 1000) -> list[IdleIntake]:
    """The requests in intake with no activity after `cutoff`, the longest idle first."""
    latest = (
        select(col(AuditEvent.ticket_id).label("ticket_id"), func.max(col(AuditEvent.id)).label("event_id"))
        .join(Ticket, col(Ticket.id) == col(AuditEvent.ticket_id))
        .where(
            col(Ticket.status) == TicketStatus.INTAKE.value,
            col(AuditEvent.actor) != bot_actor,
            col(AuditEvent.action).not_in(NOT_ACTIVITY),
        )
        .group_by(col(AuditEvent.ticket_id))
        .subquery()
    )
    activity = func.coalesce(col(AuditEvent.at), col(Ticket.opened_at))
    statement = (
        select(col(Ticket.id), col(Ticket.sr_number), activity, col(AuditEvent.id))
        .outerjoin(latest, latest.c.ticket_id == col(Ticket.id))
        .outerjoin(AuditEvent, col(AuditEvent.id) == latest.c.event_id)
        .where(col(Ticket.status) == TicketStatus.INTAKE.value, activity <= to_utc(cutoff))
        .order_by(activity, col(Ticket.id))
        .limit(limit)
    )
    rows = session.exec(statement).all()
    return [IdleIntake(int(ticket), sr, to_utc(at), event) for ticket, sr, at, event in rows if ticket is not None]


def idle_since(session: Session, ticket_id: int, *, bot_actor: str) -> IdleIntake | None:
    """The request's last activity, or None when it is not in intake (any more)."""
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or ticket.status != TicketStatus.INTAKE.value:
        return None
    event = session.exec(
        select(AuditEvent)
        .where(
            col(AuditEvent.ticket_id) == ticket_id,
            col(AuditEvent.actor) != bot_actor,
            col(AuditEvent.action).not_in(NOT_ACTIVITY),
        )
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    if event is None:
        return IdleIntake(ticket_id, ticket.sr_number, ticket.opened_at, None)
    return IdleIntake(ticket_id, ticket.sr_number, event.at, event.id)
