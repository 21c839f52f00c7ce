"""`frontdesk maintenance add|list` show instants in the desk's local time (bot/cli/maintenance.py): the policy's
time zone when the desk config reads, else the machine's; what `add` says and what `list` shows agree."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.bot.cli.conftest import run_console_script, run_frontdesk
from tests.bot.reports.requests import desk_text

START = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
END = START + timedelta(hours=2)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)


def _in(zone: str, instant: datetime) -> str:
    return instant.astimezone(ZoneInfo(zone)).isoformat()


@pytest.mark.usefixtures("database")
def test_add_and_list_show_the_window_in_the_policys_zone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "frontdesk.toml"
    config.write_text(desk_text("k0nsult", ""))
    monkeypatch.setenv("FRONTDESK_CONFIG", str(config))
    added = run_frontdesk(
        "maintenance", "add", "--start", START.isoformat(), "--end", END.isoformat(), "--title", "Database upgrade"
    )
    assert added.exit_code == 0, added.stderr
    window = f"{_in('Europe/Warsaw', START)} to {_in('Europe/Warsaw', END)}"
    assert added.stdout.splitlines()[1] == f"  from {window} (planned)"
    listed = run_frontdesk("maintenance", "list")
    assert listed.stdout == f"#1  {window}  planned    Database upgrade\n"


@pytest.mark.usefixtures("database")
def test_without_a_desk_config_list_shows_the_machines_local_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRONTDESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("TZ", "America/Toronto")
    added = run_console_script("maintenance", "add", "--start", START.isoformat(), "--end", END.isoformat(),
                               "--title", "Disk swap", "--unplanned")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    listed = run_console_script("maintenance", "list")
    window = f"{_in('America/Toronto', START)} to {_in('America/Toronto', END)}"
    assert listed.stdout == f"#1  {window}  unplanned  Disk swap\n"
