"""Email: every message received or sent, and what each IMAP mailbox was last seen as.

Rules:
- email_record holds one row per message that came in (after the inbox row was processed) or went out (when it
  was queued): its Message-ID, its sender and recipient, the request it belongs to, and what became of it
  (`outcome`, with a `reason` for people). Threading looks Message-IDs up here; the rate limit counts here.
- A message agents must look at (a sender not trusted for the request it names, an unparseable message, one over
  the rate limit) is `review = "held"` until an agent attaches it, opens a request from it or dismisses it.
- The raw message stays in the attachment store under `raw_path` (storage.attachments), so nothing is lost.
- mailbox_state keeps each mailbox's UIDVALIDITY: when the server changes it, every message is looked at again.
"""

from datetime import datetime

from sqlalchemy import BigInteger, Text
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class EmailRecord(SQLModel, table=True):
    __tablename__ = "email_record"

    id: int | None = Field(default=None, primary_key=True)
    direction: str = Field(max_length=3)  # "in" or "out"
    mailbox: str | None = Field(default=None, max_length=200)  # where it came in ("stdin" for the pipe)
    message_id: str | None = Field(default=None, max_length=998, index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    sender: str | None = Field(default=None, max_length=320, index=True)
    recipient: str | None = Field(default=None, max_length=320)
    subject: str | None = Field(default=None, sa_type=Text)
    outcome: str = Field(max_length=20)  # EmailOutcome
    reason: str | None = Field(default=None, sa_type=Text)
    raw_path: str | None = Field(default=None, max_length=300)
    size: int = Field(default=0, sa_type=BigInteger)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    named_ticket_id: int | None = Field(default=None, foreign_key="ticket.id")  # the request a held message names
    review: str | None = Field(default=None, max_length=20, index=True)  # EmailReview
    reviewed_by: str | None = Field(default=None, max_length=200)
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MailboxState(SQLModel, table=True):
    __tablename__ = "mailbox_state"

    mailbox: str = Field(primary_key=True, max_length=200)
    uidvalidity: int = Field(sa_type=BigInteger)
    checked_at: datetime = Field(sa_type=UTCDateTime)
