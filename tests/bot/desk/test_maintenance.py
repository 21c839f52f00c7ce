"""Maintenance windows end to end: `frontdesk maintenance add`, then notices to customers, each once and on time."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config.desk import Maintenance
from bot.desk.maintenance import add_configured, sweep_maintenance
from bot.say import Say
from slack_emulator import Workspace
from storage import service_events
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.conversation import conversation_on, desk_config

START = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)  # Saturday 22:00 in Paris


@pytest.fixture
def desk(db, database_url: str, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    workspace = Workspace.example()
    news = workspace.add_channel("status-news", members=[workspace.user("bob")])
    config = replace(desk_config(workspace, tmp_path), announcements_channel=news.id)
    for conversation in conversation_on(db, workspace, config):
        conversation.news = news.id
        yield conversation


def _sweep(conversation, at):
    said = sweep_maintenance(conversation.database, conversation.desk, at, lambda s: Say(s, conversation.desk, at))
    conversation.now = at
    conversation.settle()
    return said


def _news(conversation):
    return [m.text for m in conversation.emulator.workspace.messages(conversation.news)]


def _add(*options):
    return run_frontdesk("maintenance", "add", *options)


def test_a_planned_window_is_announced_a_week_ahead_at_its_start_and_at_its_end(desk):
    added = _add(
        "--start", START.isoformat(), "--end", (START + timedelta(hours=2)).isoformat(), "--title", "Database upgrade"
    )
    assert added.exit_code == 0, added.stderr
    assert added.stdout.startswith("Maintenance window #1 added: Database upgrade\n")
    assert not _sweep(desk, START - timedelta(days=8))
    assert _sweep(desk, START - timedelta(days=7))
    assert not _sweep(desk, START - timedelta(days=6))
    assert _news(desk) == [
        ":calendar: *Planned maintenance*: Database upgrade, Sat 05 Dec 2026 22:00 to Sun 06 Dec 2026 00:00 "
        "(Europe/Paris). The service may be unavailable during that time."
    ]
    assert _sweep(desk, START)
    assert _sweep(desk, START + timedelta(hours=2))
    assert not _sweep(desk, START + timedelta(hours=3))
    assert _news(desk)[1:] == [
        ":hammer_and_wrench: *Maintenance started*: Database upgrade, until Sun 06 Dec 2026 00:00 (Europe/Paris).",
        ":white_check_mark: *Maintenance completed*: Database upgrade. The service is back.",
    ]
    assert run_frontdesk("maintenance", "list").stdout.startswith(f"#1  {START.astimezone().isoformat()}")


def test_an_unplanned_window_is_announced_at_once_and_when_completed(desk):
    now = datetime.now(UTC)
    _add(
        "--start",
        now.isoformat(),
        "--end",
        (now + timedelta(hours=1)).isoformat(),
        "--title",
        "Disk swap",
        "--unplanned",
    )
    assert _sweep(desk, now + timedelta(minutes=1))
    assert _news(desk)[0].startswith(":hammer_and_wrench: *Unplanned maintenance*: Disk swap")
    assert _sweep(desk, now + timedelta(hours=1))
    assert _news(desk)[-1].startswith(":white_check_mark: *Maintenance completed*: Disk swap")


def test_a_bot_down_through_the_start_says_only_what_is_true_now(desk):
    _add("--start", START.isoformat(), "--end", (START + timedelta(hours=2)).isoformat(), "--title", "Upgrade")
    assert _sweep(desk, START + timedelta(minutes=30))
    assert _news(desk) == [
        ":hammer_and_wrench: *Maintenance started*: Upgrade, until Sun 06 Dec 2026 00:00 (Europe/Paris)."
    ]


def test_windows_in_the_desk_config_are_added_once(desk):
    window = Maintenance(START, START + timedelta(hours=1), "Network work", planned=True)
    configured = replace(desk.desk, maintenance=(window,))
    assert add_configured(desk.database, configured, START - timedelta(days=30)) == 1
    assert add_configured(desk.database, configured, START - timedelta(days=29)) == 0
    with desk.database.read() as session:
        (found,) = service_events.maintenance_since(session, START - timedelta(days=30))
    assert (found.title, found.planned) == ("Network work", True)


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (("--start", "2026-12-05T22:00", "--end", "2026-12-05T23:00+01:00", "--title", "x"), "has no UTC offset"),
        (
            ("--start", "2026-12-05T23:00+01:00", "--end", "2026-12-05T22:00+01:00", "--title", "x"),
            "--end must be after",
        ),
        (("--start", "2026-12-05T22:00+01:00", "--end", "2026-12-05T23:00+01:00", "--title", " "), "--title must say"),
    ],
)
def test_bad_windows_are_refused_in_one_line(desk, options, line):
    refused = _add(*options)
    assert refused.exit_code == 2
    assert line in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
