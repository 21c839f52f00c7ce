"""Watching one IMAP mailbox: every message in its folder is stored once in the inbox
(docs/architecture.md, "The path of a message", step 1).

Rules:
- One connection per mailbox, kept between polls (tls "ssl", "starttls" or "none"), logged in, the folder
  selected read-write. Each poll selects the folder again (that is how a changed UIDVALIDITY is seen); a kept
  connection that broke is replaced once, at once; any other failure drops the connection and is raised as a
  MailboxError naming the mailbox, its host and user, never the password.
- A message is processed when it carries the keyword `$Frontdesk`, or `\\Seen` when the folder takes no new
  keywords (no `\\*` in its PERMANENTFLAGS): then a message someone read in a mail client first is never stored.
- Each poll takes every unprocessed message, in UID order, the sizes asked in batches and the messages one at a
  time, so memory does not grow with the folder (only the list of UIDs does). Nothing is skipped: after a long
  downtime every message still unprocessed is fetched.
- A message over `max_bytes` is fetched by its headers only and stored `truncated` with the size the server gave.
  Bodies are fetched with BODY.PEEK, so fetching never marks a message read.
- The flag is set only after `store_mail` committed the message. A crash in between fetches it again at the next
  poll: store_mail drops it as a duplicate and then it is marked.
- A UIDVALIDITY other than the one stored means the folder was rebuilt (its flags may be lost or kept): every
  message in it is looked at again, stored messages dropped as duplicates, and a warning is logged. A rescan that
  failed half-way is done again at the next poll of the same process.
- `run(stop)` polls, then waits for mail: with IDLE until the server reports a new message, `poll_seconds` pass or
  `stop` is set (looked at every second), else `poll_seconds`. Every error is logged with the mailbox's name and
  retried after 1 s, doubling up to 60 s (a wait that `stop` ends); run() returns only when `stop` is set.
- `close()` logs out quietly; it is called after run() returned.
"""

import imaplib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from bot.config.mail_servers import MailboxSettings
from bot.email.ingest import RawMail, store_mail
from storage.attachments import AttachmentStore
from storage.engine import Database
from storage.mail import uidvalidity_changed

log = logging.getLogger(__name__)

KEYWORD = "$Frontdesk"
SEEN = "\\Seen"
BATCH = 50  # UIDs whose sizes are asked at once
FIRST_BACKOFF = 1.0
MAX_BACKOFF = 60.0
IDLE_CHECK_SECONDS = 1.0  # how often an IDLE looks at `stop`
CONNECTION_ERRORS = (OSError, imaplib.IMAP4.error)  # sockets, TLS, and every IMAP error (imapclient's included)


class MailboxError(Exception):
    """A mailbox could not be polled; the message names the mailbox, its host and user, never the password."""


class MailboxLoginError(MailboxError):
    """The server refused the login."""


@dataclass(frozen=True)
class PollResult:
    stored: int  # new inbox rows
    duplicates: int  # fetched but already stored (key seen)
    rescanned: bool  # UIDVALIDITY changed since last time: the whole folder was looked at again


@dataclass(frozen=True)
class _Folder:
    """The selected folder as a poll sees it."""

    uidvalidity: int
    flag: str  # the flag of a processed message
    unprocessed: tuple[str, ...]  # the search for the others


