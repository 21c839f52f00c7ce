"""The database check: reachable and at the newest migration (docs/operations.md, "Doctor").

Rules:
- The configured database (FRONTDESK_DATABASE_URL) is opened as `frontdesk status` opens it: a SQLite file that
  is not there is a problem, never created. One that cannot be reached is one line (storage's, with no password).
- A database behind the shipped migrations is a problem naming both revisions (`frontdesk db upgrade`, which
  `frontdesk run` does at start, fixes it).
"""

from collections.abc import Mapping
from dataclasses import dataclass

from bot.doctor.findings import Finding, finding
from storage import migrate
from storage.engine import open_database
from storage.errors import StorageError


@dataclass(frozen=True)
class DatabaseReport:
    backend: str | None
    revision: str | None
    problems: tuple[Finding, ...] = ()


def check_database(environ: Mapping[str, str]) -> DatabaseReport:
    try:
        database = open_database(environ, must_exist=True)
    except StorageError as error:
        return DatabaseReport(None, None, (finding("database_unreachable", fatal=True, text=str(error)),))
    try:
        where = migrate.revisions(database)
    except StorageError as error:
        return DatabaseReport(database.backend, None, (finding("database_unreachable", fatal=True, text=str(error)),))
    finally:
        database.dispose()
    if where.up_to_date:
        return DatabaseReport(database.backend, where.current)
    behind = finding("database_behind", current=where.current, head=where.head)
    return DatabaseReport(database.backend, where.current, (behind,))
