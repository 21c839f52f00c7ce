"""A real SMTP server on loopback (aiosmtpd) that keeps what Frontdesk sends, for the email tests.

Rules: the server listens on a free port of 127.0.0.1 in a thread of its own. Every message it accepts is kept
as raw bytes with its envelope; a recipient listed in `refuse` gets that SMTP answer instead (e.g. "550 5.1.1 no
such user", "451 4.3.0 try again later"). `wait_for(count)` waits on the condition, with a deadline, never a
fixed sleep.
"""

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bot.config.mail_servers import SmtpSettings
from tests.storage.postgres import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.raw, policy=default)  # type: ignore[return-value]


@dataclass
class Mailroom:
    """What the server received, and the answers it gives to some recipients."""

    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.changed:
            self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content)))
            self.changed.notify_all()
        return "250 Message accepted"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """At least `count` messages, waiting for them (AssertionError after `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                assert left > 0, f"expected {count} emails, the SMTP server got {len(self.received)}"
                self.changed.wait(left)
            return list(self.received)


@dataclass(frozen=True)
class SmtpServer:
    mailroom: Mailroom
    settings: SmtpSettings


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    mailroom = Mailroom()
    port = free_port()
    controller = Controller(mailroom, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpServer(mailroom, SmtpSettings(host="127.0.0.1", port=port, tls="none", timeout=5.0))
    finally:
        controller.stop()
