"""Attacks on the SMTP login: the desk's mail password sent in cleartext over the network, to a relay configured
without TLS or to a server (or a man in the middle) that strips STARTTLS. A real aiosmtpd server on loopback that
offers AUTH without TLS records every login it is given; it must see the password only when the operator allowed
a cleartext login (a relay on this machine)."""

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.config.email import EmailDesk
from bot.config.mail_servers import ALLOW_CLEARTEXT, EmailSettingsError, SmtpSettings
from bot.delivery.tuning import DeliverySettings
from bot.email.mail_payload import enqueue_email
from bot.email.sender import EmailDeliverer
from storage import outbox
from storage.engine import Database
from storage.kinds import OutboxState
from tests.bot.cli.conftest import run_frontdesk
from tests.bot.email.smtp_server import Mailroom
from tests.storage.helpers import NOW
from tests.storage.postgres import free_port

USER, SECRET = "desk", "s3cret-smtp-password"


@pytest.fixture
def backend() -> str:
    return "sqlite"


@dataclass
class Logins:
    """An aiosmtpd authenticator that keeps every login it is given."""

    seen: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        login = (auth_data.login.decode(), auth_data.password.decode())
        self.seen.append(login)
        return AuthResult(success=login == (USER, SECRET))


@dataclass(frozen=True)
class Relay:
    mailroom: Mailroom
    logins: Logins
    port: int

    def environment(self, **more: str) -> dict[str, str]:
        """The SMTP settings of a desk that logs in to this relay, with no TLS."""
        env = {"FRONTDESK_SMTP_HOST": "127.0.0.1", "FRONTDESK_SMTP_PORT": str(self.port), "FRONTDESK_SMTP_TLS": "none",
               "FRONTDESK_SMTP_USER": USER, "FRONTDESK_SMTP_PASSWORD": SECRET}  # fmt: skip
        return env | more


@pytest.fixture
def relay() -> Iterator[Relay]:
    """An SMTP server that offers AUTH on a connection without TLS (and no STARTTLS at all)."""
    mailroom, logins, port = Mailroom(), Logins(), free_port()
    controller = Controller(
        mailroom, hostname="127.0.0.1", port=port, authenticator=logins, auth_require_tls=False, auth_required=False
    )
    controller.start()
    try:
        yield Relay(mailroom, logins, port)
    finally:
        controller.stop()


def send_one(db: Database, smtp: SmtpSettings) -> OutboxState:
    with db.write() as session:
        enqueue_email(session, key="a", to="anna@customer.example", subject="Hello", text="Words", now=NOW)
    desk = EmailDesk(address="support@desk.example")
    EmailDeliverer(db, smtp, desk, lambda: NOW, DeliverySettings(), rng=random.Random(1)).deliver_once(NOW)
    with db.read() as session:
        entry = outbox.outbox_entry(session, "a")
    assert entry is not None
    return entry.state


def test_a_cleartext_smtp_login_is_refused_at_start_in_one_line(
    relay: Relay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "frontdesk.toml"
    config.write_text('policy = "kiwi"\n[slack]\nintake_channel = "C0INTAKE1"\nagents_channel = "C0AGENTS1"\n'
                      '[agents]\nusers = ["U0BOB0001"]\n')  # fmt: skip
    environment = relay.environment(
        FRONTDESK_CONFIG=str(config), SLACK_BOT_TOKEN="xoxb-1-2", SLACK_SIGNING_SECRET="signing"
    )
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv(ALLOW_CLEARTEXT, raising=False)

    outcome = run_frontdesk("run", "--http", "--port", str(free_port()))

    assert outcome.exit_code == 2
    assert outcome.stderr.splitlines() == [
        "frontdesk: FRONTDESK_SMTP_TLS=none would send FRONTDESK_SMTP_USER and FRONTDESK_SMTP_PASSWORD unencrypted:"
        " use starttls or ssl, or set FRONTDESK_SMTP_ALLOW_CLEARTEXT_LOGIN=1 for a relay on this machine"
    ]
    assert SECRET not in outcome.stderr
    assert relay.logins.seen == []


@pytest.mark.parametrize("allowance", ["", "0", "yes"])
def test_no_settings_can_carry_a_cleartext_login_without_the_allowance(allowance: str) -> None:
    with pytest.raises(EmailSettingsError, match="FRONTDESK_SMTP_ALLOW_CLEARTEXT_LOGIN=1"):
        SmtpSettings.from_environment(Relay(Mailroom(), Logins(), 25).environment(**{ALLOW_CLEARTEXT: allowance}))
    with pytest.raises(EmailSettingsError):
        SmtpSettings(host="127.0.0.1", port=25, tls="none", password=SECRET)


def test_with_the_allowance_the_login_goes_to_the_local_relay_and_the_mail_is_sent(db: Database, relay: Relay) -> None:
    smtp = SmtpSettings.from_environment(relay.environment(**{ALLOW_CLEARTEXT: "1"}))
    assert smtp is not None

    assert send_one(db, smtp) is OutboxState.SENT

    assert relay.logins.seen == [(USER, SECRET)]
    [got] = relay.mailroom.wait_for(1)
    assert got.recipients == ["anna@customer.example"]


def test_a_server_that_offers_no_starttls_never_sees_the_password(db: Database, relay: Relay) -> None:
    smtp = SmtpSettings.from_environment(relay.environment(FRONTDESK_SMTP_TLS="starttls"))
    assert smtp is not None

    assert send_one(db, smtp) is OutboxState.PENDING  # tried again later, never downgraded

    assert relay.logins.seen == []
    assert relay.mailroom.received == []
    with db.read() as session:
        entry = outbox.outbox_entry(session, "a")
    assert entry is not None
    assert "STARTTLS" in (entry.last_error or "")
