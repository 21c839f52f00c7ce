"""INSERT that skips a row whose unique key already exists, on SQLite and PostgreSQL alike.

Rules: the duplicate is detected by the database (ON CONFLICT DO NOTHING), never by a read before the write,
so two writers racing on one key store it once.
"""

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_unless_present(session: Session, model: type[SQLModel], values: dict[str, Any], key: list[str]) -> bool:
    """Inserts one row unless a row with the same `key` columns exists; True when it was inserted."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = model.__table__  # type: ignore[attr-defined]
    statement = (
        dialect.insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=key)
        .returning(*table.primary_key.columns)
    )
    return session.exec(statement).first() is not None
