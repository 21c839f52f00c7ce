"""What the trackers' end-to-end tests share: the conversation's clock, handed to a stand-in before it runs."""

from datetime import datetime

import pytest

from tests.bot.conversation import Conversation


class Clock:
    """The conversation's instant, shared with the stand-in once the conversation runs."""

    def __init__(self) -> None:
        self.conversation: Conversation | None = None

    def __call__(self) -> datetime:
        assert self.conversation is not None
        return self.conversation.now


@pytest.fixture
def clock() -> Clock:
    return Clock()
