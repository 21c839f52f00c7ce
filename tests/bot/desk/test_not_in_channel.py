"""Channels the bot is not in: what it says there waits (nothing dead), the agents are told once per channel, and
inviting the bot posts what waited, in order, once. When it is the agents channel, a log line and
`frontdesk status` say so."""

import logging

import pytest

from storage import outbox
from storage.kinds import OutboxState
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.conversation import Conversation
from tests.bot.desk.conftest import ANSWERS


def counts(conversation: Conversation) -> dict[OutboxState, int]:
    with conversation.database.read() as session:
        return outbox.outbox_counts(session)


def alerts(conversation: Conversation) -> list[str]:
    posts = conversation.emulator.workspace.messages(conversation.desk.agents_channel)
    return [message.text for message in posts if message.text.startswith(":warning: I cannot post in")]


def status(database_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    shown = run_frontdesk("status")
    return shown.exit_code, shown.stdout


def test_requests_in_a_channel_the_bot_was_removed_from_wait_for_it_and_are_posted_once_it_is_invited(
    conversation: Conversation, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws, support = conversation.emulator.workspace, conversation.desk.intake_channel
    roots = [conversation.slack.user_says(support, user, text).message for user, text in
             (("alice", "The export button does nothing"), ("carol", "Login fails since this morning"))]  # fmt: skip
    conversation.worker.process_once(conversation.now)  # the requests are opened, what the bot says is stored
    ws.remove(support, conversation.bot_user)  # and then someone removes the bot from the channel
    conversation.settle()
    assert [conversation.bot_says(support, root.ts) for root in roots] == [[], []]
    (alert,) = alerts(conversation)  # one alert for the channel, not one per message
    assert f"<#{support}>" in alert
    assert f"/invite` <@{conversation.bot_user}> in <#{support}>" in alert
    waiting = counts(conversation)
    assert (waiting[OutboxState.PARKED], waiting[OutboxState.DEAD]) == (2, 0)  # one per thread; the rest behind
    code, shown = status(database_url, monkeypatch)
    assert code == 1
    assert f"  {support}: 2 message(s) parked, waiting since " in shown
    assert "Dead letters: none\n" in shown

    conversation.slack.invite_bot(support, by="bob")
    conversation.settle()
    asked = ("Can we reach you at the contact details we have?", "I need a way to reach you")  # carol has no phone
    for root, question_start in zip(roots, asked, strict=True):
        status_message, question = conversation.thread(support, root.ts)[1:]  # in order, each once
        assert status_message.text.startswith("*Your request so far*")
        assert question.text.startswith(question_start)
    assert len(alerts(conversation)) == 1
    done = counts(conversation)
    assert (done[OutboxState.PARKED], done[OutboxState.PENDING], done[OutboxState.DEAD]) == (0, 0, 0)
    code, shown = status(database_url, monkeypatch)
    assert (code, "Channels the bot is not in: none\n" in shown) == (0, True)


def test_someone_else_joining_the_channel_releases_nothing(conversation: Conversation) -> None:
    ws, support = conversation.emulator.workspace, conversation.desk.intake_channel
    root = conversation.slack.user_says(support, "alice", "The export button does nothing").message
    conversation.worker.process_once(conversation.now)
    ws.remove(support, conversation.bot_user)
    conversation.settle()
    conversation.slack.event({"type": "member_joined_channel", "user": ws.user("dave").id, "channel": support})
    ws.invite(support, conversation.bot_user)  # the bot is back, but Slack's event for it never came
    conversation.settle()
    assert conversation.bot_says(support, root.ts) == []
    assert counts(conversation)[OutboxState.PARKED] == 1


def test_when_the_agents_channel_is_the_one_a_log_line_and_status_say_so_and_the_invitation_posts_the_card(
    conversation: Conversation, database_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    ws, agents = conversation.emulator.workspace, conversation.desk.agents_channel
    ws.remove(agents, conversation.bot_user)  # a private channel: Slack answers channel_not_found
    with caplog.at_level(logging.ERROR, logger="bot.slack.membership"):
        root = conversation.slack.dm("alice", "The export button does nothing").message
        conversation.settle()
        for answer in ANSWERS:  # the intake completed: its card is for the agents channel
            conversation.slack.dm("alice", answer, thread_ts=root.ts)
            conversation.settle()
    assert ws.messages(agents) == []
    (logged,) = [record.getMessage() for record in caplog.records if record.name == "bot.slack.membership"]
    assert f"the bot is not in the agents channel {agents}" in logged
    assert counts(conversation)[OutboxState.DEAD] == 0
    code, shown = status(database_url, monkeypatch)
    assert code == 1
    assert "Channels the bot is not in (1): type /invite @Frontdesk" in shown
    assert f"  {agents}: 1 message(s) parked" in shown

    conversation.slack.invite_bot(agents, by="bob")
    conversation.settle()
    (card,) = ws.messages(agents)
    assert card.text.startswith("*New request SR-000001*")
    assert status(database_url, monkeypatch)[0] == 0
