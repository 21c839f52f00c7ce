"""`frontdesk backup` and `frontdesk restore`: a backup taken while requests and their files are being written
restores to a consistent database with every file it names, on SQLite and on PostgreSQL."""

import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import col, func, select

from slack_emulator import Workspace
from storage.attachments import AttachmentStore
from storage.engine import Database
from storage.messages import add_attachment
from storage.migrate import head_revision
from storage.tables import Attachment, AuditEvent, Ticket
from storage.tickets import open_ticket
from tests.bot.cli.conftest import run_console_script, run_frontdesk
from tests.bot.cli.test_run import desk_file
from tests.storage.helpers import NOW


@dataclass
class Writer:
    """Opens requests with one new file each, one transaction per request, until stopped; `ready` is set once
    `at_least` are committed (or it failed)."""

    database: Database
    store: AttachmentStore
    at_least: int
    committed: int = 0
    ready: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                self._write_one(self.committed)
                self.committed += 1
                if self.committed >= self.at_least:
                    self.ready.set()
        except BaseException as error:
            self.error = error
        finally:
            self.ready.set()

    def _write_one(self, number: int) -> None:
        stored = self.store.save(f"log line {number}\n".encode() * 50, f"log-{number}.txt")
        with self.database.write() as session:
            now = NOW + timedelta(seconds=number)
            ticket = open_ticket(session, kind="incident", actor="U1", now=now, description=f"#{number}")
            add_attachment(
                session, ticket.id, name=stored.name, size=stored.size, content_type=stored.content_type,
                sha256=stored.sha256, stored_path=stored.stored_path, actor="U1", now=now,
            )  # fmt: skip


@contextmanager
def writing(database: Database, store: AttachmentStore, *, at_least: int) -> Iterator[Writer]:
    """A writer running in a thread; the block starts once it has committed `at_least` requests."""
    writer = Writer(database, store, at_least)
    thread = threading.Thread(target=writer.run, daemon=True)
    thread.start()
    try:
        assert writer.ready.wait(timeout=60)
        assert writer.error is None, writer.error
        yield writer
    finally:
        writer.stop.set()
        thread.join(timeout=60)
    assert writer.error is None, writer.error


def _restored_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        (tmp_path / "restored").mkdir()
        return f"sqlite:///{tmp_path / 'restored' / 'frontdesk.db'}"
    server = request.getfixturevalue("postgres_server")
    name = f"restored_{os.getpid()}_{tmp_path.name}"[:60]
    url = str(server.create_database(name))
    request.addfinalizer(lambda: server.drop_database(name))
    return url


def _check_consistent(database: Database, attachments: Path) -> int:
    """Every request has its opening audit event and its file, and every file is there with its content."""
    with database.read() as session:
        tickets = session.exec(select(func.count()).select_from(Ticket)).one()
        opened = session.exec(
            select(func.count()).select_from(AuditEvent).where(col(AuditEvent.action) == "ticket.opened")
        ).one()
        files = session.exec(select(Attachment)).all()
    assert tickets == opened == len(files)
    for row in files:
        content = (attachments / row.stored_path).read_bytes()
        assert hashlib.sha256(content).hexdigest() == row.sha256
    return int(tickets)


def test_a_backup_taken_while_requests_are_written_restores_whole(
    db: Database, database_url: str, backend: str, tmp_path: Path, monkeypatch, request
) -> None:
    attachments = tmp_path / "attachments"
    (attachments / "mail").mkdir(parents=True)
    (attachments / "mail" / ".incoming-abc").write_bytes(b"half a file")  # a file being stored: left out
    target = tmp_path / "backup-1"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    with writing(db, AttachmentStore(attachments), at_least=20) as writer:
        before = writer.committed
        made = run_console_script("backup", str(target), "--attachments", str(attachments))  # another process
        after = writer.committed
    assert made.exit_code == 0, made.stderr
    assert after > before, "the writer went on writing while the backup was taken"
    assert f"to {target}." in made.stdout
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["backend"] == backend
    assert manifest["revision"] == head_revision()
    assert not (target / "attachments" / "mail" / ".incoming-abc").exists()
    assert not target.with_name("backup-1.partial").exists()

    restored_url = _restored_url(backend, tmp_path, request)
    restored_files = tmp_path / "restored-attachments"
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", restored_url)
    done = run_frontdesk("restore", str(target), "--attachments", str(restored_files))
    assert done.exit_code == 0, done.stderr
    assert "Restored" in done.stdout
    restored = Database.from_url(restored_url)
    try:
        count = _check_consistent(restored, restored_files)
    finally:
        restored.dispose()
    assert before <= count <= after
    _check_consistent(db, attachments)


