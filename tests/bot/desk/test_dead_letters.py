"""Dead letters alert the agents channel once each, and never about an alert of their own."""

from datetime import timedelta

from bot.process.schedule import sweep_dead_letters
from slack_emulator import Fails
from storage import dead_letters, outbox
from tests.bot.desk.conftest import card_of, complete_request


def test_a_message_that_cannot_be_delivered_is_told_to_the_agents_once(conversation):
    conversation.emulator.fail("chat.postMessage", Fails("is_archived"), times=1)
    complete_request(conversation)  # the first thing the bot says is refused for good
    assert sweep_dead_letters(conversation.database, conversation.desk, conversation.now)
    assert not sweep_dead_letters(conversation.database, conversation.desk, conversation.now + timedelta(minutes=1))
    conversation.settle()
    alerts = [m.text for m in conversation.emulator.workspace.messages(conversation.desk.agents_channel)
              if m.text.startswith(":warning:")]  # fmt: skip
    assert len(alerts) == 1
    # the status message was refused, and the messages of its thread with it: all in one alert
    assert alerts[0].startswith(":warning: 6 message(s) could not be delivered after retrying")
    assert "• to " in alerts[0]
    assert "is_archived" in alerts[0]


def test_a_form_that_opened_too_late_is_not_alerted(conversation, request_done):
    conversation.emulator.fail("views.open", Fails("expired_trigger_id"), times=1)
    conversation.slack.block_actions("bob", card_of(conversation), "card:reply")
    conversation.settle()
    assert not sweep_dead_letters(conversation.database, conversation.desk, conversation.now)


def test_a_dead_letter_retried_by_hand_that_dies_again_is_told_to_the_agents_again(conversation):
    conversation.emulator.fail("chat.postMessage", Fails("is_archived"), times=1)
    complete_request(conversation)
    assert sweep_dead_letters(conversation.database, conversation.desk, conversation.now)
    conversation.settle()  # the first alert is posted
    with conversation.database.write() as session:
        (first,) = [d for d in outbox.dead_letters(session) if d.last_error == "is_archived"]
        dead_letters.retry(session, first.id, actor="U0ADMIN", now=conversation.now)
    conversation.emulator.fail("chat.postMessage", Fails("is_archived"), times=1)
    conversation.settle()
    assert sweep_dead_letters(conversation.database, conversation.desk, conversation.now)
    conversation.settle()
    alerts = [m.text for m in conversation.emulator.workspace.messages(conversation.desk.agents_channel)
              if m.text.startswith(":warning:")]  # fmt: skip
    assert len(alerts) == 2
    assert alerts[1].startswith(":warning: 1 message(s) could not be delivered after retrying")
