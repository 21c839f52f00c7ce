"""The email delivery worker against a real SMTP server (aiosmtpd on loopback): what arrives, and what the outbox
shows after refusals, temporary failures and a server that is down."""

import random
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlmodel import select

from bot.config.email import EmailDesk
from bot.config.mail_servers import SmtpSettings
from bot.delivery.tuning import DeliverySettings
from bot.email.mail_payload import EmailPayload, enqueue_email, enqueue_payload
from bot.email.sender import EmailDeliverer, message_id_for
from bot.monitoring.instruments import INSTRUMENTS
from storage import outbox
from storage.engine import Database
from storage.kinds import OutboxState
from storage.tables import OutboxItem
from tests.bot.email.smtp_server import SmtpServer
from tests.storage.helpers import NOW
from tests.storage.postgres import free_port

DESK = EmailDesk(address="support@desk.example", name="Acme Support")


@pytest.fixture
def backend() -> str:
    return "sqlite"


def deliverer(db: Database, smtp: SmtpSettings) -> EmailDeliverer:
    return EmailDeliverer(db, smtp, DESK, lambda: NOW, DeliverySettings(max_attempts=3), rng=random.Random(1))


def text_of(message: EmailMessage, kind: str) -> str:
    body = message.get_body((kind,))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def state_of(db: Database, key: str) -> OutboxState:
    with db.read() as session:
        entry = outbox.outbox_entry(session, key)
        assert entry is not None
        return entry.state


def test_a_reply_arrives_with_its_threading_headers_text_and_html(db: Database, smtp_server: SmtpServer) -> None:
    payload = EmailPayload.checked(
        "anna@customer.example", "[SR-000012] Re: Login fails", "Please try again now.\n", "<first@customer.example>",
        references=("<first@customer.example>", "<q1@desk.example>"), html="<p>Please try again now.</p>",
        message_id="<answer-1@desk.example>",
    )  # fmt: skip
    with db.write() as session:
        enqueue_payload(session, key="ticket:1:reply", payload=payload, now=NOW, ticket_id=None)

    assert deliverer(db, smtp_server.settings).deliver_once(NOW) == 1

    [got] = smtp_server.mailroom.wait_for(1)
    message = got.message
    assert got.recipients == ["anna@customer.example"]
    assert message["From"] == "Acme Support <support@desk.example>"
    assert message["Subject"] == "[SR-000012] Re: Login fails"
    assert message["Message-ID"] == "<answer-1@desk.example>"
    assert message["In-Reply-To"] == "<first@customer.example>"
    assert message["References"] == "<first@customer.example> <q1@desk.example>"
    assert message["X-Frontdesk-Key"] == "ticket:1:reply"
    assert message["Auto-Submitted"] is None  # an agent's words are not automated
    assert text_of(message, "plain") == "Please try again now.\n"
    assert text_of(message, "html").strip() == "<p>Please try again now.</p>"
    assert state_of(db, "ticket:1:reply") is OutboxState.SENT


def test_an_automated_notice_says_so_and_gets_a_message_id_from_its_key(db: Database, smtp_server: SmtpServer) -> None:
    payload = EmailPayload.checked("jo@customer.example", "Your request is logged", "SR-000001\n", automated=True)
    with db.write() as session:
        enqueue_payload(session, key="notice:1", payload=payload, now=NOW)

    deliverer(db, smtp_server.settings).deliver_once(NOW)

    [got] = smtp_server.mailroom.wait_for(1)
    assert got.message["Auto-Submitted"] == "auto-generated"
    assert got.message["Message-ID"] == message_id_for("notice:1", "desk.example")
    with db.read() as session:
        row = session.get(OutboxItem, 1)
        assert row is not None
        assert row.result == {"message_id": message_id_for("notice:1", "desk.example")}


