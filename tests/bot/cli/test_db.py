"""`frontdesk db upgrade` against real databases, and its one-line errors."""

from pathlib import Path

import pytest

from storage.engine import Database
from storage.migrate import head_revision, revisions
from tests.bot.cli.conftest import run_console_script, run_frontdesk
from tests.storage.postgres import free_port


def test_upgrade_creates_the_tables_then_has_nothing_to_do(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", empty_database_url)
    first = run_frontdesk("db", "upgrade")
    second = run_frontdesk("db", "upgrade")
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert f"upgraded from an empty database to revision {head_revision()}, the newest." in first.stdout
    assert f"already at revision {head_revision()}, the newest." in second.stdout
    database = Database.from_url(empty_database_url)
    assert revisions(database).up_to_date
    database.dispose()


def test_without_configuration_the_file_is_frontdesk_db_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FRONTDESK_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    outcome = run_console_script("db", "upgrade")  # the installed command, migrations from the package
    assert outcome.exit_code == 0, outcome.stderr
    assert outcome.stdout.startswith("sqlite:///frontdesk.db: upgraded")
    assert (tmp_path / "frontdesk.db").is_file()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mysql://root:hunter2@db/x", "frontdesk: FRONTDESK_DATABASE_URL names an unsupported database 'mysql'"),
        ("garbage", "frontdesk: FRONTDESK_DATABASE_URL is not a database URL"),
        ("postgresql://frontdesk:hunter2@127.0.0.1:{port}/x", "frontdesk: cannot use the database postgresql"),
    ],
)
def test_a_bad_url_or_unreachable_server_is_one_line_and_exit_2(
    url: str, expected: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", url.format(port=free_port()))
    outcome = run_console_script("db", "upgrade")
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(expected)
    assert outcome.stderr.count("\n") == 1
    assert "hunter2" not in outcome.stderr
    assert "Traceback" not in outcome.stderr
