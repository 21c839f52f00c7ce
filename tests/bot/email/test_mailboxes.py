"""The desk's mailboxes inside the running Frontdesk: a message put in a real Dovecot folder becomes a request with
a thread in the intake channel and a question by email, and is marked in the folder; a second mailbox that
cannot be reached stops nothing."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlmodel import select

from bot.config.mail_servers import MailboxSettings
from bot.email.imap_poller import KEYWORD
from bot.process.app import Frontdesk
from slack_emulator import SlackEmulator, Workspace
from storage.engine import Database
from storage.tables.mail import EmailRecord
from tests.bot.conversation import desk_config
from tests.bot.email.dovecot import Dovecot
from tests.bot.email.mail_conversation import ANNA, EMAIL_DESK, email
from tests.bot.email.smtp_server import SmtpServer
from tests.storage.postgres import free_port

WAIT = 30.0  # seconds; the mailbox's first look happens at start, nothing waits for poll_seconds


def mailbox_table(name: str, mailbox: MailboxSettings, port: int) -> str:
    return f"""
[[email.mailboxes]]
name = "{name}"
host = "{mailbox.host}"
port = {port}
user = "{mailbox.user}"
password_env = "TEST_IMAP_PASSWORD"
folder = "{mailbox.folder}"
tls = "none"
poll_seconds = 30
"""


@contextmanager
def running(
    emulator: SlackEmulator, database: Database, folder: Path, smtp: SmtpServer, extra: str
) -> Iterator[Frontdesk]:
    app = Frontdesk(
        desk=desk_config(emulator.workspace, folder, extra=EMAIL_DESK + extra),
        database=database,
        token=emulator.bot_token,
        api_url=emulator.base_url,
        signing_secret=emulator.signing_secret,
        smtp=smtp.settings,
    ).start()
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture
def backend() -> str:
    return "sqlite"


def test_an_email_in_the_mailbox_becomes_a_request_while_an_unreachable_mailbox_waits(
    db: Database,
    tmp_path: Path,
    dovecot: Dovecot,
    imap_mailbox: MailboxSettings,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_IMAP_PASSWORD", dovecot.password)
    monkeypatch.setenv("FRONTDESK_IMAP_ALLOW_CLEARTEXT_LOGIN", "1")  # the suite's Dovecot, on loopback
    with dovecot.client() as client:
        client.append(imap_mailbox.folder, email(subject="Export button does nothing"))
    mailboxes = mailbox_table("down", imap_mailbox, free_port()) + mailbox_table(
        "support", imap_mailbox, imap_mailbox.port
    )
    workspace = Workspace.example()
    with SlackEmulator(workspace) as emulator, running(emulator, db, tmp_path, smtp_server, mailboxes):
        intake = workspace.channel("support").id
        posted = emulator.wait_for_call(
            "chat.postMessage", lambda call: call.params.get("channel") == intake, timeout=WAIT
        )
        [question] = smtp_server.mailroom.wait_for(1, timeout=WAIT)
    assert "Export button does nothing" in str(posted.params.get("text"))
    assert "Anna Smith (at customer.example)" in str(posted.params.get("text"))  # the address only on the card
    assert question.recipients == [ANNA]
    assert question.message["Subject"].startswith("[SR-")
    with db.read() as session:
        [received] = session.exec(select(EmailRecord).where(EmailRecord.direction == "in")).all()
        assert (received.mailbox, received.sender, received.outcome) == ("support", ANNA, "request")
    with dovecot.client() as client:
        client.select_folder(imap_mailbox.folder)
        [flags] = client.get_flags(client.search("ALL")).values()
    assert KEYWORD.encode() in flags
