"""Services that change requests (tickets), each writing its audit event in the same transaction.

Rules:
- Every function takes the session of one write transaction (`Database.write()`) and the current instant;
  it locks the ticket row first (FOR UPDATE on PostgreSQL; SQLite has one writer), then changes it, then
  appends the audit event, so a ticket and its audit trail never disagree.
- Values go out as frozen `TicketRecord`s; a change names columns of CHANGEABLE, and `kind` and `status` are
  checked against their word lists.
- The audit event of a change holds only the columns whose value changed; a change that changes nothing
  writes nothing.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage import audit
from storage.columns import to_utc
from storage.errors import InvalidValueError, NotFoundError
from storage.kinds import AuthorRole, DeadlineState, MessageChannel, TicketKind, TicketStatus, parse
from storage.numbers import format_sr, next_number
from storage.tables import Attachment, Message, Pause, Ticket, TicketDeadline

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


@dataclass(frozen=True)
class DeadlineValue:
    """The stored deadline of one target; `due_at` None means no deadline ("as seen fit")."""

    target: str
    due_at: datetime | None
    state: DeadlineState = DeadlineState.RUNNING
    started_at: datetime | None = None
    stopped_at: datetime | None = None


@dataclass(frozen=True)
class MessageRecord:
    id: int
    ticket_id: int
    author: str
    author_role: AuthorRole
    public: bool
    channel: MessageChannel
    text: str
    at: datetime


@dataclass(frozen=True)
class PauseRecord:
    id: int
    ticket_id: int
    started_at: datetime
    ended_at: datetime | None
    reason: str | None


def to_ticket_record(row: Ticket) -> TicketRecord:
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
    after = {"sr": format_sr(ticket.sr_number), **cleaned}
    audit.record(session, actor=actor, action="ticket.opened", at=instant, ticket_id=ticket.id, after=after)
    return to_ticket_record(ticket)


def _locked(session: Session, ticket_id: int) -> Ticket:
    ticket = session.exec(select(Ticket).where(col(Ticket.id) == ticket_id).with_for_update()).first()
    if ticket is None:
        raise NotFoundError(f"no ticket with id {ticket_id}")
    return ticket


def change_ticket(
    session: Session,
    ticket_id: int,
    changes: Mapping[str, Any],
    *,
    actor: str,
    now: datetime,
    action: str = "ticket.changed",
) -> TicketRecord:
    """Sets columns of a ticket and audits what changed (e.g. action "ticket.priority_changed")."""
    cleaned = _clean(changes)
    ticket = _locked(session, ticket_id)
    before = {name: getattr(ticket, name) for name in cleaned if getattr(ticket, name) != cleaned[name]}
    if before:
        after = {name: cleaned[name] for name in before}
        for name, value in after.items():
            setattr(ticket, name, value)
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
) -> TicketRecord | None:
    """The ticket with this SR number, Slack (channel, thread ts) or email thread, if any."""
    statement = select(Ticket)
    if sr_number is not None:
        statement = statement.where(col(Ticket.sr_number) == sr_number)
    if slack_thread is not None:
        channel, thread_ts = slack_thread
        statement = statement.where(col(Ticket.slack_channel) == channel, col(Ticket.slack_thread_ts) == thread_ts)
    if email_thread_id is not None:
        statement = statement.where(col(Ticket.email_thread_id) == email_thread_id)
    ticket = session.exec(statement.order_by(col(Ticket.id)).limit(1)).first()
    return None if ticket is None else to_ticket_record(ticket)


def set_deadlines(
    session: Session,
    ticket_id: int,
    deadlines: Sequence[DeadlineValue],
    *,
    next_change_at: datetime | None,
    actor: str,
    now: datetime,
) -> None:
    """Stores the deadline of every given target (others are left alone) and the ticket's next_change_at."""
    ticket = _locked(session, ticket_id)
    stored = {
        row.target: row
        for row in session.exec(select(TicketDeadline).where(col(TicketDeadline.ticket_id) == ticket_id))
    }
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for deadline in deadlines:
        values = {
            "due_at": None if deadline.due_at is None else to_utc(deadline.due_at),
            "state": parse(DeadlineState, deadline.state).value,
            "started_at": None if deadline.started_at is None else to_utc(deadline.started_at),
            "stopped_at": None if deadline.stopped_at is None else to_utc(deadline.stopped_at),
        }
        row = stored.get(deadline.target)
        old = None if row is None else {name: getattr(row, name) for name in values}
        if old == values:
            continue
        before[deadline.target] = old
        after[deadline.target] = values
        if row is None:
            row = TicketDeadline(ticket_id=ticket_id, target=deadline.target, state=str(values["state"]))
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
    next_at = None if next_change_at is None else to_utc(next_change_at)
    if next_at != ticket.next_change_at:
        before["next_change_at"], after["next_change_at"] = ticket.next_change_at, next_at
        ticket.next_change_at = next_at
    if after:
        ticket.updated_at = to_utc(now)
        session.add(ticket)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="ticket.deadlines_set",
            at=now,
            ticket_id=ticket_id,
            before=before,
            after=after,
        )