def test_a_refused_recipient_is_dead_at_once_and_the_others_still_go(db: Database, smtp_server: SmtpServer) -> None:
    smtp_server.mailroom.refuse["gone@customer.example"] = "550 5.1.1 no such user"
    with db.write() as session:
        for key, to in (("a", "gone@customer.example"), ("b", "jo@customer.example")):
            enqueue_email(session, key=key, to=to, subject="Hello", text="Words", now=NOW)

    deliverer(db, smtp_server.settings).deliver_once(NOW)

    assert state_of(db, "a") is OutboxState.DEAD
    assert state_of(db, "b") is OutboxState.SENT
    with db.read() as session:
        [letter] = outbox.dead_letters(session)
    assert letter.last_error == "recipient refused (550)"


def test_a_temporary_refusal_is_tried_again_later_then_dead_after_the_limit(
    db: Database, smtp_server: SmtpServer
) -> None:
    smtp_server.mailroom.refuse["busy@customer.example"] = "451 4.3.0 try again later"
    with db.write() as session:
        enqueue_email(session, key="a", to="busy@customer.example", subject="Hello", text="Words", now=NOW)
    worker = deliverer(db, smtp_server.settings)

    worker.deliver_once(NOW)
    assert state_of(db, "a") is OutboxState.PENDING
    assert worker.deliver_once(NOW) == 0  # not before its backoff
    later = NOW
    for _ in range(2):
        later += timedelta(hours=1)
        worker.deliver_once(later)
    assert state_of(db, "a") is OutboxState.DEAD
    assert smtp_server.mailroom.received == []


def test_a_server_that_is_down_costs_one_try_and_the_rest_of_the_batch_waits(db: Database) -> None:
    down = SmtpSettings(host="127.0.0.1", port=free_port(), tls="none", timeout=2.0)
    with db.write() as session:
        for key in ("a", "b", "c"):
            enqueue_email(session, key=key, to="jo@customer.example", subject="Hello", text="Words", now=NOW)

    assert deliverer(db, down).deliver_once(NOW) == 3

    with db.read() as session:
        rows = {row.idempotency_key: row for row in session.exec(select(OutboxItem))}
    assert [rows[key].state for key in "abc"] == ["pending"] * 3
    assert [rows[key].attempts for key in "abc"] == [1, 0, 0]
    assert "cannot reach SMTP 127.0.0.1" in (rows["a"].last_error or "")


def test_a_sent_email_is_not_sent_again(db: Database, smtp_server: SmtpServer) -> None:
    with db.write() as session:
        enqueue_email(session, key="a", to="jo@customer.example", subject="Hello", text="Words", now=NOW)
        enqueue_email(session, key="a", to="jo@customer.example", subject="Hello", text="Words", now=NOW)
    worker = deliverer(db, smtp_server.settings)
    worker.deliver_once(NOW)
    worker.deliver_once(NOW + timedelta(hours=1))
    assert len(smtp_server.mailroom.wait_for(1)) == 1


def test_a_payload_that_breaks_the_contract_is_dead(db: Database, smtp_server: SmtpServer) -> None:
    with db.write() as session:
        outbox.enqueue(session, key="bad", destination_kind="email", destination="x", payload={"to": "x"}, now=NOW)
    deliverer(db, smtp_server.settings).deliver_once(NOW)
    assert state_of(db, "bad") is OutboxState.DEAD


def test_each_email_try_is_counted_for_metrics(db: Database, smtp_server: SmtpServer) -> None:
    def sent() -> float:
        return INSTRUMENTS.get_sample_value("frontdesk_deliveries_total", {"method": "email", "result": "sent"}) or 0

    before = sent()
    payload = EmailPayload.checked("anna@customer.example", "Hello", "Hi.\n", None)
    with db.write() as session:
        enqueue_payload(session, key="ticket:1:hello", payload=payload, now=NOW, ticket_id=None)
    assert deliverer(db, smtp_server.settings).deliver_once(NOW) == 1
    assert sent() == before + 1
