"""Maintenance windows naming the services they take down: `frontdesk maintenance add --service` (checked
against the desk config's `[[services]]`), `list` showing them, and the desk config's windows stored with theirs."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config.desk import parse_desk_config
from bot.desk.maintenance import add_configured
from storage import service_events
from storage.engine import Database
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.reports.requests import desk_text

START = (datetime.now(UTC) + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
END = START + timedelta(hours=2)
SERVICES = '[[services]]\nid = "search"\nname = "Search"\n[[services]]\nid = "api"\nname = "Public API"\n'


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def configured(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "frontdesk.toml"
    config.write_text(desk_text("k0nsult", SERVICES))
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    monkeypatch.setenv("FRONTDESK_CONFIG", str(config))
    return config


def _add(*more: str):
    return run_frontdesk("maintenance", "add", "--start", START.isoformat(), "--end", END.isoformat(), *more)


@pytest.mark.usefixtures("configured")
def test_a_window_on_two_services_is_added_and_listed_with_them(db: Database) -> None:
    added = _add("--title", "Index rebuild", "--service", "search", "--service", "Public API")
    assert added.exit_code == 0, added.stderr
    assert added.stdout.splitlines()[2] == "  on search, api"
    assert _add("--title", "Network").exit_code == 0
    listed = run_frontdesk("maintenance", "list").stdout.splitlines()
    assert listed[0].endswith("planned    Index rebuild (api, search)")
    assert listed[1].endswith("planned    Network")
    with db.read() as session:
        api = service_events.maintenance_between(session, START, END, service="api")
        search = service_events.maintenance_between(session, START, END, service="search")
        other = service_events.maintenance_between(session, START, END, service="billing")
    assert [w.title for w in api] == [w.title for w in search] == ["Index rebuild", "Network"]
    assert [w.title for w in other] == ["Network"]


@pytest.mark.usefixtures("configured")
def test_an_unknown_service_is_refused_listing_the_known_ones(db: Database) -> None:
    refused = _add("--title", "Index rebuild", "--service", "billing")
    assert (refused.exit_code, refused.stderr) == (
        2,
        'frontdesk: --service "billing" is not a service of this desk (search, api)\n',
    )
    with db.read() as session:
        assert service_events.maintenance_since(session, START - timedelta(days=7)) == []


def test_the_desk_configs_windows_are_stored_with_their_services(db: Database, tmp_path: Path) -> None:
    window = (
        f"[[maintenance]]\nstart = {START.isoformat()}\nend = {END.isoformat()}\n"
        'title = "Index rebuild"\nservices = ["search"]\n'
    )
    desk = parse_desk_config(desk_text("k0nsult", SERVICES + window), source="frontdesk.toml", folder=tmp_path)
    assert add_configured(db, desk, START - timedelta(days=10)) == 1
    with db.read() as session:
        (stored,) = service_events.maintenance_since(session, START - timedelta(days=7))
    assert (stored.title, stored.services) == ("Index rebuild", ("search",))
