"""Attacks on the mail intake with messages built to break it: nested 1,000 levels deep, 10,000 parts, a 2 MB
header block, bytes that are no message at all. Through the mail server's pipe (`frontdesk email ingest`) and
over a real IMAP server (Dovecot), each is stored raw and held for review with its reason, and the mailbox goes
on: the good message after it opens its request. Only storing itself failing makes the pipe ask the mail server
to try again (exit 75). Property tests: any bytes, and any MIME structure, are read or refused, never an error."""

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config.desk import parse_desk_config
from bot.config.mail_servers import MailboxSettings
from bot.email.imap_poller import ImapPoller, PollResult
from bot.email.ingest import mail_store
from bot.email.limits import MAX_DEPTH, MAX_PARTS
from bot.email.parse import ParsedEmail, Unparseable, parse_email
from slack_emulator import Workspace
from storage import inbox
from storage.engine import Database
from storage.kinds import EmailReview, InboxState
from tests.bot.conversation import conversation_on
from tests.bot.desk.conftest import ticket_of
from tests.bot.email.dovecot import Dovecot, dovecot, imap_mailbox  # noqa: F401  (fixtures)
from tests.bot.email.mail_conversation import ANNA, EMAIL_DESK, MailConversation, email
from tests.bot.email.smtp_server import SmtpServer, smtp_server  # noqa: F401  (fixture)
from tests.storage.postgres import free_port

CORPUS = Path(__file__).parents[1] / "bot" / "email" / "corpus"
EX_TEMPFAIL = 75


def nested(depth: int) -> bytes:
    """A message whose text sits inside `depth` multiparts, each inside the one before."""
    opening = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(depth))
    closing = b"".join(b"\r\n--b%d--" % i for i in reversed(range(depth)))
    return (
        b"From: Eve <eve@evil.example>\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
        + opening
        + (b"Content-Type: text/plain\r\n\r\nhello" + closing + b"\r\n")
    )


def many_parts(count: int) -> bytes:
    """A message of `count` text parts side by side."""
    parts = b"".join(b"--x\r\nContent-Type: text/plain\r\n\r\npart %d\r\n" % i for i in range(count))
    head = b"From: Eve <eve@evil.example>\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
    return head + b"Content-Type: multipart/mixed; boundary=x\r\n\r\n" + parts + b"--x--\r\n"


