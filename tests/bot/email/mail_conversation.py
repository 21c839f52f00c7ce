"""Frontdesk on loopback with email: the Slack conversation harness, the ingest path and a real SMTP server.

`receive(raw)` stores a raw message as a mailbox would (bot.email.ingest), then lets the bot process it and
deliver everything: Slack through the emulator, email through SMTP to the test server (`sent`). `email(...)`
builds a realistic message as our mail server (OUR_SERVER) hands it on, its own Authentication-Results on top
(dmarc=pass for the sender's domain unless `verdict` says otherwise; None: no verdict at all); `reply_to(sent)`
answers one of ours the way a mail client does.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from itertools import count
from pathlib import Path

import pytest

from bot.email.ingest import RawMail, mail_store, store_mail
from bot.email.sender import EmailDeliverer
from slack_emulator import Message, Workspace
from storage import mail
from storage.engine import Database
from storage.mail import EmailEntry
from tests.bot.conversation import START, Conversation, conversation_on, desk_config
from tests.bot.email.smtp_server import Received, SmtpServer

EMAIL_DESK = """
[email]
address = "support@desk.example"
name = "Acme Support"
rate_per_hour = 10
authserv_id = "mx.desk.example"
notify = ["confirmation", "questions", "replies", "resolution", "satisfaction", "outages", "maintenance", "updates"]

[[customers]]
name = "Customer Inc"
plan = "kpro"
email_domains = ["customer.example"]
"""
ANNA = "anna@customer.example"
OUR_SERVER = "mx.desk.example"
PASSED = "dmarc=pass (p=reject) header.from={domain}"
_ids = count(1)


def email(
    sender: str = ANNA,
    subject: str = "Login fails",
    body: str = "I cannot log in since this morning.\n",
    *,
    name: str = "Anna Smith",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
    files: tuple[tuple[str, bytes, str], ...] = (),
    verdict: str | None = PASSED,
) -> bytes:
    """A message as a mail client sends it (From, To, Subject, Date, Message-ID, threading headers, files), with
    our server's verdict on top: `verdict` (its "{domain}" is the sender's), or none."""
    message = EmailMessage()
    if verdict is not None:
        message["Authentication-Results"] = f"{OUR_SERVER}; " + verdict.format(domain=sender.rpartition("@")[2])
    message["From"] = formataddr((name, sender))
    message["To"] = "support@desk.example"
    message["Subject"] = subject
    message["Date"] = format_datetime(START - timedelta(minutes=5))
    message["Message-ID"] = message_id or f"<m{next(_ids)}@customer.example>"
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = " ".join((*references, in_reply_to))
    for name_, value in (headers or {}).items():
        message[name_] = value
    message.set_content(body)
    for filename, content, kind in files:
        maintype, subtype = kind.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


@dataclass
class MailConversation:
    conversation: Conversation
    smtp: SmtpServer
    seen: int = field(default=0)

    @property
    def database(self) -> Database:
        return self.conversation.database

    def receive(
        self, raw: bytes, *, mailbox: str = "support", size: int | None = None, truncated: bool = False
    ) -> bool:
        """A message arrives in `mailbox`; the bot takes it and says what it says. Whether it was new."""
        store = mail_store(self.conversation.desk.intake.attachments_folder)
        new = store_mail(
            self.database, store, RawMail(mailbox, raw, size or len(raw), truncated), self.conversation.now
        )
        self.settle()
        return new

    def settle(self) -> None:
        """Process and deliver: Slack, then email."""
        self.conversation.settle()
        desk = self.conversation.desk
        sender = EmailDeliverer(self.database, self.smtp.settings, desk.email, lambda: self.conversation.now)
        while sender.deliver_once(self.conversation.now):
            pass

    def sent(self) -> list[Received]:
        return list(self.smtp.mailroom.received)

    def new_emails(self) -> list[Received]:
        """What was sent since the last call."""
        fresh = self.sent()[self.seen :]
        self.seen += len(fresh)
        return fresh

    def records(self, ticket_id: int) -> list[EmailEntry]:
        with self.database.read() as session:
            return mail.emails_of(session, ticket_id)

    def held(self) -> list[EmailEntry]:
        with self.database.read() as session:
            return mail.held_emails(session)

    def intake_threads(self) -> list[Message]:
        return self.conversation.emulator.workspace.messages(self.conversation.desk.intake_channel)

    def agents_posts(self) -> list[Message]:
        return self.conversation.emulator.workspace.messages(self.conversation.desk.agents_channel)


def reply_to(sent: Received, body: str, *, sender: str = ANNA, subject: str | None = None, **extra: object) -> bytes:
    """An answer to one of our emails, as a mail client writes it (Re: subject, In-Reply-To, References, quote)."""
    message = sent.message
    quoted = "\n".join("> " + line for line in str(message.get_body(("plain",)).get_content()).splitlines())
    text = f"{body}\n\nOn Tue, 24 Nov 2026 at 10:00, Acme Support <support@desk.example> wrote:\n{quoted}\n"
    references = tuple(str(message.get("References") or "").split())
    return email(
        sender, subject if subject is not None else f"Re: {message['Subject']}", text,
        in_reply_to=str(message["Message-ID"]), references=references, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture
def mail_desk(db: Database, tmp_path: Path, smtp_server: SmtpServer) -> Iterator[MailConversation]:
    """A desk with email (EMAIL_DESK) on loopback."""
    workspace = Workspace.example()
    desk = desk_config(workspace, tmp_path, extra=EMAIL_DESK)
    for conversation in conversation_on(db, workspace, desk):
        yield MailConversation(conversation, smtp_server)
