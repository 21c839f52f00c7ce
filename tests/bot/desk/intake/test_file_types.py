"""File types, end to end: a program or script shared with a request is refused by name, a picture is kept."""

from dataclasses import replace

from slack_emulator import Upload, pings
from storage import messages, tickets

PNG = b"\x89PNG\r\n\x1a\n" + bytes(200)
PE = b"MZ\x90\x00" + bytes(60) + b"PE\x00\x00" + bytes(400)
ELF = b"\x7fELF\x02\x01\x01" + bytes(100)


def _attachments(conversation):
    with conversation.database.read() as session:
        ticket = tickets.find_ticket(session, sr_number=1)
        return messages.attachments_of(session, ticket.id)


def _kept_files(conversation):
    folder = conversation.desk.intake.attachments_folder
    return sorted(path.name for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


def test_a_windows_program_is_refused_by_name_and_the_request_goes_on(conversation):
    files = [Upload("setup <!channel>.exe", PE), Upload("chart.png", PNG)]
    root = conversation.slack.dm("alice", "The installer crashes", files=files).message
    conversation.settle()
    said = conversation.bot_says(root.channel, root.ts)
    refusal = next(text for text in said if text.startswith("I could not keep the file"))
    assert refusal == (
        'I could not keep the file "setup &lt;!channel&gt;.exe": its content is a Windows program '
        "(application/x-msdownload), and this support desk does not accept that type of file. Please share a "
        "screenshot, a log or a description instead; everything else you sent is kept."
    )
    assert all(pings(m) == () for m in conversation.thread(root.channel, root.ts) if m.user == conversation.bot_user)
    status = next(text for text in said if text.startswith("*Your request so far*"))
    assert "• Files: 1 file(s)" in status
    assert said[-1].startswith("Can we reach you at the email and phone")
    (kept,) = _attachments(conversation)
    assert (kept.name, kept.content_type) == ("chart.png", "image/png")
    assert _kept_files(conversation) == [kept.sha256]


def test_a_linux_program_shared_as_the_attachments_answer_is_refused_and_asked_again(conversation):
    root = conversation.slack.dm("alice", "The agent dies").message
    conversation.settle()
    for answer in ("yes", "today 9am", "run it"):
        conversation.slack.dm("alice", answer, thread_ts=root.ts)
        conversation.settle()
    conversation.slack.dm("alice", "", thread_ts=root.ts, files=[Upload("agent", ELF)])
    conversation.settle()
    said = conversation.bot_says(root.channel, root.ts)
    assert said[-2].startswith('I could not keep the file "agent": its content is a Linux program')
    assert said[-1].startswith("Do you have screenshots or files?")
    assert _attachments(conversation) == []
    assert _kept_files(conversation) == []


def test_with_no_blocked_types_a_program_is_kept(conversation):
    conversation.desk = replace(conversation.desk, intake=replace(conversation.desk.intake, blocked_types=()))
    conversation.restart()
    root = conversation.slack.dm("alice", "Here is the tool", files=[Upload("tool.exe", PE)]).message
    conversation.settle()
    assert not any(text.startswith("I could not keep") for text in conversation.bot_says(root.channel, root.ts))
    (kept,) = _attachments(conversation)
    assert kept.content_type == "application/x-msdownload"
