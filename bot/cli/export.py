"""`frontdesk export --since DATE`: every request as JSON lines, for customers to verify SLAs independently.

Rules:
- DATE is YYYY-MM-DD (midnight UTC) or an ISO 8601 instant with a UTC offset; requests opened or changed on or
  after it are written, one JSON object per line (see storage.export), to stdout or --output FILE.
- A database without the tables, a bad URL or an unreachable server exits 2 with one line on stderr.
"""

import os
import sys
from datetime import UTC, date, datetime

import click

from bot.cli.errors import fail
from bot.cli.inputs import instant
from bot.render import render
from storage import migrate
from storage.engine import Database, open_database
from storage.errors import StorageError
from storage.export import write_export


def parse_since(text: str) -> datetime:
    """The instant DATE names: a date is midnight UTC; a date and time needs its UTC offset."""
    if len(text) != 10:
        return instant(text, "--since")
    try:
        return datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    except ValueError:
        fail(f'--since "{text}" is not a date such as 2026-11-01')


@click.command()
@click.option("--since", "since_text", required=True, metavar="DATE", help="YYYY-MM-DD or ISO 8601 instant.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout).")
def export(since_text: str, output: str | None) -> None:
    """Write every request changed since DATE, with deadlines and audit trail, as JSON lines."""
    since = parse_since(since_text)
    try:
        database = open_database(os.environ, must_exist=True)
        try:
            if migrate.revisions(database).current is None:
                fail(f"{database.safe_url} has no Frontdesk tables yet; run `frontdesk db upgrade` first")
            count = _write(database, since, output)
        finally:
            database.dispose()
    except StorageError as error:
        fail(str(error))
    if output is not None:
        click.echo(render("cli/export_done.txt.j2", count=count, path=output, since=since), nl=False)


def _write(database: Database, since: datetime, output: str | None) -> int:
    if output is None:
        return write_export(database, since, sys.stdout)
    try:
        with open(output, "w", encoding="utf-8") as file:
            return write_export(database, since, file)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
