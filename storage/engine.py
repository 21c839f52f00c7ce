"""Database URLs, engines and transactions.

Rules:
- The URL comes from FRONTDESK_DATABASE_URL; without it, a SQLite file `frontdesk.db` in the working directory.
  Only SQLite and PostgreSQL (psycopg 3) are accepted. A bad URL or a database that cannot be reached gives a
  StorageError of one line, and no message ever shows a password.
- `safe_url` builds the URL's text from its parts: each password (the userinfo's, a `password=` or `sslpassword=`
  of the query string) is shown as ***, every other part as it is. It replaces no text, so a password that is
  also a piece of the URL (" ", whose query form is "+", or "db", "frontdesk") never clobbers the scheme, host or
  name: the URL itself holds the password in those parts only.
- Any other text about a database (a driver's error, whose words are not known) goes through `mask_passwords`:
  every form a database address takes is masked by pattern, a URL's userinfo (`user:secret@`), a `password=` (or
  `sslpassword=`) in a query string, a libpq keyword/value string (`host=db password=secret`, quoted or not), a
  `'password': '...'` mapping; then the URL's own secrets wherever they appear literally (plain or
  percent-encoded), however short: an over-masked error stays readable, a one-character password shown is a
  leak. Every StorageError message storage writes is `safe_url` and masked driver text. A PostgreSQL URL's
  `?password=` is moved into its userinfo when it is read (it means the same to libpq), so SQLAlchemy's own
  renderings of the URL hide it too.
- SQLite connections run in WAL mode with synchronous=NORMAL, a busy timeout and foreign keys on. Python's
  sqlite3 transaction handling is turned off and SQLAlchemy emits the BEGIN itself: BEGIN IMMEDIATE for a
  write transaction (so a read-then-write never fails half-way on a lock), a plain BEGIN for a read one.
- `Database.write()` is one transaction that commits at the end of the block, or rolls back on an exception.
  Services that make several writes take the session of one such block, so the audit log and the request
  always agree.
"""

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from storage.errors import ConflictError, DatabaseConfigError, DatabaseUnavailableError

ENV_VAR = "FRONTDESK_DATABASE_URL"
DEFAULT_URL = "sqlite:///frontdesk.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
POSTGRES_CONNECT_TIMEOUT_S = 5
_READ_ONLY = "frontdesk_read_only"
MASK = "***"
PASSWORD_KEYS = ("password", "sslpassword")
_KEY = "(?:ssl)?password"
_USERINFO = re.compile(r"(?P<keep>\b[a-z][a-z0-9+.-]*://[^:/@]*:)[^/@]*(?=@)", re.IGNORECASE)
_QUERY = re.compile(rf"(?P<keep>[?&]{_KEY}=)[^&#\s]*", re.IGNORECASE)
_KEYWORD = re.compile(rf"(?P<keep>(?<![\w?&.%-]){_KEY}\s*=\s*)(?:'(?:\\.|[^'\\])*'?|\S+)", re.IGNORECASE)
_MAPPING = re.compile(
    rf"""(?P<keep>(?P<quote>['"]){_KEY}(?P=quote)\s*:\s*)(?:'(?:\\.|[^'\\])*'?|"(?:\\.|[^"\\])*"?)""",
    re.IGNORECASE,
)


def database_url(environ: Mapping[str, str]) -> URL:
    """The database URL configured in `environ` (FRONTDESK_DATABASE_URL), or the default SQLite file."""
    return parse_database_url(environ.get(ENV_VAR) or DEFAULT_URL)


def parse_database_url(text: str | URL) -> URL:
    """`text` as a SQLAlchemy URL for SQLite or PostgreSQL (psycopg 3), or DatabaseConfigError."""
    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise DatabaseConfigError(
            f"{ENV_VAR} is not a database URL; expected e.g. sqlite:///frontdesk.db or "
            "postgresql://user@host:5432/frontdesk"
        ) from None
    backend, _, driver = url.drivername.partition("+")
    if backend == "postgres":
        backend = "postgresql"
    if backend == "sqlite" and driver in ("", "pysqlite"):
        return url.set(drivername="sqlite")
    if backend == "postgresql" and driver in ("", "psycopg"):
        return _password_in_userinfo(url.set(drivername="postgresql+psycopg"))
    raise DatabaseConfigError(
        f"{ENV_VAR} names an unsupported database {url.drivername!r}; use sqlite:///FILE or postgresql://..."
    )


def _password_in_userinfo(url: URL) -> URL:
    """`url` with a `?password=` of its query string as its password (the query's wins, as it does for libpq)."""
    given = url.query.get("password")
    if given is None:
        return url
    password = given[-1] if isinstance(given, tuple) else given
    return url.set(password=password).difference_update_query(["password"])


