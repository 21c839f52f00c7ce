"""`frontdesk outbox retry ID|--all` and `frontdesk outbox dismiss ID`: what a person does with dead letters.

Rules: on the configured database (FRONTDESK_DATABASE_URL), which must exist. `retry` puts a dead letter (or every
one, with --all) back to pending with its attempts reset, so the running delivery worker sends it again;
`dismiss` keeps one as dismissed, never sent and no longer counted by `frontdesk status`. Each is audited
(storage.dead_letters) with the actor "cli". An ID is the number `frontdesk status` shows (`12` or `#12`); an
unknown ID, or a message that is not a dead letter, is bad input: exit 2 and one line.
"""

import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TypeVar

import click

from bot.actor import CLI_ACTOR
from bot.cli.errors import fail
from bot.render import render
from storage import dead_letters
from storage.engine import Session, open_database
from storage.errors import StorageError

T = TypeVar("T")


@click.group()
def outbox() -> None:
    """Dead letters: messages that could not be delivered."""


@outbox.command("retry")
@click.argument("row", metavar="[ID]", required=False)
@click.option("--all", "every", is_flag=True, help="Every dead letter.")
def retry(row: str | None, every: bool) -> None:
    """Send a dead letter (or every one) again, its attempts reset."""
    if every == (row is not None):
        fail("give the ID of a dead letter (frontdesk status lists them) or --all, not both")
    now = datetime.now(UTC)
    if every:
        ids = _write(lambda session: dead_letters.retry_all(session, actor=CLI_ACTOR, now=now))
    else:
        row_id = _id(row)
        _write(lambda session: dead_letters.retry(session, row_id, actor=CLI_ACTOR, now=now))
        ids = [row_id]
    click.echo(render("cli/outbox_done.txt.j2", done="retried", ids=ids, every=every), nl=False)


@outbox.command("dismiss")
@click.argument("row", metavar="ID")
def dismiss(row: str) -> None:
    """Set a dead letter aside: kept, never sent, no longer counted by `frontdesk status`."""
    row_id, now = _id(row), datetime.now(UTC)
    _write(lambda session: dead_letters.dismiss(session, row_id, actor=CLI_ACTOR, now=now))
    click.echo(render("cli/outbox_done.txt.j2", done="dismissed", ids=[row_id], every=False), nl=False)


def _id(text: str | None) -> int:
    digits = str(text or "").strip().removeprefix("#")
    if not digits.isdigit() or not 0 < int(digits) < 2**62:
        fail(f'"{text}" is not the ID of a dead letter, such as 12 (frontdesk status lists them)')
    return int(digits)


def _write(change: Callable[[Session], T]) -> T:
    try:
        database = open_database(os.environ, must_exist=True)
        with database.write() as session:
            done = change(session)
        database.dispose()
    except StorageError as error:
        fail(str(error))
    return done
