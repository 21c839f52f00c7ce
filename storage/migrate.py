"""Alembic migrations, run through Alembic's programmatic API.

Rules:
- The migration scripts ship inside this package (storage/migrations), so `frontdesk db upgrade` works from
  an installed wheel: the configuration is built in code, not read from an alembic.ini.
- An upgrade runs in one transaction on the caller's connection. On PostgreSQL it first takes an advisory
  lock, so processes that start side by side upgrade one after the other; on SQLite BEGIN IMMEDIATE does that.
- Alembic keeps its running environment in module globals, so this module runs one Alembic command at a
  time per process (a lock); across processes the database's own locks order them.
- A new revision is made by `autogenerate_revision` against a database at head, then reviewed by hand.
"""

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from storage.engine import Database

MIGRATIONS = Path(__file__).with_name("migrations")
_ALEMBIC = threading.Lock()


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the shipped migrations, bound to `connection` when given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@dataclass(frozen=True)
class Revisions:
    """Where a database stands: its current revision (None when empty) and the newest shipped one."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        return self.current == self.head


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "storage/migrations has no revision"
    return head


def revisions(database: Database) -> Revisions:
    with database.read() as session:
        current = MigrationContext.configure(session.connection()).get_current_revision()
    return Revisions(current=current, head=head_revision())


def upgrade(database: Database, revision: str = "head") -> Revisions:
    """Upgrades the database to `revision` (default: the newest) and tells where it stands."""
    with _ALEMBIC, database.write() as session:
        command.upgrade(alembic_config(session.connection()), revision)
    return revisions(database)


def pending_changes(database: Database) -> list[Any]:
    """What autogenerate would still put in a new migration (empty when the schema matches the tables)."""
    import storage.tables

    with database.read() as session:
        context = MigrationContext.configure(
            session.connection(), opts={"compare_type": True, "target_metadata": storage.tables.metadata}
        )
        return list(compare_metadata(context, storage.tables.metadata))


def autogenerate_revision(database: Database, message: str) -> None:
    """Writes a new revision script with what autogenerate finds (for developers; review it by hand)."""
    with _ALEMBIC, database.write() as session:
        command.revision(alembic_config(session.connection()), message=message, autogenerate=True)
