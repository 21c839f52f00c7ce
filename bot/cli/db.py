"""`frontdesk db upgrade`: create the database tables, or bring them to the newest version.

Rules:
- The database is FRONTDESK_DATABASE_URL (default: the SQLite file frontdesk.db in the working directory).
- The migrations ship inside the installed package; running the command twice is harmless.
- A bad URL or an unreachable database exits 2 with one line on stderr, which never shows a password.
"""

import os

import click

from bot.cli.errors import fail
from bot.render import render
from storage import migrate
from storage.engine import open_database
from storage.errors import StorageError


@click.group()
def db() -> None:
    """Manage the database."""


@db.command()
def upgrade() -> None:
    """Create the tables or upgrade them to the newest version."""
    try:
        database = open_database(os.environ)
        try:
            before = migrate.revisions(database)
            after = migrate.upgrade(database)
        finally:
            database.dispose()
    except StorageError as error:
        fail(str(error))
    click.echo(render("cli/db_upgrade.txt.j2", url=database.safe_url, before=before, after=after), nl=False)
