"""`frontdesk email ingest|held`: a mail server's pipe into the inbox, and the emails held for review.

Rules:
- `ingest [--mailbox NAME]` reads one raw message on stdin and stores it through the same path as the IMAP poller
  (bot.email.ingest): raw bytes kept, an inbox row committed, duplicates dropped; the running bot's inbox worker
  handles it. A message over the desk's `[email] max_message_mb` is stored by its headers only (it gets the one
  polite reply). Whatever the message holds, it is stored (one that cannot be read is held for review, with the
  reason): exit 0 once stored (or already stored), so the mail server does not bounce it. Exit 75 (EX_TEMPFAIL:
  the mail server keeps the message and tries again) only when storing itself failed (the database or the
  attachments folder), with one line saying why; exit 2 when the desk config is wrong or stdin is empty.
- `held` lists the emails waiting for an agent's review, oldest first.
"""

import os
import sys
from datetime import UTC, datetime
from typing import BinaryIO

import click

from bot.cli.errors import fail
from bot.config.desk import DeskConfigError, load_desk_config
from bot.config.environment import Settings
from bot.email.ingest import RawMail, mail_store, store_mail
from bot.render import render
from storage import mail, migrate
from storage.engine import open_database
from storage.errors import StorageError

EX_TEMPFAIL = 75
CHUNK = 1024 * 1024


@click.group()
def email() -> None:
    """Email into the chat: the mail server's pipe, and held messages."""


@email.command("ingest")
@click.option("--mailbox", default="stdin", show_default=True, help="The name the message is stored under.")
def ingest(mailbox: str) -> None:
    """Store one raw email read on stdin (for a mail server's pipe)."""
    try:
        desk = load_desk_config(Settings.from_environment().config_path)
    except DeskConfigError as error:
        fail(error.problems[0])
    raw, size, truncated = read_capped(sys.stdin.buffer, desk.email.max_message_bytes)
    if not raw.strip():
        fail("no message on stdin")
    try:
        database = open_database(os.environ)
        migrate.upgrade(database)
        stored = store_mail(
            database, mail_store(desk.intake.attachments_folder), RawMail(mailbox, raw, size, truncated),
            datetime.now(UTC),
        )  # fmt: skip
        database.dispose()
    except Exception as error:  # storing failed, whatever the cause: the mail server keeps the message
        click.echo(f"frontdesk: the message was not stored, try again later: {_one_line(error)}", err=True)
        sys.exit(EX_TEMPFAIL)
    click.echo(render("cli/email_ingested.txt.j2", stored=stored, size=size, truncated=truncated), nl=False, err=True)


@email.command("held")
def held() -> None:
    """List the emails held for an agent's review."""
    try:
        database = open_database(os.environ)
        migrate.upgrade(database)
        with database.read() as session:
            entries = mail.held_emails(session, limit=200)
        database.dispose()
    except StorageError as error:
        fail(str(error))
    click.echo(render("cli/email_held.txt.j2", entries=entries), nl=False)


def _one_line(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text if isinstance(error, StorageError) else f"{type(error).__name__}: {text}"[:300]


def read_capped(stream: BinaryIO, limit: int) -> tuple[bytes, int, bool]:
    """The message read from `stream`: all of it, or its headers only when it is over `limit` bytes; with its
    size, and whether it was cut to its headers. Memory stays within `limit` plus a chunk."""
    kept, size = bytearray(), 0
    while chunk := stream.read(CHUNK):
        size += len(chunk)
        if size <= limit:
            kept += chunk
        elif len(kept) < limit + CHUNK:
            kept += chunk[: limit + CHUNK - len(kept)]
    if size <= limit:
        return bytes(kept), size, False
    return headers_of(bytes(kept)), size, True


def headers_of(raw: bytes) -> bytes:
    """The header block of a raw message (up to and including the blank line that ends it)."""
    ends = [index for index in (raw.find(b"\r\n\r\n"), raw.find(b"\n\n")) if index >= 0]
    if not ends:
        return raw[:CHUNK]
    end = min(ends)
    return raw[: end + (4 if raw[end : end + 4] == b"\r\n\r\n" else 2)]