def huge_header(size: int) -> bytes:
    """A message whose header block is `size` bytes of folded X-Padding lines."""
    line = b"X-Padding: " + b"a" * 66 + b"\r\n"
    return b"From: Eve <eve@evil.example>\r\nSubject: tall\r\n" + line * (size // len(line)) + b"\r\nhello\r\n"


POISON = {
    "nested-1000-deep": (nested(1000), f"unparseable: parts nested more than {MAX_DEPTH} levels deep"),
    "10000-parts": (many_parts(10_000), f"unparseable: more than {MAX_PARTS} parts"),
    "2-MB-header-block": (huge_header(2 * 1024 * 1024), "unparseable: its header block is over 256 KiB"),
    "not-a-message": ((CORPUS / "not_a_message.eml").read_bytes(), "unparseable: not an email: no header lines"),
}
POISONS = pytest.mark.parametrize("poison", sorted(POISON))


@pytest.fixture
def backend() -> str:
    return "sqlite"


@dataclass(frozen=True)
class PipedDesk:
    """A desk on loopback, and its config file and database for the pipe run as a mail server runs it."""

    mail: MailConversation
    config: Path
    database_url: str

    def pipe(self, raw: bytes, **env: str) -> subprocess.CompletedProcess[bytes]:
        environment = os.environ | {"FRONTDESK_CONFIG": str(self.config), "FRONTDESK_DATABASE_URL": self.database_url}
        script = Path(sys.executable).with_name("frontdesk")
        return subprocess.run([str(script), "email", "ingest", "--mailbox", "pipe"], input=raw, capture_output=True,
                              env=environment | env, timeout=120, check=False)  # fmt: skip


@pytest.fixture
def desk(db: Database, database_url: str, tmp_path: Path, smtp_server: SmtpServer) -> Iterator[PipedDesk]:  # noqa: F811
    workspace = Workspace.example()
    text = (
        f'policy = "owkin"\n[slack]\nintake_channel = "{workspace.channel("support").id}"\n'
        f'agents_channel = "{workspace.channel("support-agents").id}"\n'
        f'[agents]\nusers = ["{workspace.user("bob").id}"]\n{EMAIL_DESK}'
    )
    config = tmp_path / "frontdesk.toml"
    config.write_text(text)
    for conversation in conversation_on(db, workspace, parse_desk_config(text, source=str(config), folder=tmp_path)):
        yield PipedDesk(MailConversation(conversation, smtp_server), config, database_url)


def rows(database: Database) -> list[inbox.InboxRecord]:
    with database.read() as session:
        return inbox.inbox_rows(session, limit=1000)


def assert_held_raw(mail: MailConversation, raw: bytes, reason: str) -> None:
    [held] = mail.held()
    assert held.review is EmailReview.HELD
    assert held.reason == reason
    assert held.raw_path is not None
    assert (mail.conversation.desk.intake.attachments_folder / "mail" / held.raw_path).read_bytes() == raw
    assert "Email held for review" in mail.agents_posts()[-1].text
    assert mail.new_emails() == []
    assert [row.state for row in rows(mail.database)] == [InboxState.DONE] * len(rows(mail.database))


@POISONS
def test_a_poison_message_through_the_pipe_is_stored_raw_and_held_with_its_reason(desk: PipedDesk, poison: str) -> None:
    raw, reason = POISON[poison]

    done = desk.pipe(raw)

    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(b"frontdesk: stored a message of")
    desk.mail.settle()
    assert_held_raw(desk.mail, raw, reason)


@POISONS
def test_a_poison_message_in_an_imap_mailbox_is_held_and_the_next_message_opens_its_request(
    desk: PipedDesk, dovecot: Dovecot, imap_mailbox: MailboxSettings, poison: str,  # noqa: F811
) -> None:  # fmt: skip
    raw, reason = POISON[poison]
    good = email(ANNA, "Login fails", "I cannot log in since this morning.\n", message_id="<good@customer.example>")
    with dovecot.client() as client:
        client.append(imap_mailbox.folder, raw)
        client.append(imap_mailbox.folder, good)
    mail = desk.mail
    store = mail_store(mail.conversation.desk.intake.attachments_folder)
    cap = mail.conversation.desk.email.max_message_bytes
    poller = ImapPoller(imap_mailbox, mail.database, store, max_bytes=cap, clock=lambda: mail.conversation.now)
    try:
        assert poller.poll_once() == PollResult(stored=2, duplicates=0, rescanned=False)
        assert poller.poll_once() == PollResult(stored=0, duplicates=0, rescanned=False)  # nothing left behind
    finally:
        poller.close()

    mail.settle()

    [held] = mail.held()
    assert held.reason == reason
    assert ticket_of(mail.conversation).description.startswith("Login fails")
    assert len(mail.intake_threads()) == 1
    [question] = mail.new_emails()
    assert question.recipients == [ANNA]
    assert [row.state for row in rows(mail.database)] == [InboxState.DONE, InboxState.DONE]


def test_the_pipe_asks_the_mail_server_to_retry_when_the_database_is_unreachable(desk: PipedDesk) -> None:
    down = f"postgresql://frontdesk@127.0.0.1:{free_port()}/frontdesk"

    done = desk.pipe(email(), FRONTDESK_DATABASE_URL=down)

    assert done.returncode == EX_TEMPFAIL
    [line] = done.stderr.decode().splitlines()
    assert line.startswith("frontdesk: the message was not stored, try again later: ")


def test_the_pipe_asks_the_mail_server_to_retry_when_the_database_has_lost_its_tables(
    desk: PipedDesk, tmp_path: Path
) -> None:
    with closing(sqlite3.connect(desk.database_url.removeprefix("sqlite:///"))) as migrated:
        [version] = migrated.execute("SELECT version_num FROM alembic_version").fetchone()
    broken = tmp_path / "broken.db"  # says it is migrated to head, but its tables are gone
    with closing(sqlite3.connect(broken)) as connection, connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES (?)", (version,))

    done = desk.pipe(email(), FRONTDESK_DATABASE_URL=f"sqlite:///{broken}")

    assert done.returncode == EX_TEMPFAIL, done.stderr
    [line] = done.stderr.decode().splitlines()
    assert line.startswith("frontdesk: the message was not stored, try again later: ")


def test_the_pipe_asks_the_mail_server_to_retry_when_the_raw_message_cannot_be_written(
    desk: PipedDesk, tmp_path: Path
) -> None:
    attachments = desk.mail.conversation.desk.intake.attachments_folder
    attachments.mkdir(parents=True, exist_ok=True)
    (attachments / "mail").write_text("a file where the mail folder should be")

    done = desk.pipe(email())

    assert done.returncode == EX_TEMPFAIL
    [line] = done.stderr.decode().splitlines()
    assert line.startswith("frontdesk: the message was not stored, try again later: ")
    assert rows(desk.mail.database) == []


# -- property tests -------------------------------------------------------------------------------------------

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER_LINES = st.sampled_from(
    [b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: quoted-printable", b"Content-Disposition: "
     b"attachment; filename*=utf-8''%ff%fe.txt", b"Content-ID: <x@y>", b"Subject: =?utf-8?b?broken", b"X-Junk",
     b"Content-Type: text/plain; charset=utf-7", b"Content-Type: message/rfc822", b"From: <@>", b"From: a@b.example",
     b"Content-Type: multipart/mixed", b"\xff\xfe: \x00", b" folded continuation", b"Date: 99 Foo 99999 99:99"]
)  # fmt: skip
BODIES = st.binary(max_size=60) | st.sampled_from([b"aGVsbG8=", b"=C3=A9=\r\n", b"--b0", b"--b0--", b"\r\n\r\n"])


@st.composite
def structures(draw: st.DrawFn, depth: int = 0) -> bytes:
    """A MIME part: header lines drawn from valid and broken ones, then a leaf's body, or a multipart of parts
    (its boundary sometimes reused from a container, missing or never closed)."""
    head = b"\r\n".join(draw(st.lists(HEADER_LINES, max_size=4)))
    if depth >= 6 or not draw(st.booleans()):
        return head + b"\r\n\r\n" + draw(BODIES)
    boundary = draw(st.sampled_from([b"b0", b"b%d" % depth, b""]))
    children = draw(st.lists(structures(depth=depth + 1), max_size=3))
    body = b"".join(b"--" + boundary + b"\r\n" + child + b"\r\n" for child in children)
    closing = draw(st.sampled_from([b"--" + boundary + b"--\r\n", b""]))
    return head + b"\r\nContent-Type: multipart/mixed; boundary=" + boundary + b"\r\n\r\n" + body + closing


def read_or_refused(raw: bytes) -> ParsedEmail | Unparseable:
    result = parse_email(raw, authserv_id="mx.desk.example")
    assert isinstance(result, ParsedEmail | Unparseable)
    if isinstance(result, Unparseable):
        assert result.reason.strip()
        assert "\n" not in result.reason
    return result


@FUZZ
@given(st.binary(max_size=4000))
def test_any_bytes_are_read_or_refused_never_an_error(raw: bytes) -> None:
    read_or_refused(raw)


@FUZZ
@given(structures())
def test_any_mime_structure_is_read_or_refused_never_an_error(raw: bytes) -> None:
    read_or_refused(b"From: anna@customer.example\r\n" + raw)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=3))