@pytest.fixture
def backed_up(db: Database, database_url: str, tmp_path: Path, monkeypatch) -> Path:
    with db.write() as session:
        open_ticket(session, kind="question", actor="U1", now=NOW, description="one")
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    target = tmp_path / "backup"
    assert run_frontdesk("backup", str(target), "--attachments", str(tmp_path / "none")).exit_code == 0
    return target


def test_a_backup_never_writes_into_an_existing_folder(backed_up: Path, tmp_path: Path) -> None:
    again = run_frontdesk("backup", str(backed_up), "--attachments", str(tmp_path / "none"))
    assert again.exit_code == 2
    assert again.stderr == f"frontdesk: {backed_up} already exists; give a new folder for the backup\n"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_restore_refuses_a_database_with_tables_unless_replace(
    backed_up: Path, db: Database, tmp_path: Path, monkeypatch
) -> None:
    with db.write() as session:
        open_ticket(session, kind="question", actor="U1", now=NOW, description="after the backup")
    refused = run_frontdesk("restore", str(backed_up), "--attachments", str(tmp_path / "files"))
    assert refused.exit_code == 2
    assert "already has Frontdesk tables; restore into an empty one, or --replace" in refused.stderr
    replaced = run_frontdesk("restore", str(backed_up), "--attachments", str(tmp_path / "files"), "--replace")
    assert replaced.exit_code == 0, replaced.stderr
    with db.read() as session:
        assert session.exec(select(Ticket.description)).all() == ["one"]


@pytest.mark.parametrize("backend", ["sqlite"])
def test_restore_refuses_a_backup_whose_file_does_not_match_its_hash(backed_up: Path, tmp_path: Path, monkeypatch):
    bad = backed_up / "attachments" / "ab" / ("ab" + "0" * 62)
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not what the name says")
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    refused = run_frontdesk("restore", str(backed_up), "--attachments", str(tmp_path / "files"))
    assert refused.exit_code == 2
    assert f"ab/ab{'0' * 62} does not hold the content its name says" in refused.stderr


def test_restore_of_a_folder_that_is_no_backup_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")
    refused = run_frontdesk("restore", str(tmp_path), "--attachments", str(tmp_path / "files"))
    assert refused.exit_code == 2
    assert refused.stderr == f"frontdesk: {tmp_path} is not a Frontdesk backup (no manifest.json)\n"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_attachment_folder_is_the_desk_configs_by_default(database_url: str, tmp_path: Path, monkeypatch) -> None:
    config = desk_file(tmp_path, Workspace.example())  # attachments_folder: the default, beside the config
    stored = AttachmentStore(tmp_path / "attachments").save(b"a screenshot", "shot.txt")
    monkeypatch.setenv("FRONTDESK_CONFIG", str(config))
    monkeypatch.setenv("FRONTDESK_DATABASE_URL", database_url)
    made = run_frontdesk("backup", str(tmp_path / "backup"))
    assert made.exit_code == 0, made.stderr
    assert "and 1 attachment file(s), 12 bytes, to" in made.stdout
    assert (tmp_path / "backup" / "attachments" / stored.stored_path).read_bytes() == b"a screenshot"
    monkeypatch.setenv("FRONTDESK_CONFIG", str(tmp_path / "missing.toml"))
    refused = run_frontdesk("backup", str(tmp_path / "backup-2"))
    assert refused.exit_code == 2
    assert refused.stderr.endswith("(or give --attachments FOLDER)\n")
