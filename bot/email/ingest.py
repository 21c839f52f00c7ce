"""Storing a received email: the one path for the IMAP poller and `frontdesk email ingest` (DESIGN.md, step 2).

Rules:
- The raw bytes are saved first in the attachment store's `mail` folder (content-addressed, synced, renamed into
  place), then an inbox row (source "email") names them; only when that row is committed is the message stored,
  and only then may the mailbox mark it processed. Nothing is parsed beyond the two headers the row needs.
- The row's key is `email:<mailbox>:<Message-ID>`, or the SHA-256 of the bytes when there is no Message-ID, so a
  message fetched again (after a crash before it was marked, or a UIDVALIDITY change) is dropped as a duplicate.
- The conversation is the sender's address, so one person's messages are processed in the order they came.
- A message over the size cap is stored by its headers only (`truncated`), with the size the server gave: the
  service answers it once with the limit.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.policy import compat32
from email.utils import getaddresses
from pathlib import Path

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
    headers = message_from_bytes(mail.raw, policy=compat32)
    key = f"email:{mail.mailbox}:{message_key(str(headers.get('Message-ID') or ''), saved.sha256)}"
    payload = {
        "mailbox": mail.mailbox,
        "raw_path": saved.stored_path,
        "size": max(mail.size, saved.size),
        "truncated": mail.truncated,
    }
    with database.write() as session:
        return inbox.receive(
            session, key=key, source=SOURCE, conversation=f"email:{sender_key(headers)}", payload=payload, now=now
        )


def message_key(header: str, sha256: str) -> str:
    """The Message-ID as a key (its first `<...>`, at most MAX_KEY_ID characters), else the bytes' hash."""
    found = _MESSAGE_ID.search(header)
    if found is None or len(found.group()) > MAX_KEY_ID:
        return f"sha256:{sha256}"
    return found.group()


def sender_key(headers: object) -> str:
    """The From address, lower-cased, or "unknown"."""
    try:
        value = str(headers.get("From") or "")  # type: ignore[attr-defined]
        addresses = [address for _, address in getaddresses([value]) if "@" in address]
    except Exception:  # a header too broken to read is still stored; the service flags it
        addresses = []
    return addresses[0].lower()[:200] if addresses else "unknown"
