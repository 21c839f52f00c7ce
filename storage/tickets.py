"""Services that open, change and find requests (tickets), each writing its audit event in the same transaction.

Deadlines, messages and attachments, and pauses have modules of their own (storage.deadlines, storage.messages,
storage.pauses) that follow the same rules.

Rules:
- Every function takes the session of one write transaction (`Database.write()`) and the current instant;
  it locks the ticket row first (FOR UPDATE on PostgreSQL; SQLite has one writer), then changes it, then
  appends the audit event, so a ticket and its audit trail never disagree.
- Values go out as frozen `TicketRecord`s; a change names columns of CHANGEABLE, and `kind` and `status` are
  checked against their word lists.
- The audit event of a change holds only the columns whose value changed; a change that changes nothing
  writes nothing.
- Opening or locking a ticket makes it the request being worked in this context, for log records
  (storage.worked).
"""

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func
from sqlmodel import Session, col, select

from storage import audit
from storage.columns import to_utc
from storage.errors import InvalidValueError, NotFoundError
from storage.kinds import TicketKind, TicketStatus, parse
from storage.numbers import format_sr, next_number
from storage.tables import Requester, Ticket
from storage.worked import working_on

CHANGEABLE = frozenset(
    {
        "kind",
        "status",
        "title",
        "contact_email",
        "contact_phone",
        "description",
        "reproduction_steps",
        "occurred_at",
        "attachments_none",
        "missing_fields",
        "impact",
        "urgency",
        "priority",
        "plan",
        "requester_id",
        "customer_id",
        "assignee_id",
        "slack_channel",
        "slack_thread_ts",
        "email_thread_id",
        "agents_thread_ts",
        "escalation_level",
        "deferred_at",
        "satisfaction_score",
        "satisfaction_comment",
        "completed_at",
        "defect_confirmed_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "next_change_at",
    }
)


@dataclass(frozen=True)
class TicketRecord:
    id: int
    sr_number: int
    kind: TicketKind
    status: TicketStatus
    title: str | None
    contact_email: str | None
    contact_phone: str | None
    description: str | None
    reproduction_steps: str | None
    occurred_at: datetime | None
    attachments_none: bool
    missing_fields: tuple[str, ...]
    impact: str | None
    urgency: str | None
    priority: str | None
    plan: str | None
    requester_id: int | None
    customer_id: int | None
    assignee_id: int | None
    slack_channel: str | None
    slack_thread_ts: str | None
    email_thread_id: str | None
    agents_thread_ts: str | None
    escalation_level: str | None
    deferred_at: datetime | None
    satisfaction_score: int | None
    satisfaction_comment: str | None
    opened_at: datetime
    completed_at: datetime | None
    defect_confirmed_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    updated_at: datetime
    next_change_at: datetime | None

    @property
    def sr(self) -> str:
        return format_sr(self.sr_number)


def to_ticket_record(row: Ticket | Row[Any]) -> TicketRecord:
    """The record of a ticket row (an ORM object, or a row of the ticket table's columns)."""
    values = {field.name: getattr(row, field.name) for field in fields(TicketRecord)}
    values.update(kind=TicketKind(row.kind), status=TicketStatus(row.status), missing_fields=tuple(row.missing_fields))
    return TicketRecord(**values)


def _clean(changes: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(changes) - CHANGEABLE)
    if unknown:
        raise InvalidValueError(f"cannot set {', '.join(unknown)} on a ticket")
    values = dict(changes)
    if "kind" in values:
        values["kind"] = parse(TicketKind, values["kind"]).value
    if "status" in values:
        values["status"] = parse(TicketStatus, values["status"]).value
    if "missing_fields" in values:
        values["missing_fields"] = list(values["missing_fields"])
    return {name: to_utc(value) if isinstance(value, datetime) else value for name, value in values.items()}


def open_ticket(
    session: Session, *, kind: str, actor: str, now: datetime, status: str = TicketStatus.INTAKE, **values: Any
) -> TicketRecord:
    """Opens a request: takes the next SR number, stores the row and its "ticket.opened" event."""
    cleaned = _clean({"kind": kind, "status": status, **values})
    instant = to_utc(now)
    ticket = Ticket(sr_number=next_number(session), opened_at=instant, updated_at=instant, **cleaned)
    session.add(ticket)
    session.flush()
    assert ticket.id is not None
    working_on(format_sr(ticket.sr_number))
    after = {"sr": format_sr(ticket.sr_number), **cleaned}
    audit.record(session, actor=actor, action="ticket.opened", at=instant, ticket_id=ticket.id, after=after)
    return to_ticket_record(ticket)


