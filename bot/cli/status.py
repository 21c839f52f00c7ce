"""`frontdesk status`: queue depths, the oldest waiting item, dead letters, the channels the bot is not in and each
sweep's last run.

Rules: read-only, on the configured database (FRONTDESK_DATABASE_URL); it needs no Slack
setting, so it answers while the bot is down. The outbox counts parked messages (waiting for the bot to be
invited to their channel) and dismissed dead letters apart from the dead ones. Exit 0 when nothing needs a
person, 1 when there are dead letters or channels the bot must be invited to (so a monitor can alert; a
dismissed dead letter does not count, `frontdesk outbox retry|dismiss` clears the others), 2 when the database
cannot be read.
"""

import os
from datetime import UTC, datetime

import click

from bot.cli.errors import fail
from bot.render import render
from storage import channel_waits, inbox, outbox, sweep_runs
from storage.engine import open_database
from storage.errors import StorageError
from storage.kinds import OutboxState

SHOWN = 20


@click.command()
def status() -> None:
    """Show queue depths, the oldest waiting items, dead letters, channels to invite the bot to and the sweeps."""
    try:
        database = open_database(os.environ, must_exist=True)
        with database.read() as session:
            values = {
                "inbox": inbox.inbox_counts(session),
                "outbox": outbox.outbox_counts(session),
                "oldest_inbox": inbox.oldest_pending(session),
                "oldest_outbox": outbox.oldest_pending(session),
                "dead": outbox.dead_letters(session, limit=SHOWN),
                "waiting": channel_waits.waiting(session),
                "sweeps": sweep_runs.sweep_runs(session),
            }
        database.dispose()
    except StorageError as error:
        fail(str(error))
    click.echo(render("cli/status.txt.j2", now=datetime.now(UTC), **values), nl=False)
    if values["outbox"].get(OutboxState.DEAD, 0) or values["waiting"]:
        raise SystemExit(1)
