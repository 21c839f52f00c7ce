"""Email records and mailbox state: what came in and went out by email, and each mailbox's UIDVALIDITY.

Rules:
- `record_email` writes one row per message, in the caller's transaction (the one that processes its inbox row,
  or the one that queues it in the outbox); `outcome` and `review` are checked against storage.kinds.
- `ticket_of_message_ids` finds the request of the first of the given Message-IDs that we sent or stored (the
  In-Reply-To and References of a reply), looking at email records and at the requests' root Message-IDs.
- `received_since` counts a sender's messages since an instant (the per-sender rate limit), held ones included.
- A held message is decided once: `decide_held` changes only a row still held, and says whether it did.
- `uidvalidity_changed` stores a mailbox's UIDVALIDITY and says whether it differs from the one stored before
  (a first sighting is not a change).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.kinds import EmailOutcome, EmailReview, parse
from storage.tables import EmailRecord, MailboxState, Ticket


@dataclass(frozen=True)
class EmailEntry:
    """One email record as the services read it."""

    id: int
    direction: str
    message_id: str | None
    ticket_id: int | None
    sender: str | None
    subject: str | None
    outcome: EmailOutcome
    reason: str | None
    raw_path: str | None
    named_ticket_id: int | None
    review: EmailReview | None
    at: datetime


def record_email(
    session: Session,
    *,
    direction: str,
    outcome: EmailOutcome | str,
    now: datetime,
    message_id: str | None = None,
    mailbox: str | None = None,
    ticket_id: int | None = None,
    sender: str | None = None,
    recipient: str | None = None,
    subject: str | None = None,
    reason: str | None = None,
    raw_path: str | None = None,
    size: int = 0,
    named_ticket_id: int | None = None,
    review: EmailReview | str | None = None,
) -> int:
    """Stores one email record; its id."""
    if direction not in ("in", "out"):
        raise ValueError(f"direction must be 'in' or 'out', not {direction!r}")
    row = EmailRecord(
        direction=direction,
        mailbox=mailbox,
        message_id=message_id,
        ticket_id=ticket_id,
        sender=sender,
        recipient=recipient,
        subject=subject,
        outcome=parse(EmailOutcome, str(outcome)).value,
        reason=reason,
        raw_path=raw_path,
        size=size,
        at=to_utc(now),
        named_ticket_id=named_ticket_id,
        review=parse(EmailReview, str(review)).value if review is not None else None,
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def ticket_of_message_ids(session: Session, message_ids: Sequence[str]) -> int | None:
    """The request that the first of `message_ids` (in the given order) belongs to, if we sent or stored it."""
    wanted = [message_id for message_id in dict.fromkeys(message_ids) if message_id]
    if not wanted:
        return None
    found: dict[str, int] = {}
    records = select(EmailRecord.message_id, EmailRecord.ticket_id).where(
        col(EmailRecord.message_id).in_(wanted), col(EmailRecord.ticket_id).is_not(None)
    )
    roots = select(Ticket.email_thread_id, Ticket.id).where(col(Ticket.email_thread_id).in_(wanted))
    for message_id, ticket_id in [*session.exec(records), *session.exec(roots)]:
        if message_id is not None and ticket_id is not None:
            found.setdefault(message_id, ticket_id)
    return next((found[message_id] for message_id in wanted if message_id in found), None)


def received_since(session: Session, sender: str, since: datetime) -> int:
    """How many messages `sender` sent us since `since`."""
    statement = select(func.count()).where(
        col(EmailRecord.direction) == "in", col(EmailRecord.sender) == sender, col(EmailRecord.at) >= to_utc(since)
    )
    return int(session.exec(statement).one())


def seen_message(session: Session, message_id: str) -> bool:
    """Whether a message with this Message-ID came in before (through any mailbox)."""
    statement = select(EmailRecord.id).where(
        col(EmailRecord.direction) == "in", col(EmailRecord.message_id) == message_id
    )
    return session.exec(statement.limit(1)).first() is not None


def get_email(session: Session, record_id: int) -> EmailEntry | None:
    row = session.get(EmailRecord, record_id)
    return _entry(row) if row is not None else None


def emails_of(session: Session, ticket_id: int) -> list[EmailEntry]:
    """The email records of a request, oldest first."""
    statement = select(EmailRecord).where(col(EmailRecord.ticket_id) == ticket_id).order_by(col(EmailRecord.id))
    return [_entry(row) for row in session.exec(statement)]


def held_emails(session: Session, *, limit: int = 50) -> list[EmailEntry]:
    """Messages waiting for an agent's review, oldest first."""
    statement = select(EmailRecord).where(col(EmailRecord.review) == EmailReview.HELD.value)
    return [_entry(row) for row in session.exec(statement.order_by(col(EmailRecord.id)).limit(limit))]


def decide_held(
    session: Session, record_id: int, review: EmailReview, *, by: str, now: datetime, ticket_id: int | None = None
) -> bool:
    """An agent's decision on a held message; False when it was decided already (or is not held)."""
    values: dict[str, object] = {"review": review.value, "reviewed_by": by, "reviewed_at": to_utc(now)}
    if ticket_id is not None:
        values["ticket_id"] = ticket_id
    statement = (
        update(EmailRecord)
        .where(col(EmailRecord.id) == record_id, col(EmailRecord.review) == EmailReview.HELD.value)
        .values(**values)
    )
    return bool(session.exec(statement).rowcount)


def assign_ticket(session: Session, record_id: int, ticket_id: int) -> None:
    """A recorded email belongs to request `ticket_id` (a held message an agent attached or opened)."""
    session.exec(update(EmailRecord).where(col(EmailRecord.id) == record_id).values(ticket_id=ticket_id))


def uidvalidity_changed(session: Session, mailbox: str, uidvalidity: int, now: datetime) -> bool:
    """Stores the mailbox's UIDVALIDITY; True when a different one was stored before."""
    row = session.get(MailboxState, mailbox)
    if row is None:
        session.add(MailboxState(mailbox=mailbox, uidvalidity=uidvalidity, checked_at=to_utc(now)))
        session.flush()
        return False
    changed = row.uidvalidity != uidvalidity
    row.uidvalidity, row.checked_at = uidvalidity, to_utc(now)
    session.add(row)
    session.flush()
    return changed


def _entry(row: EmailRecord) -> EmailEntry:
    assert row.id is not None
    return EmailEntry(
        id=row.id,
        direction=row.direction,
        message_id=row.message_id,
        ticket_id=row.ticket_id,
        sender=row.sender,
        subject=row.subject,
        outcome=EmailOutcome(row.outcome),
        reason=row.reason,
        raw_path=row.raw_path,
        named_ticket_id=row.named_ticket_id,
        review=EmailReview(row.review) if row.review else None,
        at=row.at,
    )
