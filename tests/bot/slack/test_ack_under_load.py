"""Acknowledgement under load: the whole Frontdesk (receiver, inbox worker, delivery worker) on loopback.

Slack gives 3 seconds. Bolt's own listeners run on 5 threads, so 5 slow handlers starve a slash command's ack
(docs/architecture.md, "Bolt facts"); Frontdesk's receiver only stores and acks, and the slow Web API calls happen
in its workers.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bot.process.app import Frontdesk
from bot.process.web import WebServer
from slack_emulator import SlackEmulator, SlackSide, Slow, Workspace
from storage import inbox
from storage.engine import Database
from tests.bot.conversation import desk_config

REQUESTERS = ("alice", "dave")


@contextmanager
def running(emulator: SlackEmulator, database: Database, folder: Path) -> Iterator[SlackSide]:
    """Frontdesk with its worker threads, served by waitress; Slack's side of it over HTTP."""
    app = Frontdesk(
        desk=desk_config(emulator.workspace, folder),
        database=database,
        token=emulator.bot_token,
        api_url=emulator.base_url,
        signing_secret=emulator.signing_secret,
    ).start()
    try:
        with WebServer(app.wsgi()) as server:
            yield SlackSide.over_http(emulator, f"{server.url}/slack/events")
    finally:
        emulator.clear_faults()  # the work in hand finishes quickly, then the workers stop
        app.stop()


def stored_keys(database: Database) -> list[str]:
    with database.read() as session:
        return [row.key for row in inbox.inbox_rows(session, limit=1000)]


def test_a_slash_command_is_acked_at_once_while_20_slow_web_api_calls_keep_the_workers_busy(db, tmp_path):
    with SlackEmulator(Workspace.example()) as emulator, running(emulator, db, tmp_path) as slack:
        emulator.fail("chat.postMessage", Slow(2.0), times=None)
        emulator.fail("users.info", Slow(1.0), times=None)
        for number in range(20):
            said = slack.dm(REQUESTERS[number % len(REQUESTERS)], f"Request number {number}: the page is blank")
            assert [d.status for d in said.deliveries] == [200]
        emulator.wait_for_call("chat.postMessage", timeout=15)  # the workers are in the slow calls now
        command = slack.slash_command("/support", "carol", "support", "the export is stuck")
        assert command.status == 200
        assert command.elapsed < 1.0, command.elapsed
        assert len(emulator.calls("chat.postMessage")) < 20  # still busy when the command was acked
        keys = stored_keys(db)
        assert sum(key.startswith("command:") for key in keys) == 1
        assert sum(key.startswith("message:") for key in keys) == 20


def test_50_events_sent_at_once_from_8_threads_are_all_acked_and_stored_once(db, tmp_path):
    with SlackEmulator(Workspace.example()) as emulator, running(emulator, db, tmp_path) as slack:
        people = ("alice", "bob", "carol", "dave")

        def send(number: int) -> tuple[str, list[int | None]]:
            said = slack.dm(people[number % len(people)], f"Event number {number}")
            return f"message:{said.message.channel}:{said.message.ts}", [d.status for d in said.deliveries]

        with ThreadPoolExecutor(max_workers=8) as pool:
            sent = list(pool.map(send, range(50)))
        assert all(statuses == [200] for _, statuses in sent)
        keys = stored_keys(db)
        assert sorted(keys) == sorted(key for key, _ in sent)
        assert len(set(keys)) == 50
