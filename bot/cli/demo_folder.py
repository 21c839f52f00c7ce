"""Where `frontdesk demo` keeps its desk: one folder with the database, the desk config and the attachments.

Rules:
- The folder (`frontdesk-demo` in the current directory unless `--folder` names another) holds `frontdesk.db`,
  `frontdesk.toml` and `attachments/`, the names `frontdesk report`, `status` and `export` read by default: run in
  that folder, they read the demo's desk with no setting (docs/reports.md, "The demo's desk").
- A folder is a demo's when it holds the demo's mark (an empty `.frontdesk-demo` file). A new demo replaces a
  demo's database, desk config and attachments and leaves every other file there alone; a folder that is neither
  missing, empty nor a demo's is refused (`DemoFolderError`, one line), so the demo never deletes what it did not
  make.
"""

import shutil
from pathlib import Path

DEFAULT_FOLDER = "frontdesk-demo"
MARK, DATABASE, CONFIG, ATTACHMENTS = ".frontdesk-demo", "frontdesk.db", "frontdesk.toml", "attachments"
# The database and SQLite's files beside it.
DATABASE_FILES = (DATABASE, f"{DATABASE}-wal", f"{DATABASE}-shm", f"{DATABASE}-journal")


class DemoFolderError(Exception):
    """The folder cannot hold a new demo; the message names it and says why."""


def prepare(folder: Path) -> Path:
    """`folder` (made absolute) ready for a new demo: created, or a previous demo's desk removed from it."""
    folder = folder.expanduser().resolve()
    if folder.exists() and not folder.is_dir():
        raise DemoFolderError(f"{folder} is a file; name a folder for the demo with --folder")
    if folder.is_dir() and any(folder.iterdir()) and not (folder / MARK).is_file():
        raise DemoFolderError(
            f"{folder} is not empty and was not made by `frontdesk demo`; name another folder with --folder"
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in (*DATABASE_FILES, CONFIG):
            (folder / name).unlink(missing_ok=True)
        shutil.rmtree(folder / ATTACHMENTS, ignore_errors=True)
        (folder / MARK).touch()
    except OSError as error:
        raise DemoFolderError(f"cannot prepare {folder} for the demo: {error.strerror}") from None
    return folder
