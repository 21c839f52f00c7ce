"""Writing and reading the audit log.

Rules:
- `record` adds one event in the caller's transaction, the same one that makes the change it describes;
  `record_all` adds many in one statement run for all (a sweep's batch), each written as `record` would write it.
- `before`/`after` are JSON objects of the values that changed; `jsonable` turns instants into ISO 8601 text
  in UTC so that the log reads the same on every database.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.tables import AuditEvent

REFUSED = "access.refused"  # someone tried what their role does not allow: nothing changed but this row
MESSAGE_ADDED = "ticket.message_added"  # the requester or an agent wrote in a request's thread
COMMENT_ADDED = "ticket.comment_added"  # someone else wrote there: kept as a comment (author_role "other")


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    ticket_id: int | None
    subject: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def jsonable(value: Any) -> Any:
    """`value` with instants as ISO 8601 UTC text and enums as their values, ready for a JSON column."""
    if value is None or type(value) in (str, int, float, bool):
        return value  # the common case first: a sweep's batch writes thousands
    if isinstance(value, datetime):
        return to_utc(value).isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    at: datetime,
    ticket_id: int | None = None,
    subject: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Appends one audit event."""
    session.add(
        AuditEvent(
            at=to_utc(at),
            actor=actor,
            action=action,
            ticket_id=ticket_id,
            subject=subject,
            before=None if before is None else jsonable(before),
            after=None if after is None else jsonable(after),
        )
    )
    session.flush()


@dataclass(frozen=True)
class Entry:
    """One audit event to add with `record_all`: the arguments of `record`."""

    actor: str
    action: str
    at: datetime
    ticket_id: int | None = None
    subject: str | None = None
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


def record_all(session: Session, entries: Sequence[Entry]) -> None:
    """Appends the audit events `entries`, in the order given, in one statement."""
    if not entries:
        return
    rows = [
        {
            "at": to_utc(entry.at),
            "actor": entry.actor,
            "action": entry.action,
            "ticket_id": entry.ticket_id,
            "subject": entry.subject,
            "before": None if entry.before is None else jsonable(entry.before),
            "after": None if entry.after is None else jsonable(entry.after),
        }
        for entry in entries
    ]
    session.connection().execute(insert(AuditEvent), rows)  # one statement run for all (executemany)


def trail(session: Session, ticket_id: int) -> list[AuditRecord]:
    """Every audit event of a ticket, oldest first."""
    statement = select(AuditEvent).where(col(AuditEvent.ticket_id) == ticket_id).order_by(col(AuditEvent.id))
    return [to_record(row) for row in session.exec(statement)]


def to_record(row: AuditEvent) -> AuditRecord:
    assert row.id is not None
    return AuditRecord(
        id=row.id,
        at=row.at,
        actor=row.actor,
        action=row.action,
        ticket_id=row.ticket_id,
        subject=row.subject,
        before=row.before,
        after=row.after,
    )
