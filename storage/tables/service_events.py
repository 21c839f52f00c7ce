"""Customer-wide events that count for availability: outages (downtime) and maintenance windows.

Rules: intervals are [start, end) in UTC; an outage still going on has no end. A row without a customer
applies to every customer.
"""

from datetime import datetime

from sqlalchemy import Text, true
from sqlmodel import Field, SQLModel

from storage.columns import UTCDateTime


class Outage(SQLModel, table=True):
    __tablename__ = "outage"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    title: str = Field(sa_type=Text)
    started_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MaintenanceWindow(SQLModel, table=True):
    __tablename__ = "maintenance_window"

    id: int | None = Field(default=None, primary_key=True)
    customer_id: int | None = Field(default=None, foreign_key="customer.id", index=True)
    title: str = Field(sa_type=Text)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    planned: bool = Field(default=True, sa_column_kwargs={"server_default": true()})  # else unplanned
    declared_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
