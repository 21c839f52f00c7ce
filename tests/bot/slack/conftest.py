"""A receiving Frontdesk on loopback: the emulator, a migrated SQLite file, the receiver served by waitress."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_bolt.authorization import AuthorizeResult

from bot.process.web import FrontdeskWsgi, WebServer
from bot.slack.installation import Installation
from bot.slack.receiver import build_receiver
from slack_emulator import SlackEmulator, SlackSide, Workspace
from storage import inbox
from storage.engine import Database
from storage.kinds import InboxState

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@dataclass
class Desk:
    emulator: SlackEmulator
    database: Database
    server: WebServer
    slack: SlackSide
    woken: list[int]

    def stored(self) -> list[inbox.InboxRecord]:
        """Every inbox row, oldest first."""
        with self.database.read() as session:
            return inbox.inbox_rows(session, limit=1000)

    def pending(self) -> int:
        with self.database.read() as session:
            return inbox.inbox_counts(session).get(InboxState.PENDING, 0)


@pytest.fixture
def backend() -> str:
    return "sqlite"


@contextmanager
def receiving(
    emulator: SlackEmulator,
    database: Database,
    on_stored: Callable[[], None] = lambda: None,
    *,
    clock: Callable[[], datetime] = lambda: NOW,
    check_view: Callable[[dict[str, Any], datetime], dict[str, str] | None] = lambda body, now: None,
) -> Iterator[tuple[WebServer, SlackSide, str]]:
    """The receiver for `emulator`'s workspace served on loopback: its server, Slack's side, the bot's user id."""
    client = emulator.client()
    auth = client.auth_test()
    identity = AuthorizeResult.from_auth_test_response(bot_token=emulator.bot_token, auth_test_response=auth)
    app = build_receiver(
        client=client,
        identity=identity,
        installation=Installation.from_auth_test(auth),
        database=database,
        clock=clock,
        on_stored=on_stored,
        check_view=check_view,
    )
    with WebServer(FrontdeskWsgi(app, healthy=lambda: True, signing_secret=emulator.signing_secret)) as server:
        yield server, SlackSide.over_http(emulator, f"{server.url}/slack/events"), str(auth["user_id"])


@pytest.fixture
def desk(db: Database) -> Iterator[Desk]:
    woken: list[int] = []
    with (
        SlackEmulator(Workspace.example()) as emulator,
        receiving(emulator, db, lambda: woken.append(1)) as (
            server,
            slack,
            _,
        ),
    ):
        yield Desk(emulator, db, server, slack, woken)
