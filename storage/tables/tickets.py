"""Requests (tickets) and what belongs to one: deadlines, messages, attachments, pauses, clock events.

Rules:
- Every request a requester makes is one ticket row with a unique SR number; `kind` says what it is.
- The required fields are columns; `missing_fields` lists the ones the intake still has to collect.
- The deadline of every target is stored in ticket_deadline (one row per ticket and target) so that sweeps can
  find them with an index; `next_change_at` is the earliest instant at which anything about the ticket changes
  (a warning, a breach, an update nag), NULL when nothing will, and is indexed for the sweeps.
- ticket_event is the log the SLA clocks read (sla.log.Event: complete, plan, kind, priority,
  defect_confirmed, public_reply, workaround, fix, resolved, closed, reopened, pause, resume, ...), in the
  order it happened: by `at`, then by id.
- update_cycle keeps every decided period of a recurring target (sla.cycles), met or missed, for the reports.
- The milestone sweep finds the due tickets by (next_change_at, id), its order (storage.sweeps).
"""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class Ticket(SQLModel, table=True):
    __tablename__ = "ticket"
    __table_args__ = (
        Index("ix_ticket_status_priority_plan", "status", "priority", "plan"),  # storage.metrics
        Index("ix_ticket_next_change_at_id", "next_change_at", "id"),  # storage.sweeps
    )

    id: int | None = Field(default=None, primary_key=True)
    sr_number: int = Field(unique=True)
    kind: str = Field(max_length=30)  # TicketKind
    status: str = Field(max_length=20, index=True)  # TicketStatus
    title: str | None = Field(default=None, max_length=300)

    # required fields
    contact_email: str | None = Field(default=None, max_length=320)
    contact_phone: str | None = Field(default=None, max_length=60)
    description: str | None = Field(default=None, sa_type=Text)
    reproduction_steps: str | None = Field(default=None, sa_type=Text)  # or "not applicable"
    occurred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    attachments_none: bool = Field(default=False)  # the requester said there are no attachments
    missing_fields: list[str] = Field(default_factory=list, sa_type=JSON)

    impact: str | None = Field(default=None, max_length=40)
    urgency: str | None = Field(default=None, max_length=40)
    priority: str | None = Field(default=None, max_length=40)
    plan: str | None = Field(default=None, max_length=100)

    requester_id: int | None = Field(default=None, foreign_key="requester.id", index=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="agent.id", index=True)

    slack_channel: str | None = Field(default=None, max_length=40)
    slack_thread_ts: str | None = Field(default=None, max_length=40)
    email_thread_id: str | None = Field(default=None, max_length=998, index=True)  # root Message-ID
    agents_thread_ts: str | None = Field(default=None, max_length=40, index=True)  # the card's, in the agents channel

    # the agents' workflow
    escalation_level: str | None = Field(default=None, max_length=2)  # L2 or L3 once escalated
    deferred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    satisfaction_score: int | None = Field(default=None)  # 1 to 5, once per resolution
    satisfaction_comment: str | None = Field(default=None, sa_type=Text)

    opened_at: datetime = Field(sa_type=UTCDateTime, index=True)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # all required fields present
    defect_confirmed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_response_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)

    next_change_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    milestones: str | None = Field(default=None, sa_type=Text)  # sla.plan, encoded: docs/architecture.md, "Time"


class TicketDeadline(SQLModel, table=True):
    __tablename__ = "ticket_deadline"
    __table_args__ = (
        UniqueConstraint("ticket_id", "target", name="uq_ticket_deadline_target"),
        Index("ix_ticket_deadline_state_due_at", "state", "due_at"),  # pending ones by due instant: storage.metrics
    )

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    target: str = Field(max_length=40)  # response, workaround, resolution, update, or a custom one
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)  # NULL: no deadline
    state: str = Field(max_length=20)  # sla.clocks.State, one of storage.deadlines.STORED
    stopped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # for reports: when the target was decided (met: its stop; breached: its due instant), and, once stopped, the
    # working time it took on its calendar (pauses left out), in whole seconds
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    elapsed_seconds: int | None = Field(default=None, sa_type=BigInteger)


class UpdateCycle(SQLModel, table=True):
    """One decided period of a recurring target (sla.cycles): met at its update or missed at its end."""

    __tablename__ = "update_cycle"
    __table_args__ = (UniqueConstraint("ticket_id", "target", "due_at", name="uq_update_cycle_period"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    target: str = Field(max_length=40)
    started_at: datetime = Field(sa_type=UTCDateTime)
    due_at: datetime = Field(sa_type=UTCDateTime)
    met_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # NULL: missed
    decided_at: datetime = Field(sa_type=UTCDateTime, index=True)  # met_at, or due_at when missed
    priority: str = Field(max_length=40)
    plan: str = Field(max_length=100)


class Message(SQLModel, table=True):
    __tablename__ = "message"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    author: str = Field(max_length=320)  # Slack user id or email address
    author_role: str = Field(max_length=20)  # AuthorRole
    public: bool
    channel: str = Field(max_length=20)  # MessageChannel
    text: str = Field(sa_type=Text)
    at: datetime = Field(sa_type=UTCDateTime)
    slack_ts: str | None = Field(default=None, max_length=40)
    email_message_id: str | None = Field(default=None, max_length=998)


class Attachment(SQLModel, table=True):
    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    message_id: int | None = Field(default=None, foreign_key="message.id")
    name: str = Field(max_length=255)  # the sanitised name the requester gave
    size: int = Field(sa_type=BigInteger)
    content_type: str = Field(max_length=255)  # detected from the bytes
    sha256: str = Field(max_length=64, index=True)
    stored_path: str = Field(max_length=300)  # relative to the attachment folder
    created_at: datetime = Field(sa_type=UTCDateTime)


class Pause(SQLModel, table=True):
    __tablename__ = "pause"

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, sa_type=Text)
    started_by: str = Field(max_length=200)
    ended_by: str | None = Field(default=None, max_length=200)


class TicketEvent(SQLModel, table=True):
    __tablename__ = "ticket_event"
    __table_args__ = (Index("ix_ticket_event_ticket_id_at_id", "ticket_id", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(max_length=40)
    value: str = Field(default="", max_length=100)
    actor: str = Field(max_length=200)
