"""Pauses: intervals while a request waits on its requester (pausable targets stop counting).

Rules: at most one pause of a ticket runs at a time; starting and ending one are audited in the caller's
transaction ("ticket.paused", "ticket.resumed").
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage import audit
from storage.columns import to_utc
from storage.errors import InvalidValueError
from storage.tables import Pause
from storage.tickets import lock_ticket


@dataclass(frozen=True)
class PauseRecord:
    id: int
    ticket_id: int
    started_at: datetime
    ended_at: datetime | None
    reason: str | None


def start_pause(session: Session, ticket_id: int, *, actor: str, now: datetime, reason: str | None = None) -> int:
    """Starts waiting on the requester; InvalidValueError when a pause is already running."""
    lock_ticket(session, ticket_id)
    if _running_pause(session, ticket_id) is not None:
        raise InvalidValueError(f"ticket {ticket_id} is already paused")
    pause = Pause(ticket_id=ticket_id, started_at=to_utc(now), reason=reason, started_by=actor)
    session.add(pause)
    session.flush()
    assert pause.id is not None
    after = {"pause_id": pause.id, "started_at": now, "reason": reason}
    audit.record(session, actor=actor, action="ticket.paused", at=now, ticket_id=ticket_id, after=after)
    return pause.id


def end_pause(session: Session, ticket_id: int, *, actor: str, now: datetime) -> int | None:
    """Ends the running pause, if any; returns its id."""
    lock_ticket(session, ticket_id)
    pause = _running_pause(session, ticket_id)
    if pause is None:
        return None
    pause.ended_at, pause.ended_by = to_utc(now), actor
    session.add(pause)
    session.flush()
    after = {"pause_id": pause.id, "ended_at": now}
    audit.record(session, actor=actor, action="ticket.resumed", at=now, ticket_id=ticket_id, after=after)
    return pause.id


def _running_pause(session: Session, ticket_id: int) -> Pause | None:
    statement = select(Pause).where(col(Pause.ticket_id) == ticket_id, col(Pause.ended_at).is_(None))
    return session.exec(statement).first()


def pauses_of(session: Session, ticket_id: int) -> list[PauseRecord]:
    statement = select(Pause).where(col(Pause.ticket_id) == ticket_id).order_by(col(Pause.started_at))
    return [
        PauseRecord(row.id, row.ticket_id, row.started_at, row.ended_at, row.reason)  # type: ignore[arg-type]
        for row in session.exec(statement)
    ]
