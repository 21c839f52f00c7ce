"""The intake's words match what is on file: end to end, signed events in, Slack messages out."""

from tests.bot.desk.conftest import card_of


def test_with_no_phone_on_file_only_the_phone_is_asked_for(conversation):
    root = conversation.slack.dm("dave", "The export button does nothing").message
    conversation.settle()
    status, question = conversation.thread(root.channel, root.ts)[1:]
    assert "• Contact: dave@frontdesk.example, no phone _(to confirm)_" in status.text
    assert question.text == (
        "What phone number can we reach you at? We will write to the email shown above (give another one if it is "
        "wrong)."
    )
    assert "email and phone shown above" not in question.text
    conversation.slack.dm("dave", "yes", thread_ts=root.ts)
    conversation.settle()
    assert conversation.bot_says(root.channel, root.ts)[-1] == (
        "I still need your phone number: please write it here.\n"
        "What phone number can we reach you at? We will write to the email shown above (give another one if it is "
        "wrong)."
    )
    conversation.slack.dm("dave", "+33 6 12 34 56 78", thread_ts=root.ts)
    conversation.settle()
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("When did it happen?")
    assert "• Contact: dave@frontdesk.example, +33612345678\n" in conversation.thread(root.channel, root.ts)[1].text


def test_with_both_on_file_yes_confirms_them(conversation):
    root = conversation.slack.dm("alice", "The export button does nothing").message
    conversation.settle()
    question = conversation.thread(root.channel, root.ts)[-1]
    assert question.text.startswith("Can we reach you at the email and phone shown above?")
    conversation.slack.dm("alice", "yes", thread_ts=root.ts)
    conversation.settle()
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("When did it happen?")
