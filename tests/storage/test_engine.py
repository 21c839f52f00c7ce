"""Database URLs, SQLite connection settings, transactions, and the one-line errors."""

import sqlite3
from pathlib import Path

import pytest

from storage.engine import DEFAULT_URL, Database, database_url, open_database, parse_database_url
from storage.errors import ConflictError, DatabaseConfigError, DatabaseUnavailableError
from storage.tables import Message
from tests.storage.helpers import NOW
from tests.storage.postgres import free_port


def test_without_configuration_the_database_is_a_sqlite_file_in_the_working_directory() -> None:
    assert str(database_url({})) == DEFAULT_URL == "sqlite:///frontdesk.db"


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql://u@db/frontdesk", "postgresql+psycopg://u@db/frontdesk"),
        ("postgres://u@db/frontdesk", "postgresql+psycopg://u@db/frontdesk"),
        ("postgresql+psycopg://u@db/frontdesk", "postgresql+psycopg://u@db/frontdesk"),
        ("sqlite:////var/lib/frontdesk.db", "sqlite:////var/lib/frontdesk.db"),
        ("sqlite+pysqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgresql_urls_use_psycopg_3(given: str, used: str) -> None:
    assert str(database_url({"FRONTDESK_DATABASE_URL": given})) == used


@pytest.mark.parametrize("url", ["not a url", "://nothing", "mysql://root:hunter2@db/x", "postgresql+asyncpg://h/x"])
def test_an_unusable_url_is_one_line_without_the_password(url: str) -> None:
    with pytest.raises(DatabaseConfigError) as raised:
        parse_database_url(url)
    message = str(raised.value)
    assert "\n" not in message
    assert "FRONTDESK_DATABASE_URL" in message
    assert "hunter2" not in message


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    url = f"postgresql://frontdesk:hunter2@127.0.0.1:{free_port()}/frontdesk"
    with pytest.raises(DatabaseUnavailableError) as raised:
        open_database({"FRONTDESK_DATABASE_URL": url})
    message = str(raised.value)
    assert "\n" not in message
    assert "hunter2" not in message
    assert "frontdesk:***@127.0.0.1" in message


def test_a_sqlite_file_that_cannot_be_opened_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailableError, match="unable to open database file") as raised:
        open_database({"FRONTDESK_DATABASE_URL": f"sqlite:///{tmp_path}/missing/folder/frontdesk.db"})
    assert "\n" not in str(raised.value)


def test_sqlite_connections_use_wal_normal_sync_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path}/f.db")
    with database.read() as session:
        connection = session.connection()
        pragmas = {
            name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "busy_timeout", "foreign_keys")
        }
    database.dispose()
    assert pragmas == {"journal_mode": "wal", "synchronous": 1, "busy_timeout": 30_000, "foreign_keys": 1}


def _can_take_write_lock(path: Path) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        other.close()


def test_a_sqlite_write_transaction_takes_the_write_lock_at_its_first_statement(tmp_path: Path) -> None:
    path = tmp_path / "f.db"
    database = Database.from_url(f"sqlite:///{path}")
    with database.write() as session:
        session.connection().exec_driver_sql("SELECT 1")  # a read first: BEGIN IMMEDIATE still locks
        locked_while_writing = not _can_take_write_lock(path)
    with database.read() as session:
        session.connection().exec_driver_sql("SELECT 1")
        locked_while_reading = not _can_take_write_lock(path)
    database.dispose()
    assert locked_while_writing
    assert not locked_while_reading


def test_a_write_block_that_raises_leaves_nothing(db: Database) -> None:
    def insert_then_fail() -> None:
        with db.write() as session:
            session.connection().exec_driver_sql("INSERT INTO counter (name, value) VALUES ('other', 1)")
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        insert_then_fail()
    with db.read() as session:
        assert session.connection().exec_driver_sql("SELECT count(*) FROM counter").scalar() == 1


def test_foreign_keys_are_enforced(db: Database) -> None:
    message = Message(ticket_id=999, author="U1", author_role="agent", public=True, channel="slack", text="x", at=NOW)

    def store() -> None:
        with db.write() as session:
            session.add(message)

    with pytest.raises(ConflictError, match=r"refused by the database: .*(FOREIGN KEY|foreign key)") as raised:
        store()
    assert "\n" not in str(raised.value)
