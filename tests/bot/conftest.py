"""Fixtures for the bot's tests: a whole Frontdesk conversation on loopback (tests/bot/conversation.py)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from slack_emulator import Workspace
from storage.engine import Database
from tests.bot.browser import browser  # noqa: F401  (fixture)
from tests.bot.conversation import Conversation, conversation_on, desk_config
from tests.bot.email.mail_conversation import mail_desk  # noqa: F401  (fixture)
from tests.bot.email.smtp_server import smtp_server  # noqa: F401  (fixture)


@pytest.fixture
def conversation(db: Database, tmp_path: Path) -> Iterator[Conversation]:
    workspace = Workspace.example()
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path))
