"""INSERT that skips a row whose unique key already exists, on SQLite and PostgreSQL alike.

Rules: the duplicate is detected by the database (ON CONFLICT DO NOTHING), never by a read before the write,
so two writers racing on one key store it once (on PostgreSQL the second waits for the first to end, then skips
the row, or stores it if the first rolled back).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, SQLModel


def insert_unless_present(session: Session, model: type[SQLModel], values: dict[str, Any], key: list[str]) -> bool:
    """Inserts one row unless a row with the same `key` columns exists; True when it was inserted."""
    table = model.__table__  # type: ignore[attr-defined]
    statement = _insert(session, table).values(**values).on_conflict_do_nothing(index_elements=key)
    return session.exec(statement.returning(*table.primary_key.columns)).first() is not None


def insert_new(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]], key: str) -> set[Any]:
    """Inserts each of `rows` unless a row with the same unique `key` column exists, in one statement run for all
    (SQLAlchemy's "insertmanyvalues"); the keys of the rows inserted."""
    if not rows:
        return set()
    table = model.__table__  # type: ignore[attr-defined]
    statement = _insert(session, table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])
    return set(session.connection().execute(statement, list(rows)).scalars())


def _insert(session: Session, table: Any) -> Any:
    """The INSERT of `table` in the dialect of the session's database, which has ON CONFLICT."""
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert(table)
