"""The inbox (everything received), the outbox (everything to send) and named counters.

Rules:
- An inbox row is written before its event is acknowledged; its `key` is unique, so a duplicate delivery
  is dropped. Rows of one conversation are processed in id order.
- An outbox row's `idempotency_key` is unique: enqueueing the same message twice stores it once.
- A claimed row carries a lease (`lease_until`, `lease_token`); after the lease expires another worker may
  claim it again, and only the holder of the current token may finish it.
- An outbox row with an `ordering_key` (a Slack channel and thread) is not claimed while an earlier row with the
  same key is pending, being sent or parked (waiting for the bot to be invited to its channel), so one thread is
  sent in id order; a row with `waits_for` (the idempotency key of another row) is not claimed while that row is
  pending, being sent or parked. `result` keeps what the destination answered that later rows need (a Slack
  channel, ts, view id). An `urgent` row (a view, an answer to a click) is claimed before the others.
- counter holds the last number handed out per name (the SR numbers: name "sr").
- reminder_sent records each reminder said (warnings, breaches, escalations, update nags) by its key: the
  sweeps write it in the transaction that enqueues the message (alone or in a digest), so each is said once.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Text, false
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class InboxItem(SQLModel, table=True):
    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_state_id", "state", "id"),
        Index("ix_inbox_conversation_state_id", "conversation", "state", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)  # Slack event_id, "(channel, ts)", Message-ID per mailbox...
    source: str = Field(max_length=40)  # e.g. "slack", "email"
    conversation: str = Field(max_length=255)  # rows of one conversation are processed in order
    payload: dict[str, Any] = Field(sa_type=JSON)
    state: str = Field(max_length=20)  # InboxState
    attempts: int = Field(default=0)
    received_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_token: str | None = Field(default=None, max_length=32)
    processed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    next_try_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # a failed row waits until then


class OutboxItem(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_next_try_at", "state", "next_try_at"),
        Index("ix_outbox_ordering_key_state_id", "ordering_key", "state", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=255, unique=True)
    destination_kind: str = Field(max_length=10)  # DestinationKind: slack, email or http
    destination: str = Field(max_length=320)  # a Slack channel id, or an email address
    payload: dict[str, Any] = Field(sa_type=JSON)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    state: str = Field(max_length=20)  # OutboxState
    attempts: int = Field(default=0)
    created_at: datetime = Field(sa_type=UTCDateTime)
    next_try_at: datetime = Field(sa_type=UTCDateTime)
    lease_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_token: str | None = Field(default=None, max_length=32)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_type=Text)
    ordering_key: str | None = Field(default=None, max_length=400)  # rows of one key are sent in id order
    waits_for: str | None = Field(default=None, max_length=255)  # the idempotency key of a row sent first
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)  # what the destination answered
    urgent: bool = Field(default=False, sa_column_kwargs={"server_default": false()})  # claimed before the others


class Counter(SQLModel, table=True):
    __tablename__ = "counter"

    name: str = Field(primary_key=True, max_length=40)
    value: int = Field(default=0, sa_type=BigInteger)


class ReminderSent(SQLModel, table=True):
    """The ledger of reminders said (one row per reminder key), so a reminder is said once even in a digest."""

    __tablename__ = "reminder_sent"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=255, unique=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)


class SweepRun(SQLModel, table=True):
    """When each sweep last ran (for `frontdesk status`): one row per sweep name."""

    __tablename__ = "sweep_run"

    name: str = Field(primary_key=True, max_length=60)
    last_run_at: datetime = Field(sa_type=UTCDateTime)
    runs: int = Field(default=0)
    last_error: str | None = Field(default=None, sa_type=Text)
