"""The IMAP poller against a real Dovecot on loopback (tests/bot/email/dovecot.py): what lands in the inbox and the
mail store, and the flags the mailbox shows afterwards: new messages, a crash before marking, downtime, a dropped
connection, a rebuilt folder, big messages, IDLE, a wrong password, an unreachable server, a message without a
Message-ID and a folder that takes no keywords."""

import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest

from bot.config.mail_servers import MailboxSettings
from bot.email.imap_poller import KEYWORD, ImapPoller, MailboxLoginError, PollResult
from bot.email.ingest import mail_store
from storage.attachments import AttachmentStore
from storage.engine import Database
from storage.inbox import InboxRecord, inbox_rows
from tests.bot.email.dovecot import Dovecot
from tests.storage.helpers import NOW
from tests.storage.postgres import free_port

SEEN = b"\\Seen"
FRONTDESK = KEYWORD.encode()


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def store(tmp_path: Path) -> AttachmentStore:
    return mail_store(tmp_path / "attachments")


@pytest.fixture
def make_poller(db: Database, store: AttachmentStore) -> Iterator[Callable[..., ImapPoller]]:
    pollers: list[ImapPoller] = []

    def make(mailbox: MailboxSettings, *, max_bytes: int = 1_000_000) -> ImapPoller:
        pollers.append(ImapPoller(mailbox, db, store, max_bytes=max_bytes, clock=lambda: NOW))
        return pollers[-1]

    yield make
    for poller in pollers:
        poller.close()


def mail(number: int, *, message_id: str | None = "", body: str = "") -> bytes:
    """A message from Anna, CRLF line ends (as IMAP gives it back); Message-ID `<n@customer.example>` by default."""
    message = EmailMessage(policy=SMTP)
    message["From"] = "Anna <anna@customer.example>"
    message["To"] = "support@desk.example"
    message["Subject"] = f"Login fails ({number})"
    if message_id is not None:
        message["Message-ID"] = message_id or f"<{number}@customer.example>"
    message.set_content(body or f"Message {number}: the login page says 'unknown error'.\n")
    return message.as_bytes()


def append(dovecot: Dovecot, folder: str, *messages: bytes, flags: tuple[bytes, ...] = ()) -> None:
    with dovecot.client() as client:
        for raw in messages:
            client.append(folder, raw, flags=flags)


def flags_on_server(dovecot: Dovecot, folder: str) -> list[set[bytes]]:
    """Each message's flags, in UID order."""
    with dovecot.client() as client:
        client.select_folder(folder, readonly=True)
        flags = client.get_flags(client.search(["ALL"]))
    return [set(flags[uid]) for uid in sorted(flags)]


def unmark(dovecot: Dovecot, folder: str, flag: bytes = FRONTDESK) -> None:
    with dovecot.client() as client:
        client.select_folder(folder)
        client.remove_flags(client.search(["ALL"]), [flag])


def rows(db: Database) -> list[InboxRecord]:
    with db.read() as session:
        return inbox_rows(session, limit=1000)


def keys(db: Database) -> list[str]:
    return [row.key for row in rows(db)]


def stored_bytes(store: AttachmentStore, row: InboxRecord) -> bytes:
    with store.open(row.payload["raw_path"]) as file:
        return file.read()


