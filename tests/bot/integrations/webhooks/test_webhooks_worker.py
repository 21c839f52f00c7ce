"""`frontdesk worker` in a child process, configured as in production: a request written in Slack reaches a
webhook endpoint signed, with no test code between the inbox and the receiver (the start builds the webhook
Caller from the desk config and the environment, and the worker's HTTP sender is woken by what the inbox says)."""

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from slack_emulator import SlackEmulator, Workspace
from storage.engine import Database
from tests.bot.bot_process import BotProcess
from tests.bot.integrations.webhooks.receiver import PATH, receiving
from tests.bot.slack.conftest import receiving as slack_receiving

SECRET = "worker-endpoint-signing-secret-01"
PATIENCE = 60.0  # a bound for a failing test


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example()) as emulator:
        yield emulator
    assert emulator.internal_errors == []


def test_the_worker_sends_a_request_opened_in_slack_to_the_endpoint(
    emulator: SlackEmulator, db: Database, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPS_SECRET", SECRET)
    with receiving(SECRET.encode(), lambda: datetime.now(UTC)) as (receiver, server):
        hook = (f'[[webhooks]]\nname = "ops"\nurl = "{server.url}{PATH}"\nevents = ["request.opened"]\n'
                'secret_env = "OPS_SECRET"\n')  # fmt: skip
        with BotProcess.start(emulator, "worker", database_url=database_url, folder=tmp_path,
                              desk_extra=hook) as worker:  # fmt: skip
            with slack_receiving(emulator, db, clock=lambda: datetime.now(UTC)) as (_, slack, _):
                slack.dm("alice", "The dashboard is blank")
            server.wait_for(lambda received: len(received) >= 1, timeout=PATIENCE)
            worker.stop()
    assert receiver.refused == []
    (opened,) = receiver.events
    assert opened["type"] == "request.opened"
    assert opened["request"]["number"] == "SR-000001"
    assert server.received[0].headers["frontdesk-webhook-id"] == opened["id"]
