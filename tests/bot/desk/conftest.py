"""A request taken to completion, ready for the agents: the conversation of tests/bot/desk/intake with its card."""

from dataclasses import dataclass

import pytest

from slack_emulator import Message
from storage import tickets
from tests.bot.conversation import Conversation

ANSWERS = ("yes", "today 9:00", "none", "none", "incident")


@dataclass(frozen=True)
class Request:
    """A completed request: its root message in the requester's DM, and its card in the agents channel."""

    root: Message
    card: Message


def complete_request(conversation: Conversation, text: str = "The export button does nothing") -> Request:
    """A request taken through the intake; with a matrix, the least impact and urgency (so the lowest priority)."""
    root = conversation.slack.dm("alice", text).message
    conversation.settle()
    matrix = conversation.desk.policy.matrix
    triage = (matrix.impacts[-1].name, matrix.urgencies[-1].name) if matrix else ()
    for answer in (*ANSWERS[:-1], *triage, ANSWERS[-1]):
        conversation.slack.dm("alice", answer, thread_ts=root.ts)
        conversation.settle()
    return Request(root, card_of(conversation))


def card_of(conversation: Conversation, index: int = -1) -> Message:
    return conversation.emulator.workspace.messages(conversation.desk.agents_channel)[index]


def ticket_of(conversation: Conversation, sr: int = 1) -> tickets.TicketRecord:
    with conversation.database.read() as session:
        found = tickets.find_ticket(session, sr_number=sr)
    assert found is not None
    return found


@pytest.fixture
def request_done(conversation: Conversation) -> Request:
    return complete_request(conversation)


def frontdesk(conversation: Conversation, text: str, user: str = "bob", channel: str = "support-agents") -> str:
    """`/frontdesk text` typed by `user` in `channel`, processed and delivered; what the person was answered."""
    where = conversation.emulator.workspace.channel(channel).id
    conversation.slack.slash_command("/frontdesk", user, where, text)
    conversation.settle()
    return [e.text for e in conversation.emulator.workspace.ephemerals(user=user)][-1]
