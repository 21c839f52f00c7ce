"""The audit log: one append-only row for every change (who, what, when, before, after).

Rules: nothing in the project updates or deletes a row of audit_event; the migration installs triggers that
refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL) on both databases. `before` and `after` hold only the
values that changed, as JSON.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_ticket_id_id", "ticket_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=200)  # a Slack user id, an email address, or "system"
    action: str = Field(max_length=80)  # e.g. "ticket.opened", "ticket.changed"
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    subject: str | None = Field(default=None, max_length=200)  # what else the event is about, e.g. "customer:3"
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)
