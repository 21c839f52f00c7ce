"""Defect trackers (GitHub Issues, Jira): which tracker issue a request's defect lives in, the tracker changes
already applied, and how far the reconciliation poll has read (docs/integrations.md, "Defect trackers").

Rules:
- defect_link: at most one link per ticket (`ticket_id` unique); several tickets may link the same issue.
  `issue_ref` is the tracker's own name of the issue ("owner/repo#12", "PROJ-123"); `state` is "open" or
  "closed" as the tracker last said; `release_name`/`release_at` are the milestone or fixVersion and its date.
  `changed_at` is the vendor's instant of the last change applied (never the bot's clock).
- tracker_change: one row per change applied to a ticket, unique by (tracker, change_key): the vendor's event id
  when it has one, else "<issue_ref>|<kind>|<instant>", so a webhook and the poll applying the same change
  apply it once.
- tracker_poll: per tracker and scope (a repository, a project), the instant up to which changes were read by
  the last successful poll.
"""

from datetime import datetime

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class DefectLink(SQLModel, table=True):
    __tablename__ = "defect_link"
    __table_args__ = (Index("ix_defect_link_tracker_issue", "tracker", "issue_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", unique=True)
    tracker: str = Field(max_length=20)  # "github", "jira"
    issue_ref: str = Field(max_length=200)
    url: str = Field(max_length=1000)
    state: str = Field(max_length=20)  # "open", "closed"
    release_name: str | None = Field(default=None, max_length=200)
    release_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    linked_at: datetime = Field(sa_type=UTCDateTime)
    changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class AppliedChange(SQLModel, table=True):
    __tablename__ = "tracker_change"
    __table_args__ = (UniqueConstraint("tracker", "change_key", name="uq_tracker_change_key"),)

    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    tracker: str = Field(max_length=20)
    change_key: str = Field(max_length=300)
    kind: str = Field(max_length=20)  # closed, reopened, release, comment
    at: datetime = Field(sa_type=UTCDateTime)  # the vendor's instant
    applied_at: datetime = Field(sa_type=UTCDateTime)
    detail: str | None = Field(default=None, sa_type=Text)


class TrackerPoll(SQLModel, table=True):
    __tablename__ = "tracker_poll"

    tracker: str = Field(max_length=20, primary_key=True)
    scope: str = Field(max_length=200, primary_key=True)  # "owner/repo", a Jira project key
    polled_until: datetime = Field(sa_type=UTCDateTime)
