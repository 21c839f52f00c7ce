"""The intake's words match what is on file: end to end, signed events in, Slack messages out."""

from sla.durations import NextRelease
from slack_emulator import Workspace
from tests.bot.conversation import conversation_on, desk_config
from tests.bot.desk.conftest import card_of, complete_request, ticket_of


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


def test_the_card_says_none_for_files_when_the_requester_answered_none(conversation):
    complete_request(conversation)  # attachments answered "none"
    text = card_of(conversation).text
    assert "• Files: none\n" in text
    assert "Files: 0" not in text


def test_a_fix_due_at_the_next_release_is_shown_as_that_release_on_the_card(db, tmp_path):
    workspace = Workspace.example()
    for conversation in conversation_on(db, workspace, desk_config(workspace, tmp_path, policy="kissflow")):
        complete_request(conversation)
        policy, ticket = conversation.desk.policy, ticket_of(conversation)
        priority = next(
            p.name for p in policy.priorities
            if isinstance(policy.target(ticket.plan, "defect", p.name, "fix").duration, NextRelease)
        )  # fmt: skip
        conversation.slack.block_actions("bob", card_of(conversation), "card:triage", f"{ticket.id}|{priority}")
        conversation.settle()
        for form in conversation.emulator.workspace.views("bob"):  # the matrix suggested another priority
            conversation.slack.view_submission(form, {"text": "Only one module is affected"})
            conversation.settle()
        conversation.slack.block_actions("bob", card_of(conversation), "card:defect")
        conversation.settle()
        release = policy.releases.next_on_or_after(conversation.now).astimezone(policy.calendar.zone)
        shown = f"{release:%a %d %b %H:%M} ({policy.calendar.zone.key})"
        assert f"• Permanent fix due with the release of {shown}\n" in card_of(conversation).text
