"""Customer-wide events that count for availability: outages (downtime) and maintenance windows.

Rules: intervals are [start, end) in UTC; an outage still going on has no end. A row without a customer
applies to every customer. An outage or window with no `*_service` row hits every service of the desk; with
some, only those (the desk config's service ids, docs/status-page.md).
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


class OutageService(SQLModel, table=True):
    """A service an outage hits (its id in the desk config's `[[services]]`)."""

    __tablename__ = "outage_service"

    outage_id: int = Field(foreign_key="outage.id", primary_key=True)
    service: str = Field(max_length=40, primary_key=True)


class MaintenanceService(SQLModel, table=True):
    """A service a maintenance window takes down."""

    __tablename__ = "maintenance_service"

    maintenance_id: int = Field(foreign_key="maintenance_window.id", primary_key=True)
    service: str = Field(max_length=40, primary_key=True)