def deadlines_of(session: Session, ticket_id: int) -> list[DeadlineValue]:
    statement = (
        select(TicketDeadline).where(col(TicketDeadline.ticket_id) == ticket_id).order_by(col(TicketDeadline.id))
    )
    return [
        DeadlineValue(row.target, row.due_at, DeadlineState(row.state), row.started_at, row.stopped_at)
        for row in session.exec(statement)
    ]


def add_message(
    session: Session,
    ticket_id: int,
    *,
    author: str,
    author_role: str,
    public: bool,
    channel: str,
    text: str,
    at: datetime,
    slack_ts: str | None = None,
    email_message_id: str | None = None,
) -> MessageRecord:
    """Adds a message to a request and audits it (the text itself is kept in the message only)."""
    ticket = _locked(session, ticket_id)
    message = Message(
        ticket_id=ticket_id,
        author=author,
        author_role=parse(AuthorRole, author_role).value,
        public=public,
        channel=parse(MessageChannel, channel).value,
        text=text,
        at=to_utc(at),
        slack_ts=slack_ts,
        email_message_id=email_message_id,
    )
    session.add(message)
    ticket.updated_at = max(ticket.updated_at, to_utc(at))
    session.add(ticket)
    session.flush()
    assert message.id is not None
    after = {"message_id": message.id, "author_role": message.author_role, "public": public, "channel": channel}
    audit.record(session, actor=author, action="ticket.message_added", at=at, ticket_id=ticket_id, after=after)
    return MessageRecord(
        message.id, ticket_id, author, AuthorRole(message.author_role), public, MessageChannel(channel), text, at
    )


def messages_of(session: Session, ticket_id: int) -> list[MessageRecord]:
    statement = select(Message).where(col(Message.ticket_id) == ticket_id).order_by(col(Message.at), col(Message.id))
    return [
        MessageRecord(
            row.id,  # type: ignore[arg-type]
            row.ticket_id,
            row.author,
            AuthorRole(row.author_role),
            row.public,
            MessageChannel(row.channel),
            row.text,
            row.at,
        )
        for row in session.exec(statement)
    ]


def add_attachment(
    session: Session,
    ticket_id: int,
    *,
    name: str,
    size: int,
    content_type: str,
    sha256: str,
    stored_path: str,
    actor: str,
    now: datetime,
    message_id: int | None = None,
) -> int:
    """Records a file already saved by the AttachmentStore on a request, and audits it."""
    _locked(session, ticket_id)
    row = Attachment(
        ticket_id=ticket_id,
        message_id=message_id,
        name=name,
        size=size,
        content_type=content_type,
        sha256=sha256,
        stored_path=stored_path,
        created_at=to_utc(now),
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    after = {"attachment_id": row.id, "name": name, "size": size, "content_type": content_type, "sha256": sha256}
    audit.record(session, actor=actor, action="ticket.attachment_added", at=now, ticket_id=ticket_id, after=after)
    return row.id


def start_pause(session: Session, ticket_id: int, *, actor: str, now: datetime, reason: str | None = None) -> int:
    """Starts waiting on the requester; InvalidValueError when a pause is already running."""
    _locked(session, ticket_id)
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
    _locked(session, ticket_id)
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