def test_a_message_nested_deeper_than_the_limit_is_refused_naming_it_and_one_within_is_read(
    depth: int, siblings: int
) -> None:
    raw = b"From: anna@customer.example\r\nSubject: deep\r\n"
    for i in range(depth):  # each level: its text parts, then the next level as its last part
        raw += b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n" % i
        raw += b"".join(b"--b%d\r\nContent-Type: text/plain\r\n\r\nside %d\r\n" % (i, n) for n in range(siblings))
        raw += b"--b%d\r\n" % i
    raw += b"Content-Type: text/plain\r\n\r\nhello" + b"".join(b"\r\n--b%d--" % i for i in reversed(range(depth)))

    result = read_or_refused(raw + b"\r\n")

    if depth > MAX_DEPTH:
        assert result == Unparseable(f"parts nested more than {MAX_DEPTH} levels deep")
    else:
        assert isinstance(result, ParsedEmail)
        assert result.text.startswith("side 0" if siblings else "hello")


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=3 * MAX_PARTS))
def test_a_message_of_more_parts_than_the_limit_is_refused_naming_it_and_one_within_is_read(count: int) -> None:
    result = read_or_refused(many_parts(count))

    if count > MAX_PARTS:
        assert result == Unparseable(f"more than {MAX_PARTS} parts")
    else:
        assert isinstance(result, ParsedEmail)
        assert result.text.startswith("part 0")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=2000) | structures())
def test_any_bytes_stored_by_the_mailbox_are_handled_held_or_taken_never_retried(desk: PipedDesk, raw: bytes) -> None:
    mail = desk.mail

    mail.receive(raw)

    assert {row.state for row in rows(mail.database)} == {InboxState.DONE}
