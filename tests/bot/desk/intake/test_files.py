"""Files shared with a request, end to end: downloaded with the bot token, kept, counted, or refused when too big."""

from dataclasses import replace

from slack_emulator import Upload, pings
from storage import messages, tickets
from storage.attachments import AttachmentStore

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
MB = 1024 * 1024


def _attachments(conversation, sr_number=1):
    with conversation.database.read() as session:
        ticket = tickets.find_ticket(session, sr_number=sr_number)
        return ticket, messages.attachments_of(session, ticket.id)


def _answer(conversation, root, *answers):
    for text in answers:
        conversation.slack.dm("alice", text, thread_ts=root.ts)
        conversation.settle()


def test_a_file_shared_with_the_first_message_is_kept_and_counts_as_the_attachments(conversation):
    root = conversation.slack.dm("alice", "The chart is blank", files=[Upload("chart.png", PNG)]).message
    conversation.settle()
    status = conversation.thread(root.channel, root.ts)[1]
    assert "• Files: 1 file(s)" in status.text

    _answer(conversation, root, "yes", "today 9am", "not applicable")
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("Is this a question, an incident")
    _answer(conversation, root, "incident")

    ticket, (attachment,) = _attachments(conversation)
    assert ticket.missing_fields == ()
    assert ticket.attachments_none is False
    assert (attachment.name, attachment.size, attachment.content_type) == ("chart.png", len(PNG), "image/png")
    store = AttachmentStore(conversation.desk.intake.attachments_folder)
    assert store.path_of(attachment.stored_path).read_bytes() == PNG
    (card,) = conversation.emulator.workspace.messages(conversation.desk.agents_channel)
    assert "• Files: 1" in card.text


def test_files_shared_in_the_thread_answer_the_attachments_question(conversation):
    root = conversation.slack.dm("alice", "Totals are wrong").message
    conversation.settle()
    _answer(conversation, root, "yes", "today 9am", "open the report")
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("Do you have screenshots or files?")

    files = [Upload("totals.png", PNG), Upload("export.csv", b"a,b\n1,2\n")]
    conversation.slack.dm("alice", "here they are", thread_ts=root.ts, files=files)
    conversation.settle()

    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("Is this a question, an incident")
    assert "• Files: 2 file(s)" in conversation.thread(root.channel, root.ts)[1].text
    _, attachments = _attachments(conversation)
    assert [(a.name, a.content_type) for a in attachments] == [
        ("totals.png", "image/png"),
        ("export.csv", "text/plain"),
    ]


def test_a_file_alone_in_the_thread_is_kept_and_the_question_asked_stays(conversation):
    root = conversation.slack.dm("alice", "Login loops").message
    conversation.settle()
    conversation.slack.dm("alice", "", thread_ts=root.ts, files=[Upload("loop.png", PNG)])
    conversation.settle()
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("Can we reach you at the email and phone")
    assert "• Files: 1 file(s)" in conversation.thread(root.channel, root.ts)[1].text
    _answer(conversation, root, "yes", "today 9am", "not applicable")
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("Is this a question, an incident")


def test_an_oversized_file_is_named_with_the_limit_and_the_conversation_goes_on(conversation):
    conversation.desk = replace(conversation.desk, intake=replace(conversation.desk.intake, max_attachment_bytes=MB))
    conversation.restart()
    root = conversation.slack.dm("alice", "Upload fails").message
    conversation.settle()
    _answer(conversation, root, "yes", "today 9am", "not applicable")

    files = [Upload("<!channel> dump.zip", b"x" * (MB + 1)), Upload("small.png", PNG)]
    conversation.slack.dm("alice", "the dump and a screenshot", thread_ts=root.ts, files=files)
    conversation.settle()

    said = conversation.bot_says(root.channel, root.ts)
    refusal = next(text for text in said if text.startswith("The file"))
    assert refusal.startswith('The file "&lt;!channel&gt; dump.zip" is larger than the limit of 1 MB')
    assert all(pings(m) == () for m in conversation.thread(root.channel, root.ts) if m.user == conversation.bot_user)
    assert said[-1].startswith("Is this a question, an incident")
    _, attachments = _attachments(conversation)
    assert [a.name for a in attachments] == ["small.png"]


def test_only_an_oversized_file_leaves_the_attachments_question_open(conversation):
    conversation.desk = replace(conversation.desk, intake=replace(conversation.desk.intake, max_attachment_bytes=MB))
    conversation.restart()
    root = conversation.slack.dm("alice", "Big logs", files=[Upload("huge.log", b"y" * (2 * MB))]).message
    conversation.settle()
    said = conversation.bot_says(root.channel, root.ts)
    assert any(text.startswith('The file "huge.log" is larger than the limit of 1 MB') for text in said)
    _answer(conversation, root, "yes", "today 9am", "not applicable")
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("Do you have screenshots or files?")
    _answer(conversation, root, "none")
    assert conversation.bot_says(root.channel, root.ts)[-1].startswith("Is this a question, an incident")
    ticket, attachments = _attachments(conversation)
    assert ticket.description == "Big logs"
    assert attachments == []


def test_a_file_shared_after_completion_is_kept_without_a_question(conversation):
    root = conversation.slack.dm("alice", "Graphs are empty").message
    conversation.settle()
    _answer(conversation, root, "yes", "today 9am", "not applicable", "none", "question")
    said = len(conversation.bot_says(root.channel, root.ts))
    _answer(conversation, root, "one more screenshot")
    conversation.slack.dm("alice", "", thread_ts=root.ts, files=[Upload("later.png", PNG)])
    conversation.settle()
    assert len(conversation.bot_says(root.channel, root.ts)) == said
    ticket, (attachment,) = _attachments(conversation)
    assert (ticket.sr_number, attachment.name) == (1, "later.png")


def test_files_in_a_thread_that_is_no_request_are_not_downloaded(conversation):
    ws = conversation.emulator.workspace
    support = ws.channel("support")
    root = ws.post_message(support, ws.user("bob"), text="Team lunch at noon")
    conversation.slack.user_says(support, "alice", "menu", thread_ts=root.ts, files=[Upload("menu.png", PNG)])
    conversation.settle()
    assert conversation.emulator.calls("files.info") == []
    assert conversation.bot_says(support.id, root.ts) == []
