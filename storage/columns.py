"""Column types shared by the tables.

Rules:
- An instant is stored in UTC and read back timezone-aware in UTC on every database. SQLite keeps no offset, so
  the value is normalised to UTC and stored without one, in a fixed-width text form that sorts like time.
- A naive datetime is refused on the way in (sla.timeline.NaiveInstantError): without an offset an instant is ambiguous.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from sla.timeline import NaiveInstantError  # the same refusal as in the SLA engine


def to_utc(value: datetime) -> datetime:
    """The same instant in UTC; refuses a naive datetime."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise NaiveInstantError(value)
    return value.astimezone(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that stores UTC and always reads back an aware UTC datetime."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant = to_utc(value)
        return instant.replace(tzinfo=None) if dialect.name == "sqlite" else instant

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        instant: datetime = value
        return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
