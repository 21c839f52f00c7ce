"""Messages and attachments of a request.

Rules: each is added in the caller's transaction with its audit event; the audit event describes the message
(author, public or internal, channel) or the file (name, size, type, hash) but does not copy the text or bytes.
Attachment files are saved first by storage.attachments.AttachmentStore; this module records them.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from storage import audit
from storage.columns import to_utc
from storage.kinds import AuthorRole, MessageChannel, TicketStatus, parse
from storage.tables import Attachment, Message, Ticket
from storage.tickets import TicketRecord, lock_ticket, to_ticket_record


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
    ticket = lock_ticket(session, ticket_id)
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
    action = audit.COMMENT_ADDED if message.author_role == AuthorRole.OTHER.value else audit.MESSAGE_ADDED
    audit.record(session, actor=author, action=action, at=at, ticket_id=ticket_id, after=after)
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


def recent_request_of(session: Session, *, slack_channel: str, author: str, since: datetime) -> TicketRecord | None:
    """The request in Slack channel `slack_channel`, not closed, that `author` last wrote to at or after `since`."""
    statement = (
        select(Ticket)
        .join(Message, col(Message.ticket_id) == col(Ticket.id))
        .where(
            col(Ticket.slack_channel) == slack_channel,
            col(Ticket.status) != TicketStatus.CLOSED.value,
            col(Message.author) == author,
            col(Message.at) >= since,
        )
        .order_by(col(Message.at).desc(), col(Message.id).desc())
        .limit(1)
    )
    found = session.exec(statement).first()
    return None if found is None else to_ticket_record(found)


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
    lock_ticket(session, ticket_id)
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


@dataclass(frozen=True)
class AttachmentRecord:
    id: int
    ticket_id: int
    message_id: int | None
    name: str
    size: int
    content_type: str
    sha256: str
    stored_path: str


def attachments_of(session: Session, ticket_id: int) -> list[AttachmentRecord]:
    """The files recorded on a request, in the order they arrived."""
    statement = select(Attachment).where(col(Attachment.ticket_id) == ticket_id).order_by(col(Attachment.id))
    return [
        AttachmentRecord(
            row.id,  # type: ignore[arg-type]
            row.ticket_id,
            row.message_id,
            row.name,
            row.size,
            row.content_type,
            row.sha256,
            row.stored_path,
        )
        for row in session.exec(statement)
    ]