def lock_ticket(session: Session, ticket_id: int) -> Ticket:
    """The ticket row, locked until the transaction ends (FOR UPDATE; SQLite has one writer anyway)."""
    ticket = session.exec(select(Ticket).where(col(Ticket.id) == ticket_id).with_for_update()).first()
    if ticket is None:
        raise NotFoundError(f"no ticket with id {ticket_id}")
    working_on(format_sr(ticket.sr_number))
    return ticket


def change_ticket(
    session: Session,
    ticket_id: int,
    changes: Mapping[str, Any],
    *,
    actor: str,
    now: datetime,
    action: str = "ticket.changed",
    reason: str | None = None,
) -> TicketRecord:
    """Sets columns of a ticket and audits what changed (e.g. action "ticket.priority_changed"), with the
    `reason` given for the change, if any."""
    cleaned = _clean(changes)
    ticket = lock_ticket(session, ticket_id)
    before = {name: getattr(ticket, name) for name in cleaned if getattr(ticket, name) != cleaned[name]}
    if before:
        after = {name: cleaned[name] for name in before}
        for name, value in after.items():
            setattr(ticket, name, value)
        after |= {"reason": reason} if reason else {}
        ticket.updated_at = to_utc(now)
        session.add(ticket)
        audit.record(session, actor=actor, action=action, at=now, ticket_id=ticket_id, before=before, after=after)
    return to_ticket_record(ticket)


def get_ticket(session: Session, ticket_id: int) -> TicketRecord:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFoundError(f"no ticket with id {ticket_id}")
    return to_ticket_record(ticket)


def find_ticket(
    session: Session,
    *,
    sr_number: int | None = None,
    slack_thread: tuple[str, str] | None = None,
    email_thread_id: str | None = None,
    agents_thread_ts: str | None = None,
) -> TicketRecord | None:
    """The ticket with this SR number, Slack (channel, thread ts), email thread or card thread, if any."""
    statement = select(Ticket)
    if sr_number is not None:
        statement = statement.where(col(Ticket.sr_number) == sr_number)
    if slack_thread is not None:
        channel, thread_ts = slack_thread
        statement = statement.where(col(Ticket.slack_channel) == channel, col(Ticket.slack_thread_ts) == thread_ts)
    if email_thread_id is not None:
        statement = statement.where(col(Ticket.email_thread_id) == email_thread_id)
    if agents_thread_ts is not None:
        statement = statement.where(col(Ticket.agents_thread_ts) == agents_thread_ts)
    ticket = session.exec(statement.order_by(col(Ticket.id)).limit(1)).first()
    return None if ticket is None else to_ticket_record(ticket)


def requested_by(
    session: Session, *, slack_team_id: str | None, slack_user_id: str, limit: int, open_only: bool = False
) -> tuple[list[TicketRecord], int]:
    """The requests of the Slack user (only those not closed or deferred, with `open_only`: a deferred defect's
    conversation is closed), newest first (at most `limit`), and how many there are in all."""
    mine = (
        select(Ticket)
        .join(Requester, col(Requester.id) == col(Ticket.requester_id))
        .where(col(Requester.slack_team_id) == slack_team_id, col(Requester.slack_user_id) == slack_user_id)
    )
    if open_only:
        mine = mine.where(col(Ticket.status).not_in((TicketStatus.CLOSED.value, TicketStatus.DEFERRED.value)))
    rows = session.exec(mine.order_by(col(Ticket.opened_at).desc(), col(Ticket.id).desc()).limit(limit)).all()
    total = session.exec(select(func.count()).select_from(mine.subquery())).one()
    return [to_ticket_record(row) for row in rows], int(total)


def lock_and_get(session: Session, ticket_id: int) -> TicketRecord:
    """The ticket, locked until the transaction ends (read after any change committed before the lock)."""
    return to_ticket_record(lock_ticket(session, ticket_id))


def resolved_before(session: Session, cutoff: datetime, *, limit: int) -> list[int]:
    """The ids of resolved tickets resolved at or before `cutoff`, oldest resolution first."""
    statement = (
        select(Ticket.id)
        .where(col(Ticket.status) == TicketStatus.RESOLVED.value, col(Ticket.resolved_at) <= to_utc(cutoff))
        .order_by(col(Ticket.resolved_at), col(Ticket.id))
        .limit(limit)
    )
    return [ticket_id for ticket_id in session.exec(statement) if ticket_id is not None]
