"""Storing a received email: the one path for the IMAP poller and `frontdesk email ingest`
(docs/architecture.md, "The path of a message", step 2).

Rules:
- The raw bytes are saved first in the attachment store's `mail` folder (content-addressed, synced, renamed into
  place), then an inbox row (source "email") names them; only when that row is committed is the message stored,
  and only then may the mailbox mark it processed. Only the header block is read (bot.email.limits.read_headers:
  no body is parsed, and a header block over the limit is not parsed at all), for the two headers the row needs.
- Storing never fails because of what a message holds: headers that cannot be read give the row the reason
  (`unreadable`), and the message is stored under the hash of its bytes, for the service to hold for review.
  Only the store itself failing (the disk, the database) raises, so the caller tries again later.
- The row's key is `email:<mailbox>:<Message-ID>`, or the SHA-256 of the bytes when there is no Message-ID, so a
  message fetched again (after a crash before it was marked, or a UIDVALIDITY change) is dropped as a duplicate.
- The conversation is the sender's address, so one person's messages are processed in the order they came.
- A message over the size cap is stored by its headers only (`truncated`), with the size the server gave: the
  service answers it once with the limit.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.utils import getaddresses
from pathlib import Path

from bot.email.limits import read_headers
from storage import inbox
from storage.attachments import AttachmentStore
from storage.engine import Database

SOURCE = "email"
MAIL_FOLDER = "mail"  # under the attachments folder
MAX_KEY_ID = 200
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class RawMail:
    """A message as a mailbox gave it: all of it, or only its headers when it is over the cap (`truncated`)."""

    mailbox: str
    raw: bytes
    size: int
    truncated: bool = False


def mail_store(attachments_folder: Path) -> AttachmentStore:
    """Where raw messages are kept: no type is refused and no size cap applies (the cap is checked before)."""
    return AttachmentStore(attachments_folder / MAIL_FOLDER, max_bytes=2**62)


def store_mail(database: Database, store: AttachmentStore, mail: RawMail, now: datetime) -> bool:
    """Saves the message and its inbox row; False when the same message was stored already."""
    saved = store.save(mail.raw, "message.eml")
    headers = read_headers(mail.raw)
    readable = headers if isinstance(headers, Message) else None
    key = f"email:{mail.mailbox}:{message_key(_header(readable, 'Message-ID'), saved.sha256)}"
    payload: dict[str, object] = {
        "mailbox": mail.mailbox,
        "raw_path": saved.stored_path,
        "size": max(mail.size, saved.size),
        "truncated": mail.truncated,
    }
    if readable is None:
        payload["unreadable"] = headers
    with database.write() as session:
        return inbox.receive(
            session, key=key, source=SOURCE, conversation=f"email:{sender_key(readable)}", payload=payload, now=now
        )


def message_key(header: str, sha256: str) -> str:
    """The Message-ID as a key (its first `<...>`, at most MAX_KEY_ID characters), else the bytes' hash."""
    found = _MESSAGE_ID.search(header)
    if found is None or len(found.group()) > MAX_KEY_ID:
        return f"sha256:{sha256}"
    return found.group()


def sender_key(headers: Message | None) -> str:
    """The From address, lower-cased, or "unknown"."""
    try:
        addresses = [address for _, address in getaddresses([_header(headers, "From")]) if "@" in address]
    except Exception:  # a header too broken to read is still stored; the service flags it
        addresses = []
    return addresses[0].lower()[:200] if addresses else "unknown"


def _header(headers: Message | None, name: str) -> str:
    """The first `name` header as text ("" when absent or unreadable)."""
    try:
        return str(headers.get(name) or "") if headers is not None else ""
    except Exception:  # a header object too broken to be text: as if absent
        return ""
