"""A whole Frontdesk on loopback for conversation tests: emulator, receiver, inbox worker, delivery worker.

The clock is injected: each step processes at a fixed instant, and delivery is driven until the outbox is empty.
The `conversation` fixture (tests/bot/conftest.py) is one with the owkin desk of `desk_config`.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config.desk import DeskConfig, parse_desk_config
from bot.delivery.deliverer import Deliverer, delivery_client
from bot.process.inbox_worker import InboxWorker
from bot.slack.agent_forms import view_errors
from bot.slack.membership import WaitingAlert
from slack_emulator import Message, SlackEmulator, SlackSide, Workspace
from storage.engine import Database
from tests.bot.slack.conftest import receiving

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Paris


@dataclass
class Conversation:
    emulator: SlackEmulator
    database: Database
    desk: DeskConfig
    slack: SlackSide
    bot_user: str
    now: datetime = START
    worker: InboxWorker = field(init=False)

    def __post_init__(self) -> None:
        self.restart()

    def restart(self) -> None:
        """A new worker, as after a restart: everything it knows comes from the database."""
        self.worker = InboxWorker(self.database, self.desk, self.emulator.client(), bot_user=self.bot_user)

    def settle(self) -> None:
        """Process the inbox at `now`, then deliver everything, letting the per-channel pace go by."""
        self.worker.process_once(self.now)
        client = delivery_client(self.emulator.bot_token, self.emulator.base_url)
        alert = WaitingAlert(self.desk, self.bot_user)
        deliverer = Deliverer(self.database, client, lambda: self.now, on_parked=alert.parked)
        moment = self.now
        for _ in range(60):
            if not deliverer.deliver_once(moment) and deliverer.next_due is None:
                break
            moment += timedelta(seconds=2)
        self.now += timedelta(minutes=1)

    def thread(self, channel: str, ts: str) -> list[Message]:
        return self.emulator.workspace.messages(channel, thread_ts=ts)

    def bot_says(self, channel: str, ts: str) -> list[str]:
        return [m.text for m in self.thread(channel, ts) if m.user == self.bot_user]


def desk_config(workspace: Workspace, folder: Path, policy: str = "owkin", extra: str = "") -> DeskConfig:
    support, agents = workspace.channel("support").id, workspace.channel("support-agents").id
    bob, carol = workspace.user("bob").id, workspace.user("carol").id
    text = f"""
policy = "{policy}"
[slack]
intake_channel = "{support}"
agents_channel = "{agents}"
[agents]
users = ["{bob}", "{carol}"]
"""
    return parse_desk_config(text + extra, source="frontdesk.toml", folder=folder)


def conversation_on(db: Database, workspace: Workspace, desk: DeskConfig) -> Iterator[Conversation]:
    """A conversation with `desk`; the receiver checks forms at the conversation's clock."""
    current: list[Conversation] = []
    with (
        SlackEmulator(workspace) as emulator,
        receiving(
            emulator,
            db,
            clock=lambda: current[0].now if current else START,
            check_view=lambda body, now: view_errors(body, desk, now),
        ) as (_, slack, bot_user),
    ):
        current.append(Conversation(emulator, db, desk, slack, bot_user))
        yield current[0]