class PollerLog(logging.Handler):
    """The poller's log lines as they come: a test waits on a condition that each new line may make true (the
    poller logs after every poll that stored something, and every error)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[logging.LogRecord] = []
        self.changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self.changed:
            self.records.append(record)
            self.changed.notify_all()

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        """Until `condition` holds, looked at again on each log line; AssertionError naming `what` after `timeout`."""
        with self.changed:
            assert self.changed.wait_for(condition, timeout), f"still waiting after {timeout} s for {what}"


@pytest.fixture
def poller_log() -> Iterator[PollerLog]:
    logger = logging.getLogger("bot.email.imap_poller")
    handler, level = PollerLog(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_new_messages_become_inbox_rows_with_their_raw_bytes_and_are_marked_processed(
    dovecot: Dovecot, imap_mailbox: MailboxSettings, make_poller: Callable[..., ImapPoller], db: Database,
    store: AttachmentStore,
) -> None:  # fmt: skip
    unread, read = mail(1), mail(2)
    append(dovecot, imap_mailbox.folder, unread)
    append(dovecot, imap_mailbox.folder, read, flags=(SEEN,))  # read in a mail client first: still ours
    poller = make_poller(imap_mailbox)

    assert poller.poll_once() == PollResult(stored=2, duplicates=0, rescanned=False)

    first, second = rows(db)
    assert [first.key, second.key] == ["email:support:<1@customer.example>", "email:support:<2@customer.example>"]
    assert stored_bytes(store, first) == unread
    assert stored_bytes(store, second) == read
    assert first.payload["mailbox"] == "support"
    assert first.payload["truncated"] is False
    assert [FRONTDESK in flags for flags in flags_on_server(dovecot, imap_mailbox.folder)] == [True, True]
    assert SEEN not in flags_on_server(dovecot, imap_mailbox.folder)[0]  # fetching did not mark it read

    assert poller.poll_once() == PollResult(stored=0, duplicates=0, rescanned=False)
    assert len(rows(db)) == 2


def test_a_message_stored_but_never_marked_is_fetched_again_not_stored_twice_and_marked(
    dovecot: Dovecot, imap_mailbox: MailboxSettings, make_poller: Callable[..., ImapPoller], db: Database
) -> None:
    append(dovecot, imap_mailbox.folder, mail(1))
    poller = make_poller(imap_mailbox)
    poller.poll_once()
    unmark(dovecot, imap_mailbox.folder)  # as if the poller died between storing and marking

    assert poller.poll_once() == PollResult(stored=0, duplicates=1, rescanned=False)

    assert keys(db) == ["email:support:<1@customer.example>"]
    assert FRONTDESK in flags_on_server(dovecot, imap_mailbox.folder)[0]
    assert poller.poll_once() == PollResult(stored=0, duplicates=0, rescanned=False)


def test_after_downtime_every_message_that_came_meanwhile_is_stored_in_order(
    dovecot: Dovecot, imap_mailbox: MailboxSettings, make_poller: Callable[..., ImapPoller], db: Database
) -> None:
    append(dovecot, imap_mailbox.folder, *(mail(number) for number in range(1, 61)))

    assert make_poller(imap_mailbox).poll_once() == PollResult(stored=60, duplicates=0, rescanned=False)

    assert keys(db) == [f"email:support:<{number}@customer.example>" for number in range(1, 61)]
    assert all(FRONTDESK in flags for flags in flags_on_server(dovecot, imap_mailbox.folder))


def test_a_connection_the_server_dropped_is_replaced_at_the_next_poll(
    dovecot: Dovecot, imap_mailbox: MailboxSettings, make_poller: Callable[..., ImapPoller], db: Database
) -> None:
    append(dovecot, imap_mailbox.folder, mail(1))
    poller = make_poller(imap_mailbox)
    poller.poll_once()
    dovecot.kick()
    append(dovecot, imap_mailbox.folder, mail(2))

    assert poller.poll_once() == PollResult(stored=1, duplicates=0, rescanned=False)

    assert keys(db) == ["email:support:<1@customer.example>", "email:support:<2@customer.example>"]


def test_a_rebuilt_folder_is_looked_at_again_whole_old_messages_are_not_stored_twice_and_new_ones_are(
    dovecot: Dovecot, imap_mailbox: MailboxSettings, make_poller: Callable[..., ImapPoller], db: Database
) -> None:
    folder = imap_mailbox.folder
    append(dovecot, folder, mail(1), mail(2))
    poller = make_poller(imap_mailbox)
    poller.poll_once()
    with dovecot.client() as client:  # restored from a backup: a new UIDVALIDITY, some flags kept, some lost
        client.delete_folder(folder)
        client.create_folder(folder)
    append(dovecot, folder, mail(1), flags=(FRONTDESK,))
    append(dovecot, folder, mail(2), mail(3))

    assert poller.poll_once() == PollResult(stored=1, duplicates=2, rescanned=True)

    assert keys(db) == [f"email:support:<{number}@customer.example>" for number in (1, 2, 3)]
    assert all(FRONTDESK in flags for flags in flags_on_server(dovecot, folder))
    assert poller.poll_once() == PollResult(stored=0, duplicates=0, rescanned=False)


def test_a_message_over_the_size_cap_is_stored_by_its_headers_with_the_servers_size_and_marked(
    dovecot: Dovecot, imap_mailbox: MailboxSettings, make_poller: Callable[..., ImapPoller], db: Database,
    store: AttachmentStore,
) -> None:  # fmt: skip
    big = mail(1, body="A long log file follows.\n" + "x" * 76 * 100)
    append(dovecot, imap_mailbox.folder, big)
    with dovecot.client() as client:
        client.select_folder(imap_mailbox.folder, readonly=True)
        [(_, answer)] = client.fetch("1:*", ["RFC822.SIZE"]).items()
    server_size = answer[b"RFC822.SIZE"]

    assert make_poller(imap_mailbox, max_bytes=2000).poll_once() == PollResult(1, 0, False)

    [row] = rows(db)
    assert row.key == "email:support:<1@customer.example>"
    assert row.payload["truncated"] is True
    assert row.payload["size"] == server_size > 2000
    headers = big[: big.index(b"\r\n\r\n") + 4]
    assert stored_bytes(store, row) == headers
    assert FRONTDESK in flags_on_server(dovecot, imap_mailbox.folder)[0]


def test_a_message_arriving_while_the_poller_runs_is_stored_at_once_through_idle(
    dovecot: Dovecot, imap_mailbox: MailboxSettings, make_poller: Callable[..., ImapPoller], db: Database,
    caplog: pytest.LogCaptureFixture, poller_log: PollerLog,
) -> None:  # fmt: skip
    poller = make_poller(imap_mailbox)  # poll_seconds is 30: only IDLE can bring the second message in time
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,))
    append(dovecot, imap_mailbox.folder, mail(1))
    thread.start()
    try:
        poller_log.wait_for(lambda: len(rows(db)) == 1, "the first message")
        append(dovecot, imap_mailbox.folder, mail(2))
        poller_log.wait_for(lambda: len(rows(db)) == 2, "the message that came during IDLE")
    finally:
        stop.set()
        thread.join(timeout=5)

    assert not thread.is_alive()  # stop ends an IDLE within a second
    assert keys(db) == ["email:support:<1@customer.example>", "email:support:<2@customer.example>"]
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]


def test_a_wrong_password_is_refused_with_an_error_naming_the_mailbox_but_never_the_password(
    own_dovecot: Dovecot, make_poller: Callable[..., ImapPoller], db: Database
) -> None:
    wrong = "hunter2-not-the-password"
    poller = make_poller(own_dovecot.mailbox("INBOX", password=wrong))

    with pytest.raises(MailboxLoginError) as refused:
        poller.poll_once()

    message = str(refused.value)
    assert message.startswith(f"mailbox support ({own_dovecot.user}@{own_dovecot.host}:{own_dovecot.port}")
    assert "login refused" in message
    assert "AUTHENTICATIONFAILED" in message  # the server's reason
    assert wrong not in message
    assert wrong not in repr(poller)
    assert rows(db) == []


def test_an_unreachable_server_is_logged_with_the_mailbox_name_and_retried_until_stopped(
    make_poller: Callable[..., ImapPoller], caplog: pytest.LogCaptureFixture, poller_log: PollerLog
) -> None:
    secret = "s3cret-of-the-mailbox"
    nobody_listens = MailboxSettings(
        name="support", host="127.0.0.1", port=free_port(), user="desk", password=secret, folder="INBOX", tls="none"
    )
    poller = make_poller(nobody_listens)
    stop = threading.Event()
    thread = threading.Thread(target=poller.run, args=(stop,))
    thread.start()
    try:
        poller_log.wait_for(lambda: any(r.levelno == logging.ERROR for r in poller_log.records), "a logged error")
    finally:
        stop.set()
        thread.join(timeout=5)

    assert not thread.is_alive()  # the backoff ends when stopped
    [error] = [record.getMessage() for record in caplog.records if record.levelno == logging.ERROR]
    assert error.startswith(f"mailbox support (desk@127.0.0.1:{nobody_listens.port}, folder INBOX)")
    assert "ConnectionRefusedError" in error
    assert error.endswith("trying again in 1 s")
    assert secret not in caplog.text


def test_a_message_without_message_id_is_stored_once_under_its_hash(
    dovecot: Dovecot, imap_mailbox: MailboxSettings, make_poller: Callable[..., ImapPoller], db: Database
) -> None:
    raw = mail(1, message_id=None)
    append(dovecot, imap_mailbox.folder, raw)
    poller = make_poller(imap_mailbox)
    assert poller.poll_once() == PollResult(stored=1, duplicates=0, rescanned=False)
    unmark(dovecot, imap_mailbox.folder)

    assert poller.poll_once() == PollResult(stored=0, duplicates=1, rescanned=False)

    assert keys(db) == [f"email:support:sha256:{hashlib.sha256(raw).hexdigest()}"]


def test_a_folder_that_takes_no_keywords_marks_processed_messages_read(
    dovecot: Dovecot, seen_only_mailbox: MailboxSettings, make_poller: Callable[..., ImapPoller], db: Database
) -> None:
    append(dovecot, seen_only_mailbox.folder, mail(1), mail(2))
    poller = make_poller(seen_only_mailbox)

    assert poller.poll_once() == PollResult(stored=2, duplicates=0, rescanned=False)

    assert len(rows(db)) == 2
    flags = flags_on_server(dovecot, seen_only_mailbox.folder)
    assert [SEEN in each and FRONTDESK not in each for each in flags] == [True, True]
    assert poller.poll_once() == PollResult(stored=0, duplicates=0, rescanned=False)
