"""Questions with ready answers carry buttons; impact x urgency shows the suggested priority (the kiwi matrix)."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from slack_emulator import Workspace, pings
from storage import tickets
from storage.engine import Database
from tests.bot.conversation import Conversation, conversation_on, desk_config


@pytest.fixture
def kiwi(db: Database, tmp_path: Path) -> Iterator[Conversation]:
    workspace = Workspace.example()
    yield from conversation_on(db, workspace, desk_config(workspace, tmp_path, policy="kiwi"))


def _last_question(conversation, root):
    return [m for m in conversation.thread(root.channel, root.ts) if m.user == conversation.bot_user][-1]


def _buttons(message) -> list[str]:
    return [
        element["text"]["text"]
        for block in message.blocks or ()
        if block["type"] == "actions"
        for element in block["elements"]
    ]


def _press(conversation, root, action_id):
    question = _last_question(conversation, root)
    delivery = conversation.slack.block_actions("alice", question, action_id)
    conversation.settle()
    return question, delivery


def test_every_question_with_ready_answers_can_be_answered_with_a_button(kiwi):
    root = kiwi.slack.dm("alice", "The dashboard shows no data").message
    kiwi.settle()
    assert _buttons(_last_question(kiwi, root)) == ["Yes, that's right"]
    question, _ = _press(kiwi, root, "answer:yes")
    answered = kiwi.emulator.workspace.message(root.channel, question.ts)
    assert answered.text.endswith("*Your answer:* Yes, that's right")
    assert _buttons(answered) == []

    kiwi.slack.dm("alice", "today 9:00", thread_ts=root.ts)
    kiwi.settle()
    assert _buttons(_last_question(kiwi, root)) == ["Not applicable"]
    _press(kiwi, root, "answer:not applicable")
    assert _buttons(_last_question(kiwi, root)) == ["No files"]
    _press(kiwi, root, "answer:none")

    impact = _last_question(kiwi, root)
    assert impact.text.startswith("How many users are affected?")
    assert _buttons(impact) == [
        "All users, or a critical service",
        "Most users",
        "Several users or teams",
        "One or a few users",
    ]
    _press(kiwi, root, "answer:important")
    assert _last_question(kiwi, root).text.startswith("Can they keep working?")
    _press(kiwi, root, "answer:critical")
    status = kiwi.thread(root.channel, root.ts)[1]
    assert "• Impact: important; urgency: critical" in status.text
    assert "• Suggested priority: *P2*" in status.text

    assert _buttons(_last_question(kiwi, root)) == ["A question", "Something is broken", "A feature request"]
    _press(kiwi, root, "answer:incident")
    assert kiwi.bot_says(root.channel, root.ts)[-1].startswith("Thank you. Your request is *SR-000001*.")
    (card,) = kiwi.emulator.workspace.messages(kiwi.desk.agents_channel)
    assert "suggested priority *P2*" in card.text
    assert all(pings(message) == () for message in kiwi.thread(root.channel, root.ts))


def test_a_double_click_answers_once(kiwi):
    root = kiwi.slack.dm("alice", "Printing fails").message
    kiwi.settle()
    question = _last_question(kiwi, root)
    kiwi.slack.block_actions("alice", question, "answer:yes")
    kiwi.slack.block_actions("alice", question, "answer:yes")
    kiwi.settle()
    said = kiwi.bot_says(root.channel, root.ts)
    assert said.count(question.text) == 0  # the question now shows its answer
    assert [text for text in said if text.startswith("When did it happen?")] == [said[-1]]

    with kiwi.database.read() as session:
        ticket = tickets.find_ticket(session, sr_number=1)
    assert ticket.missing_fields[0] == "occurred_at"


def test_a_button_answers_only_its_own_question_while_it_is_missing(kiwi):
    root = kiwi.slack.dm("alice", "Sync is late").message
    kiwi.settle()
    contact = _last_question(kiwi, root)
    _press(kiwi, root, "answer:yes")
    kiwi.slack.dm("alice", "yesterday 10:00", thread_ts=root.ts)
    kiwi.settle()
    asked = len(kiwi.bot_says(root.channel, root.ts))
    # the contact question was answered: an old click on it (from another device) changes nothing
    kiwi.slack.block_actions("alice", contact, "answer:yes")
    kiwi.settle()
    assert len(kiwi.bot_says(root.channel, root.ts)) == asked


def test_a_question_answered_in_words_no_longer_offers_its_buttons(kiwi):
    root = kiwi.slack.dm("alice", "Uploads stall").message
    kiwi.settle()
    contact = _last_question(kiwi, root)
    assert _buttons(contact) == ["Yes, that's right"]
    kiwi.slack.dm("alice", "yes", thread_ts=root.ts)
    kiwi.settle()
    updated = kiwi.emulator.workspace.message(root.channel, contact.ts)
    assert _buttons(updated) == []
    assert updated.text == contact.text
