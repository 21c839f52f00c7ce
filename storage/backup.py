"""Backups of the database and the attachment store, and restoring them (docs/deploy.md, "Backup and restore").

Rules:
- A backup is a new folder holding `manifest.json` (format, backend, schema revision, when, what it holds), the
  database (`frontdesk.db` for SQLite, `frontdesk.pgdump` for PostgreSQL) and `attachments/`, the whole attachment
  store (the emails' raw bytes under `mail/` included). It is written under `<folder>.partial` and renamed when
  whole, so a backup folder that exists is complete. A folder that already exists is never written into.
- SQLite: the online backup API copies every page from one read transaction, so the copy is the database as one
  instant left it while the bot goes on writing (in WAL mode readers and the writer do not wait for each other).
  The copy is made one self-contained file (journal_mode=DELETE) and must pass `PRAGMA integrity_check`.
- PostgreSQL: `pg_dump --format=custom` (one snapshot, taken in a repeatable-read transaction), restored with
  `pg_restore --single-transaction --no-owner --exit-on-error`. Both must be on PATH. The password reaches them
  through PGPASSWORD, never their command line, and nothing they print is shown unmasked.
- The attachments are copied after the database snapshot. A file is stored (synced, renamed into place) before
  the row that names it is committed, and a stored file is never changed or removed, so every file the snapshot
  names is in the copy; files stored after the snapshot may come along and are harmless. Temporary `.incoming-`
  files are left out. A file named by a SHA-256 is checked against its content when it is copied, both ways.
- Restore refuses a database that already has Frontdesk tables unless `replace` is given (SQLite: the file is
  overwritten through the backup API; PostgreSQL: `pg_restore --clean --if-exists`). Files are added to the
  attachment folder; a file already there under the same name is the same content (it is named by its hash) and
  is kept. The bot must be stopped while a restore runs; it upgrades an older schema when it starts.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path

from sqlalchemy.engine import URL

from storage import migrate
from storage.engine import Database, mask_passwords, secrets_of
from storage.errors import StorageError

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "frontdesk.db"
PG_DUMP_FILE = "frontdesk.pgdump"
ATTACHMENTS = "attachments"
CHUNK = 1024 * 1024
_HASH_NAME = re.compile(r"[0-9a-f]{64}")
_TEMPORARY = ".incoming-"


class BackupError(StorageError):
    """A backup cannot be made or restored; the message says why in one line."""


@dataclass(frozen=True)
class Manifest:
    """What a backup folder holds."""

    backend: str
    revision: str | None
    created_at: str
    frontdesk: str
    files: int
    bytes: int

    @property
    def database_file(self) -> str:
        return SQLITE_FILE if self.backend == "sqlite" else PG_DUMP_FILE

    def to_json(self) -> str:
        values = {"format": FORMAT, "database": self.database_file, **self.__dict__}
        return json.dumps(values, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Copied:
    files: int
    bytes: int


def backup(database: Database, attachments: Path, folder: Path, *, now: datetime) -> Manifest:
    """Writes a backup of `database` and the attachment folder `attachments` to the new folder `folder`."""
    if folder.exists():
        raise BackupError(f"{folder} already exists; give a new folder for the backup")
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        partial.mkdir(parents=True)
    except OSError as error:
        raise BackupError(f"cannot create {partial}: {error.strerror}") from None
    try:
        if database.backend == "sqlite":
            revision = _sqlite_backup(_sqlite_file(database), partial / SQLITE_FILE)
        else:
            revision = migrate.revisions(database).current
            _pg_run("pg_dump", database.engine.url, "--format=custom", f"--file={partial / PG_DUMP_FILE}")
        copied = copy_files(attachments, partial / ATTACHMENTS)
        manifest = Manifest(database.backend, revision, now.isoformat(), _version(), copied.files, copied.bytes)
        (partial / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
        os.replace(partial, folder)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return manifest


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the backup in `folder`; BackupError when it is not a Frontdesk backup of this format."""
    try:
        values = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{folder} is not a Frontdesk backup (no {MANIFEST})") from None
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder / MANIFEST} cannot be read: {error}") from None
    if not isinstance(values, dict) or values.get("format") != FORMAT:
        raise BackupError(f"{folder / MANIFEST} is not a backup of format {FORMAT}")
    try:
        manifest = Manifest(**{name: values[name] for name in Manifest.__dataclass_fields__})
    except KeyError as error:
        raise BackupError(f"{folder / MANIFEST} has no {error.args[0]}") from None
    if not (folder / manifest.database_file).is_file():
        raise BackupError(f"{folder} has no {manifest.database_file}: the backup is incomplete")
    return manifest


