"""The read API served as `frontdesk run --http` serves it: the app's own WSGI (bot.process.app.Frontdesk.wsgi) on
waitress over loopback, against the Slack emulator, with the conversation's clock; requests made through Slack.

`api` is the conversation's desk behind the server; `Served.get` sends a request with http.client and returns
what came back; `Served.token(name)` makes a token as `frontdesk api-token create` does and returns its text.
"""

import http.client
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest

from bot.actor import CLI_ACTOR
from bot.api.tokens import new_token, token_hash
from bot.process.app import Frontdesk
from bot.process.web import WebServer
from storage import api_tokens
from tests.bot.conversation import Conversation


@pytest.fixture
def backend() -> str:
    return "sqlite"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Served:
    conversation: Conversation
    server: WebServer

    def get(self, path: str, token: str | None = None, *, method: str = "GET",
            headers: dict[str, str] | None = None) -> Reply:  # fmt: skip
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        try:
            connection.request(method, path, headers=sent)
            answer = connection.getresponse()
            return Reply(answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read())
        finally:
            connection.close()

    def token(self, name: str = "dashboard") -> str:
        token = new_token()
        with self.conversation.database.write() as session:
            api_tokens.create_token(session, name=name, token_hash=token_hash(token), actor=CLI_ACTOR,
                                    now=self.conversation.now)  # fmt: skip
        return token


@pytest.fixture
def api(conversation: Conversation) -> Iterator[Served]:
    with serving(conversation) as served:
        yield served


@contextmanager
def serving(conversation: Conversation) -> Iterator[Served]:
    """The conversation's desk served by the app's own WSGI on loopback, at the conversation's clock."""
    emulator = conversation.emulator
    app = Frontdesk(desk=conversation.desk, database=conversation.database, token=emulator.bot_token,
                    api_url=emulator.base_url, signing_secret=emulator.signing_secret,
                    clock=lambda: conversation.now)  # fmt: skip
    try:
        with WebServer(app.wsgi()) as server:
            yield Served(conversation, server)
    finally:
        app.worker.close()
        app.deliverer.close()
