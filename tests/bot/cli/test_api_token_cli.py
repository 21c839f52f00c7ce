"""`frontdesk api-token create|list|revoke` (bot/cli/api_token.py): the token is printed once and works against a
running `frontdesk run --http`; the list never shows a token; revoking refuses it on the next request; bad names
and unknown ones exit 2 with one line."""

import http.client
import json
import re
from pathlib import Path

import pytest

from slack_emulator import SlackEmulator, Workspace
from tests.bot.bot_process import BotProcess
from tests.bot.cli.conftest import run_frontdesk

TOKEN = re.compile(r"^fd_[A-Za-z0-9_-]{43}$", re.MULTILINE)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def database(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    return database_url


def _get(base: str, path: str, token: str) -> tuple[int, dict]:
    port = base.rsplit(":", 1)[1]
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def test_a_token_made_by_the_cli_reads_from_a_running_bot_until_revoked(database: str, tmp_path: Path) -> None:
    created = run_frontdesk("api-token", "create", "dashboard")
    assert created.exit_code == 0, created.stderr
    (token,) = TOKEN.findall(created.stdout)
    assert created.stdout.splitlines()[0] == (
        'Token "dashboard" created. It is shown this once and kept only as a hash: store it now.'
    )
    listed = run_frontdesk("api-token", "list")
    assert listed.stdout.startswith("dashboard  created ")
    assert "never used  active" in listed.stdout
    assert token not in listed.stdout
    with (
        SlackEmulator(Workspace.example()) as emulator,
        BotProcess.start(
            emulator, "run", "--http", "--host", "127.0.0.1", "--port", "0", database_url=database, folder=tmp_path
        ) as bot,  # fmt: skip
    ):
        assert bot.url is not None
        base = bot.url.removesuffix("/slack/events")
        assert _get(base, "/api/v1/requests", token) == (200, {"requests": [], "next_cursor": None})
        revoked = run_frontdesk("api-token", "revoke", "dashboard")
        assert revoked.stdout == 'Token "dashboard" revoked: requests presenting it are refused from now on.\n'
        status, body = _get(base, "/api/v1/requests", token)
        assert (status, body["error"]) == (401, "invalid_token")
        bot.stop()
    assert "last used " in run_frontdesk("api-token", "list").stdout
    assert token not in "".join(bot.said)


@pytest.mark.usefixtures("database")
def test_bad_taken_and_unknown_names_exit_2_with_one_line() -> None:
    assert run_frontdesk("api-token", "list").stdout == 'No API tokens. "frontdesk api-token create NAME" makes one.\n'
    assert run_frontdesk("api-token", "create", "dashboard").exit_code == 0
    taken = run_frontdesk("api-token", "create", "dashboard")
    assert (taken.exit_code, taken.stdout) == (2, "")
    assert taken.stderr == "frontdesk: a token named 'dashboard' exists already (revoked tokens keep their names)\n"
    bad = run_frontdesk("api-token", "create", "my token")
    assert bad.stderr == "frontdesk: 'my token' is not a token name: 1 to 64 letters, digits, '.', '_' or '-'\n"
    unknown = run_frontdesk("api-token", "revoke", "nobody")
    assert (unknown.exit_code, unknown.stderr) == (2, "frontdesk: no token named 'nobody'\n")
    assert run_frontdesk("api-token", "revoke", "dashboard").exit_code == 0
    again = run_frontdesk("api-token", "revoke", "dashboard")
    assert again.stdout.startswith('Token "dashboard" was already revoked, at ')
