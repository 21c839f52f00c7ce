"""`frontdesk run` and `worker` at start: Slack or the database unreachable is one line and a retry until it answers
(never a traceback), the configuration's problems are listed together, the doctor's other checks are logged."""

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from slack_emulator import ServerError, SlackEmulator, Workspace
from tests.bot.cli.conftest import run_frontdesk
from tests.storage.postgres import PostgresServer


def desk_file(folder: Path, ws: Workspace, *, intake: str = "support", more: str = "") -> Path:
    path = folder / "frontdesk.toml"
    path.write_text(
        f'policy = "kiwi"\n[slack]\nintake_channel = "{ws.channel(intake).id}"\n'
        f'agents_channel = "{ws.channel("support-agents").id}"\n[agents]\nusers = ["{ws.user("bob").id}"]\n{more}'
    )
    return path


def environment(emulator: SlackEmulator, config: Path, database_url: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith(("SLACK_", "FRONTDESK_"))}
    return env | {"SLACK_BOT_TOKEN": emulator.bot_token, "SLACK_API_URL": emulator.base_url,
                  "SLACK_SIGNING_SECRET": emulator.signing_secret, "FRONTDESK_CONFIG": str(config),
                  "FRONTDESK_DATABASE_URL": database_url}  # fmt: skip


def started(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    script = Path(sys.executable).with_name("frontdesk")
    return subprocess.Popen([str(script), *args], env=env, stderr=subprocess.PIPE, text=True)


def lines_until(process: subprocess.Popen[str], last: str) -> list[str]:
    """What the process wrote on stderr up to the line that starts with `last` (the process ended first: fails)."""
    assert process.stderr is not None
    seen: list[str] = []
    for text in process.stderr:
        seen.append(text.rstrip("\n"))
        if last in text:
            return seen
    raise AssertionError(f"the process ended (exit {process.wait()}) before {last!r}:\n" + "\n".join(seen))


def stopped(process: subprocess.Popen[str]) -> None:
    """SIGTERM, then the process must end well (within a minute, however loaded the machine) and say no traceback."""
    assert process.stderr is not None
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=60) == 0
        assert "Traceback" not in process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example()) as running:
        yield running


def test_slack_down_then_up_is_a_line_a_retry_and_then_a_start(emulator: SlackEmulator, tmp_path: Path) -> None:
    emulator.fail("auth.test", ServerError(503, "service_unavailable"), times=2)
    config = desk_file(tmp_path, emulator.workspace, intake="general")
    process = started(environment(emulator, config, f"sqlite:///{tmp_path / 'frontdesk.db'}"), "run", "--http",
                      "--host", "127.0.0.1", "--port", "0")  # fmt: skip
    try:
        lines = lines_until(process, "checks: 1 warning above")  # logged once the bot serves, from their own thread
    finally:
        stopped(process)
    unreachable = f"Slack cannot be reached at {emulator.base_url} (HTTP 503)"
    general = emulator.workspace.channel("general").id
    expected = [
        f"{unreachable}; trying again in 1 s",
        f"{unreachable}; trying again in 2 s",
        f"invite @Frontdesk to #general (slack.intake_channel {general}): type /invite @Frontdesk in the channel",
        "checks: 1 warning above; Frontdesk runs, and waits for what it cannot do yet",
    ]
    said = [next((text for text in lines if text.endswith(line)), None) for line in expected]
    assert None not in said, "\n".join(lines)
    assert [lines.index(text) for text in said] == sorted(lines.index(text) for text in said)
    assert not any("Traceback" in text for text in lines)


@pytest.mark.postgres
def test_a_database_that_answers_late_is_waited_for(
    emulator: SlackEmulator, tmp_path: Path, postgres_server: PostgresServer
) -> None:
    name = f"late_{os.getpid()}"
    config = desk_file(tmp_path, emulator.workspace)
    process = started(environment(emulator, config, postgres_server.url(name)), "worker")
    try:
        first = lines_until(process, "trying again in 1 s")[-1]
        assert "cannot use the database" in first
        assert f"/{name}" in first
        postgres_server.create_database(name)
        lines = lines_until(process, "worker running")
    finally:
        stopped(process)
        postgres_server.drop_database(name)
    assert lines[-1] == "frontdesk: worker running (inbox, delivery, sweeps)"
    assert not any("Traceback" in text for text in lines)


def test_the_configurations_problems_are_listed_together(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = Workspace.example()
    email = '[email]\naddress = "support@desk.example"\nauthserv_id = "mx.desk.example"\n'
    config = desk_file(tmp_path, ws, more=email)
    for name in [name for name in os.environ if name.startswith(("SLACK_", "FRONTDESK_"))]:
        monkeypatch.delenv(name)
    settings = {"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_SIGNING_SECRET": "secret", "FRONTDESK_CONFIG": str(config),
                "FRONTDESK_DATABASE_URL": "mysql://desk@db/frontdesk"}  # fmt: skip
    for name, value in settings.items():
        monkeypatch.setenv(name, value)

    outcome = run_frontdesk("run", "--http")

    assert outcome.exit_code == 2
    assert outcome.stderr.splitlines() == [
        "frontdesk: FRONTDESK_DATABASE_URL names an unsupported database 'mysql'; use sqlite:///FILE or postgresql://...",
        "frontdesk: [email] address is support@desk.example but FRONTDESK_SMTP_HOST is not set: no email would be sent,"
        " the requesters' answers would wait in the outbox (set FRONTDESK_SMTP_HOST, or remove [email] address)",
    ]


def test_a_sqlite_file_that_cannot_be_opened_stops_the_start_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = desk_file(tmp_path, Workspace.example())
    for name in [name for name in os.environ if name.startswith(("SLACK_", "FRONTDESK_"))]:
        monkeypatch.delenv(name)
    missing = tmp_path / "no-such-folder" / "frontdesk.db"
    settings = {"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_SIGNING_SECRET": "secret", "FRONTDESK_CONFIG": str(config),
                "FRONTDESK_DATABASE_URL": f"sqlite:///{missing}"}  # fmt: skip
    for name, value in settings.items():
        monkeypatch.setenv(name, value)

    outcome = run_frontdesk("run", "--http")

    assert outcome.exit_code == 2
    [line] = outcome.stderr.splitlines()
    assert line.startswith(f"frontdesk: cannot use the database sqlite:///{missing}: unable to open database file")


def test_a_refused_app_level_token_stops_a_socket_mode_start_in_one_line(
    emulator: SlackEmulator, tmp_path: Path
) -> None:
    env = environment(emulator, desk_file(tmp_path, emulator.workspace), f"sqlite:///{tmp_path / 'frontdesk.db'}")
    env = {name: value for name, value in env.items() if name != "SLACK_SIGNING_SECRET"}
    process = started(env | {"SLACK_APP_TOKEN": "xapp-1-A00000001-revoked"}, "run")
    assert process.wait(timeout=30) == 2
    assert process.stderr is not None
    said = process.stderr.read().splitlines()
    process.stderr.close()
    assert said[-1] == (
        "frontdesk: Slack refused the app-level token (invalid_auth): check SLACK_APP_TOKEN (Basic Information >"
        " App-Level Tokens, with the connections:write scope)"
    )
    assert not any("Traceback" in text for text in said)
