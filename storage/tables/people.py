"""People and customers: requesters, the customers they belong to, and the agents who answer.

Rules:
- A customer has one plan and is matched by Slack channel or by email domain (rows of customer_match, each
  value unique per kind, so one channel or domain never matches two customers).
- A requester is known by Slack team and user id, by email, or both.
- An agent has a level: L1 (support team), L2 (technical lead), L3 (management).
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class Customer(SQLModel, table=True):
    __tablename__ = "customer"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    plan: str = Field(max_length=100)
    created_at: datetime = Field(sa_type=UTCDateTime)


class CustomerMatch(SQLModel, table=True):
    __tablename__ = "customer_match"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_customer_match_kind_value"),)

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int = Field(foreign_key="customer.id", index=True)
    kind: str = Field(max_length=20)  # MatchKind
    value: str = Field(max_length=255)  # a Slack channel id, or an email domain in lower case


class Requester(SQLModel, table=True):
    __tablename__ = "requester"
    __table_args__ = (UniqueConstraint("slack_team_id", "slack_user_id", name="uq_requester_slack"),)

    id: int | None = Field(default=None, primary_key=True)
    slack_team_id: str | None = Field(default=None, max_length=40)
    slack_user_id: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, index=True)
    phone: str | None = Field(default=None, max_length=60)
    time_zone: str | None = Field(default=None, max_length=64)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Agent(SQLModel, table=True):
    __tablename__ = "agent"

    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str | None = Field(default=None, max_length=40, unique=True)
    email: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=200)
    level: str = Field(max_length=2)  # AgentLevel
    active: bool = Field(default=True)
