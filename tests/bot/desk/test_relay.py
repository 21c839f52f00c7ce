"""What the requester sends after intake reaches the agents' thread of the card, files included."""

from slack_emulator import Upload
from tests.bot.desk.conftest import ANSWERS, card_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _card_thread(conversation):
    card = card_of(conversation)
    return conversation.thread(conversation.desk.agents_channel, card.ts)[1:]


def test_files_from_the_intake_are_shared_in_the_cards_thread(conversation):
    root = conversation.slack.dm("alice", "The chart is empty").message
    conversation.settle()
    for answer in ANSWERS[:3]:
        conversation.slack.dm("alice", answer, thread_ts=root.ts)
        conversation.settle()
    conversation.slack.dm("alice", "", thread_ts=root.ts, files=[Upload("chart.png", PNG, "image/png")])
    conversation.settle()
    conversation.slack.dm("alice", "incident", thread_ts=root.ts)
    conversation.settle()
    (shared,) = _card_thread(conversation)
    (file_id,) = shared.files
    assert conversation.emulator.workspace.file(file_id).name == "chart.png"
    assert conversation.emulator.workspace.file(file_id).content == PNG


def test_a_requester_message_with_a_file_is_relayed_with_it(conversation, request_done):
    upload = Upload("trace.png", PNG, "image/png")
    conversation.slack.dm("alice", "It fails here too", thread_ts=request_done.root.ts, files=[upload])
    conversation.settle()
    relayed, shared = _card_thread(conversation)
    assert relayed.text == "*Alice Martin* (requester) wrote:\n> It fails here too"
    assert [conversation.emulator.workspace.file(f).name for f in shared.files] == ["trace.png"]
