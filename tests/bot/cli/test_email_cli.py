"""`frontdesk email ingest` (a mail server's pipe) and `frontdesk email held`, run as the installed command."""

import io
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.cli.email import headers_of, read_capped
from storage import inbox
from storage.engine import Database

DESK = """
policy = "owkin"
[slack]
intake_channel = "C0INTAKE1"
agents_channel = "C0AGENTS1"
[agents]
users = ["U0BOB0001"]
[email]
address = "support@desk.example"
authserv_id = "mx.desk.example"
max_message_mb = 0.001
"""
MESSAGE = b"From: Anna <anna@customer.example>\r\nSubject: Login\r\nMessage-ID: <one@customer.example>\r\n\r\nHelp\r\n"


def ingest(tmp_path: Path, raw: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    (tmp_path / "frontdesk.toml").write_text(DESK)
    env = os.environ | {
        "FRONTDESK_CONFIG": str(tmp_path / "frontdesk.toml"),
        "FRONTDESK_DATABASE_URL": f"sqlite:///{tmp_path / 'frontdesk.db'}",
    }
    script = Path(sys.executable).with_name("frontdesk")
    return subprocess.run([str(script), "email", *args], input=raw, capture_output=True, env=env, timeout=60,
                          check=False)  # fmt: skip


def stored_rows(tmp_path: Path) -> list[inbox.InboxRecord]:
    database = Database.from_url(f"sqlite:///{tmp_path / 'frontdesk.db'}")
    with database.read() as session:
        rows = inbox.inbox_rows(session)
    database.dispose()
    return rows


def test_a_piped_message_is_stored_once_for_the_bot(tmp_path: Path) -> None:
    first = ingest(tmp_path, MESSAGE, "ingest")
    again = ingest(tmp_path, MESSAGE, "ingest")

    assert first.returncode == 0, first.stderr
    assert f"stored a message of {len(MESSAGE)} bytes".encode() in first.stderr
    assert again.returncode == 0
    assert b"stored before" in again.stderr
    [row] = stored_rows(tmp_path)
    assert row.key == "email:stdin:<one@customer.example>"
    assert row.payload["truncated"] is False
    assert (tmp_path / "attachments" / "mail" / row.payload["raw_path"]).read_bytes() == MESSAGE


def test_a_message_over_the_cap_is_stored_by_its_headers(tmp_path: Path) -> None:
    big = MESSAGE + b"x" * 5000 + b"\r\n"

    done = ingest(tmp_path, big, "ingest", "--mailbox", "pipe")

    assert done.returncode == 0, done.stderr
    assert b"by its headers only" in done.stderr
    [row] = stored_rows(tmp_path)
    assert row.payload == {"mailbox": "pipe", "raw_path": row.payload["raw_path"], "size": len(big), "truncated": True}
    assert (tmp_path / "attachments" / "mail" / row.payload["raw_path"]).read_bytes() == headers_of(MESSAGE)


def test_nothing_on_stdin_is_refused(tmp_path: Path) -> None:
    done = ingest(tmp_path, b"", "ingest")
    assert done.returncode == 2
    assert done.stderr.strip() == b"frontdesk: no message on stdin"


def test_held_lists_nothing_on_a_new_desk(tmp_path: Path) -> None:
    done = ingest(tmp_path, b"", "held")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == b"No emails are held for review."


@given(st.binary(max_size=3000), st.integers(min_value=1, max_value=2000))
def test_reading_is_capped_and_counts_every_byte(raw: bytes, limit: int) -> None:
    kept, size, truncated = read_capped(io.BytesIO(raw), limit)
    assert size == len(raw)
    assert truncated is (len(raw) > limit)
    if truncated:
        assert raw.startswith(kept)
    else:
        assert kept == raw