def safe_url(url: URL) -> str:
    """The URL as text built from its parts, each password shown as *** (the rules above)."""
    shown = url.set(query={}).render_as_string(hide_password=True)  # SQLAlchemy's rendering, query aside
    fields = [f"{quote_plus(key)}={MASK if _is_password(key) else quote_plus(value)}"
              for key in sorted(url.query) for value in _values(url.query[key])]  # fmt: skip
    return f"{shown}?{'&'.join(fields)}" if fields else shown


def secrets_of(url: URL) -> tuple[str, ...]:
    """The passwords `url` holds: its own, and those of its query string."""
    found = [url.password] if isinstance(url.password, str) else []
    for key, value in url.query.items():
        if _is_password(key):
            found.extend(_values(value))
    return tuple(found)


def _is_password(key: str) -> bool:
    return key.lower() in PASSWORD_KEYS


def _values(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else value


def mask_passwords(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each password in it replaced by *** (the forms in the rules above), and each of `secrets`
    wherever it appears, plain or percent-encoded (but for one that *** itself holds)."""
    for pattern in (_USERINFO, _QUERY, _KEYWORD, _MAPPING):
        text = pattern.sub(lambda found: found["keep"] + MASK, text)
    shown = [secret for secret in secrets if secret and secret not in MASK]
    forms = {form for secret in shown for form in (secret, quote(secret, safe=""), quote_plus(secret))}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, MASK)
    return text


def create_database_engine(url: str | URL, **options: Any) -> Engine:
    """An engine for `url` configured by the rules above; `options` go to `create_engine`."""
    url = parse_database_url(url)
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url, options)
        connect_args = {"connect_timeout": POSTGRES_CONNECT_TIMEOUT_S, **options.pop("connect_args", {})}
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True, **options)
    except (ArgumentError, NoSuchModuleError, ValueError, TypeError) as error:
        reason = mask_passwords(_one_line(error), secrets_of(url))
        raise DatabaseConfigError(f"{ENV_VAR} cannot be used ({safe_url(url)}): {reason}") from None


def _sqlite_engine(url: URL, options: dict[str, Any]) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    if in_memory:
        options.setdefault("poolclass", StaticPool)
    engine = create_engine(url, connect_args={"check_same_thread": False}, **options)

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself, see "begin" below
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


class Database:
    """An engine and the transactions made on it; the object the bot passes to storage."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._secrets = secrets_of(engine.url)
        self._reader = engine.execution_options(**{_READ_ONLY: True})

    @classmethod
    def from_url(cls, url: str | URL, **options: Any) -> "Database":
        return cls(create_database_engine(url, **options))

    @property
    def backend(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @property
    def safe_url(self) -> str:
        return safe_url(self.engine.url)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction: committed when the block ends, rolled back if it raises."""
        with self.reporting_errors(), Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """One read transaction (on SQLite a plain BEGIN, which does not take the write lock)."""
        with self.reporting_errors(), Session(self._reader, expire_on_commit=False) as session, session.begin():
            yield session

    def check(self) -> None:
        """Connects once; DatabaseUnavailableError when the database cannot be reached or opened."""
        with self.reporting_errors(), self.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")

    @contextmanager
    def reporting_errors(self) -> Iterator[None]:
        """Turns a database failure into a StorageError with one line and no password: ConflictError for a
        broken constraint, DatabaseUnavailableError when the database cannot be used."""
        try:
            yield
        except IntegrityError as error:
            raise ConflictError(f"refused by the database: {self._reason(error)}") from error
        except (OperationalError, InterfaceError) as error:
            # the DBAPI's errors "related to the database's operation": cannot connect or open, lost
            # connection, locked, out of space... A bug in a statement (ProgrammingError) or a broken
            # constraint (IntegrityError) is not one of them and goes up unchanged.
            raise DatabaseUnavailableError(f"cannot use the database {self.safe_url}: {self._reason(error)}") from error

    def _reason(self, error: DBAPIError) -> str:
        return mask_passwords(_one_line(error.orig if error.orig is not None else error), self._secrets)

    def dispose(self) -> None:
        self.engine.dispose()


def _one_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def open_database(environ: Mapping[str, str], *, must_exist: bool = False) -> Database:
    """The database configured in `environ`, checked to be reachable.

    With `must_exist`, a SQLite file that is not there is an error rather than a new empty database.
    """
    url = database_url(environ)
    file = url.database if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:") else None
    if must_exist and file is not None and not Path(file).exists():
        raise DatabaseUnavailableError(f"there is no database at {file}; run `frontdesk db upgrade` first")
    database = Database.from_url(url)
    try:
        database.check()
    except DatabaseUnavailableError:
        database.dispose()
        raise
    return database
