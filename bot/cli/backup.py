"""`frontdesk backup PATH` and `frontdesk restore PATH`: the database and the attachments, while the bot runs
(see storage.backup and docs/deploy.md, "Backup and restore").

Rules:
- The database is FRONTDESK_DATABASE_URL; the attachment folder is the desk config's `[intake]
  attachments_folder` (FRONTDESK_CONFIG), or `--attachments FOLDER`, which needs no desk config.
- `backup` writes a new folder PATH (never an existing one) and may run while the bot runs; `restore` needs the
  bot stopped and an empty database, or `--replace` to overwrite one that has Frontdesk tables.
- Every problem exits 2 with one line on stderr, which never shows a password.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from bot.cli.errors import fail
from bot.config.desk import DeskConfigError, load_desk_config
from bot.config.environment import Settings
from bot.render import render
from storage import backup as backups
from storage import migrate
from storage.engine import open_database
from storage.errors import StorageError

_FOLDER = click.Path(file_okay=False, path_type=Path)
_ATTACHMENTS = click.option(
    "--attachments", type=_FOLDER, help="The attachment folder (default: the desk config's attachments_folder)."
)


@click.command()
@click.argument("path", type=_FOLDER)
@_ATTACHMENTS
def backup(path: Path, attachments: Path | None) -> None:
    """Back up the database and the attachments to the new folder PATH (safe while the bot runs)."""
    folder = attachments or _desk_attachments()
    try:
        database = open_database(os.environ, must_exist=True)
        try:
            manifest = backups.backup(database, folder, path, now=datetime.now(UTC))
        finally:
            database.dispose()
    except StorageError as error:
        fail(str(error))
    click.echo(render("cli/backup_done.txt.j2", manifest=manifest, path=path, url=database.safe_url), nl=False)


@click.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
@_ATTACHMENTS
@click.option("--replace", is_flag=True, help="Overwrite a database that already has Frontdesk tables.")
def restore(path: Path, attachments: Path | None, replace: bool) -> None:
    """Restore the backup in PATH into the database and the attachment folder (stop the bot first)."""
    folder = attachments or _desk_attachments()
    try:
        database = open_database(os.environ)
        try:
            manifest = backups.restore(database, folder, path, replace=replace)
            revisions = migrate.revisions(database)
        finally:
            database.dispose()
    except StorageError as error:
        fail(str(error))
    shown = render("cli/restore_done.txt.j2", manifest=manifest, path=path, url=database.safe_url, revisions=revisions)
    click.echo(shown, nl=False)


def _desk_attachments() -> Path:
    try:
        return load_desk_config(Settings.from_environment().config_path).intake.attachments_folder
    except DeskConfigError as error:
        fail(f"{error.problems[0]} (or give --attachments FOLDER)")
