"""The intake's conversation tests run on SQLite (the storage tests cover PostgreSQL)."""

import pytest

from tests.bot.conversation import Conversation, conversation_on, desk_config  # noqa: F401 (imported from here)


@pytest.fixture
def backend() -> str:
    return "sqlite"
