"""Database fixtures shared by every test: real SQLite files and a real PostgreSQL server started here.

Rules:
- `db` is a migrated, empty database, once per backend (the tests that use it run on SQLite and on
  PostgreSQL); `database_url` is its URL and `backend` its name. `empty_database_url` has no tables yet.
- Each test gets a fresh database: a copy of a SQLite file migrated once per session, or a PostgreSQL
  database created from a template migrated once per session.
- The PostgreSQL server is started on first use and stopped at the end of the session. Without its binaries
  the PostgreSQL tests are skipped, except in CI (CI=true), where that is a failure.
- Property-based tests draw the same examples on every run (hypothesis profile `ci`, the default), so a run is
  deterministic: what fails once fails every time. `HYPOTHESIS_PROFILE=explore` draws new random examples on each run
  (1,000 where a test sets no count), for hunting bugs on demand; each failure it finds becomes a fixed test.
- Each test starts with no work in hand for the log records (no SR number, no inbox key: bot.monitoring.logs
  `log_scope`), whatever request an earlier test opened or locked in this thread.
"""

import os
import shutil
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
from hypothesis import settings

from bot.monitoring.logs import log_scope
from storage.engine import Database
from storage.migrate import upgrade
from tests.storage.postgres import PostgresServer, find_bindir

settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]
TEMPLATE = "frontdesk_template"
_numbers = count(1)


@pytest.fixture(autouse=True)
def no_work_in_hand() -> Iterator[None]:
    with log_scope():
        yield


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    bindir = find_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        if os.environ.get("CI"):
            pytest.fail("CI=true but PostgreSQL (initdb, pg_ctl) is not installed: .ci/run should install it")
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: install Debian's postgresql package")
    server = PostgresServer.start(bindir)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    database = Database.from_url(postgres_server.create_database(TEMPLATE))
    upgrade(database)
    database.dispose()
    return TEMPLATE


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "frontdesk.db"
    database = Database.from_url(f"sqlite:///{path}")
    upgrade(database)
    database.dispose()  # the last connection checkpoints the WAL into the main file
    return path


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _new_database(request: pytest.FixtureRequest, backend: str, tmp_path: Path, migrated: bool) -> Iterator[str]:
    if backend == "sqlite":
        path = tmp_path / "frontdesk.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template") if migrated else None
    name = f"test_{os.getpid()}_{next(_numbers)}"
    url = server.create_database(name, template=template)
    yield url
    server.drop_database(name)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database migrated to head."""
    yield from _new_database(request, backend, tmp_path, migrated=True)


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database without any table."""
    yield from _new_database(request, backend, tmp_path, migrated=False)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()