def restore(database: Database, attachments: Path, folder: Path, *, replace: bool = False) -> Manifest:
    """Restores the backup in `folder` into `database` and the attachment folder `attachments`."""
    manifest = read_manifest(folder)
    if manifest.backend != database.backend:
        raise BackupError(f"{folder} is a {manifest.backend} backup; FRONTDESK_DATABASE_URL names {database.backend}")
    if not replace and migrate.revisions(database).current is not None:
        raise BackupError(f"{database.safe_url} already has Frontdesk tables; restore into an empty one, or --replace")
    database.dispose()  # no connection of ours is open on the database while it is replaced
    if database.backend == "sqlite":
        _sqlite_restore(folder / SQLITE_FILE, _sqlite_file(database))
    else:
        clean = ["--clean", "--if-exists"] if replace else []
        options = ["--single-transaction", "--no-owner", "--exit-on-error", *clean]
        _pg_run("pg_restore", database.engine.url, *options, str(folder / PG_DUMP_FILE))
    copy_files(folder / ATTACHMENTS, attachments)
    return manifest


def copy_files(source: Path, target: Path) -> Copied:
    """Copies every file under `source` to the same place under `target` (a file already there is kept),
    checking each file named by a SHA-256 against its content; the count and bytes of the files under `source`."""
    files = size = 0
    for path in _files(source):
        relative = path.relative_to(source)
        destination = target / relative
        size += _copy_checked(path, destination, relative)
        files += 1
    return Copied(files, size)


def _files(source: Path) -> Iterator[Path]:
    if not source.is_dir():
        return
    for folder, folders, names in os.walk(source):
        folders.sort()
        for name in sorted(names):
            if not name.startswith(_TEMPORARY):
                yield Path(folder) / name


def _copy_checked(path: Path, destination: Path, relative: Path) -> int:
    """Copies `path` to `destination` through a temporary file, synced and renamed; its size."""
    if destination.exists():
        return destination.stat().st_size
    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = destination.with_name(_TEMPORARY + destination.name)
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as reading, temporary.open("wb") as writing:
            while chunk := reading.read(CHUNK):
                digest.update(chunk)
                writing.write(chunk)
                size += len(chunk)
            writing.flush()
            os.fsync(writing.fileno())
        if _HASH_NAME.fullmatch(path.name) and digest.hexdigest() != path.name:
            raise BackupError(f"{relative} does not hold the content its name says (SHA-256 {digest.hexdigest()})")
        os.replace(temporary, destination)
    except OSError as error:
        raise BackupError(f"cannot copy {relative}: {error.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)
    return size


def _sqlite_file(database: Database) -> Path:
    name = database.engine.url.database
    if name in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(str(name))


def _sqlite_backup(source: Path, copy: Path) -> str | None:
    """Copies `source` to `copy` with the online backup API; the schema revision the copy is at."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    try:
        with _sqlite(source) as reading, _sqlite(copy) as writing:
            reading.backup(writing)  # every page in one step: one read transaction, one instant
            writing.execute("PRAGMA journal_mode=DELETE")
            (verdict,) = writing.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"the copy of {source} fails its integrity check: {verdict}")
            return _sqlite_revision(writing)
    except sqlite3.Error as error:
        raise BackupError(f"cannot back up {source}: {error}") from None


def _sqlite_restore(copy: Path, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with _sqlite(copy) as reading, _sqlite(target) as writing:
            (verdict,) = reading.execute("PRAGMA integrity_check").fetchone()
            if verdict != "ok":
                raise BackupError(f"{copy} fails its integrity check: {verdict}")
            reading.backup(writing)
    except sqlite3.Error as error:
        raise BackupError(f"cannot restore {copy} to {target}: {error}") from None


class _sqlite:
    """A sqlite3 connection closed at the end of a with block (sqlite3's own only ends a transaction)."""

    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, timeout=30, isolation_level=None)

    def __enter__(self) -> sqlite3.Connection:
        return self.connection

    def __exit__(self, *exc: object) -> None:
        self.connection.close()


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:
        return None
    return None if row is None else str(row[0])


def _pg_run(program: str, url: URL, *arguments: str) -> None:
    """Runs pg_dump or pg_restore against `url`, the password in the environment; BackupError on failure."""
    found = shutil.which(program)
    if found is None:
        raise BackupError(f"{program} is not on PATH (Debian's postgresql-client package); it is needed for PostgreSQL")
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    environment: Mapping[str, str] = {**os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {})}
    command = [found, f"--dbname={conninfo}", *arguments]
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()] or [f"exit status {done.returncode}"]
        raise BackupError(f"{program} failed: {mask_passwords(lines[0], secrets_of(url))}")


def _version() -> str:
    try:
        return metadata.version("frontdesk")
    except metadata.PackageNotFoundError:
        return "unknown"
