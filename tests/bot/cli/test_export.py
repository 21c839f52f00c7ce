"""`frontdesk export --since DATE`: JSON lines of every request, and clear errors."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from storage.engine import Database
from storage.tickets import open_ticket
from tests.bot.cli.conftest import run_frontdesk
from tests.storage.helpers import NOW


@pytest.fixture
def configured(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    database = Database.from_url(database_url)
    with database.write() as session:
        open_ticket(session, kind="incident", actor="U1", now=NOW, priority="P1")
    yield database
    database.dispose()


@pytest.mark.usefixtures("configured")
@pytest.mark.parametrize("since", ["2026-11-23", "2026-11-23T10:00:00+01:00"])
def test_requests_since_the_date_are_written_to_stdout(since: str) -> None:
    outcome = run_frontdesk("export", "--since", since)
    assert outcome.exit_code == 0, outcome.stderr
    (line,) = outcome.stdout.splitlines()
    request = json.loads(line)
    assert (request["sr"], request["priority"], request["opened_at"]) == (
        "SR-000001",
        "P1",
        "2026-11-23T09:00:00+00:00",
    )
    assert request["audit"][0]["action"] == "ticket.opened"


@pytest.mark.usefixtures("configured")
def test_nothing_is_written_for_a_later_date_and_a_file_can_be_named(tmp_path: Path) -> None:
    assert run_frontdesk("export", "--since", "2026-11-24").stdout == ""
    outcome = run_frontdesk("export", "--since", "2026-11-01", "--output", str(tmp_path / "sla.jsonl"))
    assert (
        outcome.stdout
        == f"Exported 1 request(s) changed since 2026-11-01T00:00:00+00:00 to {tmp_path / 'sla.jsonl'}.\n"
    )
    assert len((tmp_path / "sla.jsonl").read_text().splitlines()) == 1


@pytest.mark.parametrize(
    ("since", "message"),
    [
        ("yesterday", 'frontdesk: --since: "yesterday" is not an ISO 8601 instant'),
        ("2026-13-01", 'frontdesk: --since "2026-13-01" is not a date such as 2026-11-01'),
        ("2026-11-23T09:00", 'frontdesk: --since: "2026-11-23T09:00" has no UTC offset'),
    ],
)
def test_a_bad_date_is_one_line_and_exit_2(
    since: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite:///{tmp_path}/f.db")
    outcome = run_frontdesk("export", "--since", since)
    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(message)
    assert outcome.stderr.count("\n") == 1


def test_a_database_without_tables_asks_for_an_upgrade(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", empty_database_url)
    outcome = run_frontdesk("export", "--since", "2026-11-01")
    assert outcome.exit_code == 2
    assert outcome.stderr.endswith("; run `frontdesk db upgrade` first\n")


def test_export_from_a_missing_sqlite_file_creates_nothing(tmp_path, monkeypatch):
    missing = tmp_path / "nowhere.db"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite:///{missing}")
    outcome = run_frontdesk("export", "--since", "2026-11-01")
    assert outcome.exit_code == 2
    assert outcome.stderr == f"frontdesk: there is no database at {missing}; run `frontdesk db upgrade` first\n"
    assert not missing.exists()