class ImapPoller:
    def __init__(
        self,
        mailbox: MailboxSettings,
        database: Database,
        store: AttachmentStore,
        *,
        max_bytes: int,
        clock: Callable[[], datetime],
    ) -> None:
        self.mailbox = mailbox
        self.database = database
        self.store = store
        self.max_bytes = max_bytes
        self.clock = clock
        self._client: IMAPClient | None = None
        self._rescan_pending = False
        self._flag_told: str | None = None

    def __repr__(self) -> str:
        return f"ImapPoller({self._where})"

    @property
    def _where(self) -> str:
        box = self.mailbox
        return f"mailbox {box.name} ({box.user}@{box.host}:{box.port}, folder {box.folder})"

    def poll_once(self) -> PollResult:
        """Stores every unprocessed message (every message after a UIDVALIDITY change) and marks it processed."""
        try:
            client, folder = self._selected()
            rescan = self._uidvalidity_changed(folder.uidvalidity) or self._rescan_pending
            if rescan:
                log.warning("%s: UIDVALIDITY changed, every message in the folder is looked at again", self._where)
            self._rescan_pending = rescan
            stored, duplicates = self._take_all(client, ("ALL",) if rescan else folder.unprocessed, folder.flag)
            self._rescan_pending = False
        except CONNECTION_ERRORS as error:
            self._drop()
            raise MailboxError(f"{self._where}: {self._scrubbed(error)}") from error
        if stored or duplicates:
            log.info("%s: %s new messages stored, %s duplicates", self._where, stored, duplicates)
        return PollResult(stored=stored, duplicates=duplicates, rescanned=rescan)

    def run(self, stop: threading.Event) -> None:
        """Polls and waits for mail until `stop` is set; errors are logged and retried with a growing backoff."""
        log.info("%s: watching", self._where)
        backoff = FIRST_BACKOFF
        try:
            while not stop.is_set():
                try:
                    self.poll_once()
                    self._wait_for_mail(stop)
                    backoff = FIRST_BACKOFF
                except Exception as error:
                    self._report(error, backoff)
                    self._drop()
                    stop.wait(backoff)
                    backoff = min(backoff * 2, MAX_BACKOFF)
        except BaseException:
            log.critical("%s: watching stopped by an unexpected error", self._where, exc_info=True)
            raise
        log.info("%s: stopped watching", self._where)

    def close(self) -> None:
        """Logs out, quietly (a connection that broke is just closed)."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception as error:
            log.debug("%s: logout failed: %s", self._where, self._scrubbed(error))
            _shut(client)

    def _selected(self) -> tuple[IMAPClient, _Folder]:
        """The connection with the folder selected: the kept one, or a new one when there is none or it broke."""
        if self._client is not None:
            try:
                return self._client, self._select(self._client)
            except CONNECTION_ERRORS as error:
                log.info("%s: the connection broke (%s); connecting again", self._where, self._scrubbed(error))
                self._drop()
        self._client = self._connect()
        return self._client, self._select(self._client)

    def _connect(self) -> IMAPClient:
        box = self.mailbox
        client = IMAPClient(box.host, box.port, ssl=box.tls == "ssl", timeout=box.timeout)
        try:
            if box.tls == "starttls":
                client.starttls()
            client.login(box.user, box.password)
        except LoginError as error:
            _shut(client)
            reason = self._scrubbed(error).removeprefix("LoginError: b'").removesuffix("'")  # imapclient's bytes
            raise MailboxLoginError(f"{self._where}: login refused: {reason}") from None
        except BaseException:
            _shut(client)
            raise
        return client

    def _select(self, client: IMAPClient) -> _Folder:
        response = client.select_folder(self.mailbox.folder)
        permanent = {bytes(flag).lower() for flag in response.get(b"PERMANENTFLAGS", ())}
        takes_keyword = b"\\*" in permanent or KEYWORD.lower().encode() in permanent
        flag = KEYWORD if takes_keyword else SEEN
        if flag != self._flag_told:
            if flag == SEEN:
                log.warning("%s: the folder takes no keywords; a processed message is marked \\Seen", self._where)
            self._flag_told = flag
        unprocessed = ("UNKEYWORD", KEYWORD) if takes_keyword else ("UNSEEN",)
        return _Folder(uidvalidity=int(response[b"UIDVALIDITY"]), flag=flag, unprocessed=unprocessed)

    def _uidvalidity_changed(self, uidvalidity: int) -> bool:
        with self.database.write() as session:
            return uidvalidity_changed(session, self.mailbox.name, uidvalidity, self.clock())

    def _take_all(self, client: IMAPClient, criteria: Sequence[str], flag: str) -> tuple[int, int]:
        """Takes the messages `criteria` finds, oldest UID first; how many were stored and how many duplicates."""
        stored = duplicates = 0
        for uid, size in _sizes(client, sorted(client.search(list(criteria)))):
            new = self._take(client, uid, size, flag)
            if new is not None:
                stored, duplicates = stored + new, duplicates + (not new)
        return stored, duplicates

    def _take(self, client: IMAPClient, uid: int, size: int, flag: str) -> bool | None:
        """Stores one message, then marks it; whether it was new (None: it is gone or the server gave nothing)."""
        truncated = size > self.max_bytes
        item, answer_key = ("BODY.PEEK[HEADER]", b"BODY[HEADER]") if truncated else ("BODY.PEEK[]", b"BODY[]")
        answers = client.fetch([uid], [item])
        if uid not in answers:
            return None  # expunged since the search
        raw = answers[uid].get(answer_key)
        if raw is None:
            log.warning("%s: the server gave no content for UID %s; it is tried again next time", self._where, uid)
            return None
        mail = RawMail(mailbox=self.mailbox.name, raw=bytes(raw), size=size, truncated=truncated)
        new = store_mail(self.database, self.store, mail, self.clock())
        client.add_flags([uid], [flag], silent=True)
        return new

    def _wait_for_mail(self, stop: threading.Event) -> None:
        """Until the server reports a new message (IDLE), `poll_seconds` pass or `stop` is set."""
        client = self._client
        if client is None or stop.is_set():
            return
        if not client.has_capability("IDLE"):
            stop.wait(self.mailbox.poll_seconds)
            return
        deadline = time.monotonic() + self.mailbox.poll_seconds
        client.idle()
        while not stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0 or _new_message(client.idle_check(timeout=min(IDLE_CHECK_SECONDS, left))):
                break
        client.idle_done()  # not reached when the connection broke: it is dropped, no DONE is owed

    def _report(self, error: Exception, backoff: float) -> None:
        if isinstance(error, MailboxError):
            log.error("%s; trying again in %.0f s", error, backoff)
        else:
            log.exception("%s: polling failed; trying again in %.0f s", self._where, backoff)

    def _drop(self) -> None:
        """Forgets the connection, closing its socket without a word to the server (it may be broken)."""
        client, self._client = self._client, None
        if client is not None:
            _shut(client)

    def _scrubbed(self, error: BaseException) -> str:
        """An error as one line, the password (should a server ever echo it) replaced."""
        text = f"{type(error).__name__}: {error}"
        password = self.mailbox.password
        return text.replace(password, "***") if password else text


def _sizes(client: IMAPClient, uids: list[int]) -> Iterator[tuple[int, int]]:
    """Each UID that still exists, with its size, asked BATCH at a time."""
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        answers = client.fetch(batch, ["RFC822.SIZE"])
        for uid in batch:
            if uid in answers:
                yield uid, int(answers[uid][b"RFC822.SIZE"])


def _new_message(responses: list[tuple[object, ...]]) -> bool:
    """Whether IDLE responses include an EXISTS (a message arrived)."""
    return any(len(response) > 1 and response[1] == b"EXISTS" for response in responses)


def _shut(client: IMAPClient) -> None:
    try:
        client.shutdown()
    except Exception as error:  # already closed, or broken beyond closing: nothing is left to release
        log.debug("closing an IMAP connection failed: %s", type(error).__name__)
