"""Migrations: an empty database upgrades to head, and then autogenerate finds nothing left to migrate."""

import pytest
from alembic import command
from sqlalchemy.exc import DBAPIError

from storage import audit
from storage.engine import Database
from storage.errors import ConflictError
from storage.migrate import MIGRATIONS, alembic_config, head_revision, pending_changes, revisions, upgrade
from tests.storage.helpers import NOW, finish_worker, run_in_threads, start_worker


def test_an_empty_database_upgrades_to_head_with_nothing_left_to_migrate(empty_database_url: str) -> None:
    database = Database.from_url(empty_database_url)
    assert revisions(database).current is None
    assert upgrade(database).up_to_date
    assert pending_changes(database) == []
    assert upgrade(database).current == head_revision()  # a second upgrade does nothing
    database.dispose()


def test_processes_that_start_together_upgrade_one_after_the_other(empty_database_url: str) -> None:
    processes = [start_worker("upgrade", empty_database_url) for _ in range(3)]
    assert [finish_worker(process) for process in processes] == [[head_revision()]] * 3


def test_threads_of_one_process_upgrade_one_after_the_other(empty_database_url: str) -> None:
    database = Database.from_url(empty_database_url)
    results = run_in_threads([lambda: upgrade(database)] * 3)
    assert all(result.up_to_date for result in results)
    database.dispose()


def test_downgrade_to_base_and_upgrade_again(empty_database_url: str) -> None:
    database = Database.from_url(empty_database_url)
    upgrade(database)
    with database.write() as session:
        command.downgrade(alembic_config(session.connection()), "base")
    assert revisions(database).current is None
    assert upgrade(database).up_to_date
    database.dispose()


def test_the_migrations_ship_inside_the_package() -> None:
    assert MIGRATIONS.parent.name == "storage"
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert "import sqlmodel.sql.sqltypes" in (MIGRATIONS / "script.py.mako").read_text()


@pytest.mark.parametrize("statement", ["UPDATE audit_event SET actor = 'someone else'", "DELETE FROM audit_event"])
def test_the_audit_log_refuses_updates_and_deletes(db: Database, statement: str) -> None:
    with db.write() as session:
        audit.record(session, actor="U1", action="ticket.opened", at=NOW)

    def change_the_log() -> None:
        with db.write() as session:
            session.connection().exec_driver_sql(statement)

    with pytest.raises((DBAPIError, ConflictError), match="append-only"):  # raised by the trigger
        change_the_log()


def test_the_sr_counter_starts_at_zero(db: Database) -> None:
    with db.read() as session:
        assert session.connection().exec_driver_sql("SELECT value FROM counter WHERE name = 'sr'").scalar() == 0
