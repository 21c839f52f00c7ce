"""A click is never queued behind slow work: `frontdesk run --http` takes what holds a trigger on a thread of its
own (docs/operations.md, "When Slack says later"), so a `/support` sent while every inbox thread waits on a slow
users.info opens its form within the trigger's 3 seconds (the emulator answers `expired_trigger_id` after them).
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from slack_emulator import SlackEmulator, SlackSide, Workspace
from storage.engine import Database
from tests.bot.bot_process import BotProcess
from tests.bot.process.test_recovery import held_rows

SLOW = 4.0  # seconds users.info takes once the burst starts: longer than a trigger lives


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example()) as running:
        yield running


def test_a_support_command_sent_while_every_thread_waits_on_slack_opens_its_form_in_time(
    emulator: SlackEmulator, db: Database, database_url: str, tmp_path: Path
) -> None:
    ws = emulator.workspace
    alice = ws.add_user("alice", real_name="Alice", email="alice@customer.example")
    with BotProcess.start(
        emulator, "run", "--http", "--host", "127.0.0.1", "--port", "0", database_url=database_url, folder=tmp_path
    ) as bot:
        assert bot.url is not None
        slack = SlackSide.over_http(emulator, bot.url)
        slack.dm(alice, "The dashboard is blank")  # her profile is looked up now, while Slack is quick
        emulator.wait_for_call("chat.postMessage", lambda call: call.params.get("channel") == ws.open_im(alice).id)
        emulator.set_latency("users.info", SLOW)
        requesters = [ws.add_user(f"requester{n}", real_name=f"Requester {n}") for n in range(16)]
        for n, requester in enumerate(requesters):  # more new requesters than the inbox worker has threads
            slack.dm(requester, f"Request {n}: it is down")
        ids = {requester.id for requester in requesters}
        looked_up = lambda params: params.get("user") in ids  # noqa: E731  (not the start-up checks' look-ups)
        emulator.wait_for_in_flight("users.info", count=8, where=looked_up, timeout=60)  # every inbox thread waits
        assert len(held_rows(db)) >= 8
        assert slack.slash_command("/support", alice, ws.open_im(alice)).acked
        opened = emulator.wait_for_call("views.open", timeout=10)
        emulator.set_latency("users.info", None)
        bot.stop()
    assert opened.ok, opened.response
