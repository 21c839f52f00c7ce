"""`frontdesk webhooks test NAME`: a signed `ping` to one endpoint of the desk config, now, and what it answered
(docs/integrations.md, "Outgoing webhooks", "Trying an endpoint").

Rules:
- The ping goes through the outbox like every delivery (stored, signed at send time, its answer recorded), and this
  command sends it itself, that row only, waiting up to `--wait` seconds (10) for its outcome: retries after a
  5xx or a timeout happen within that wait; a ping still pending then is left to the workers.
- Exit 0 when the endpoint answered 2xx, 1 when it refused the ping or it is still not delivered (the status and
  the error are printed), 2 for a NAME the desk config does not have (the names are listed), a desk config with
  problems, an endpoint whose secret is not set, or a database that does not exist.
- The secret is read from the environment variable the endpoint's `secret_env` names; it is never printed.
"""

import os
import threading
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import click

from bot.cli.errors import fail
from bot.config.desk import DeskConfig, DeskConfigError, load_desk_config
from bot.config.environment import Settings
from bot.config.webhooks import Webhook
from bot.integrations.calls import HttpSender
from bot.integrations.webhooks.caller import SERVICE, WebhookCaller, read_secrets
from bot.integrations.webhooks.say import WebhookSayer
from bot.render import render
from storage import outbox
from storage.engine import Database, open_database
from storage.errors import StorageError
from storage.kinds import OutboxState

WAIT = 10.0


def utc_now() -> datetime:
    return datetime.now(UTC)


@click.group()
def webhooks() -> None:
    """Outgoing webhooks: try an endpoint."""


@webhooks.command("test")
@click.argument("name")
@click.option("--wait", default=WAIT, show_default=True, help="Seconds to wait for the endpoint's answer.")
def test(name: str, wait: float) -> None:
    """Send a signed ping to endpoint NAME now and show what it answered."""
    desk = _desk()
    hook = next((hook for hook in desk.webhooks if hook.name == name), None)
    if hook is None:
        fail(render("cli/webhooks_unknown.txt.j2", name=name, names=[h.name for h in desk.webhooks]).strip())
    secrets, problems = read_secrets([hook], os.environ)
    if problems:
        fail(problems[0])
    try:
        database = open_database(os.environ, must_exist=True)
    except StorageError as error:
        fail(str(error))
    try:
        entry = ping(database, desk, hook, WebhookCaller(secrets), wait=timedelta(seconds=wait))
    finally:
        database.dispose()
    click.echo(render("cli/webhooks_test.txt.j2", name=name, entry=entry), nl=False)
    raise SystemExit(0 if entry.state is OutboxState.SENT else 1)


def ping(database: Database, desk: DeskConfig, hook: Webhook, caller: WebhookCaller, *,
         wait: timedelta) -> outbox.OutboxEntry:  # fmt: skip
    """Stores a ping to `hook`, sends it (that row only) until it is sent or dead or `wait` is over; where it
    stands then."""
    now = utc_now()
    with database.write() as session:
        key = WebhookSayer(session, desk, now).ping(hook, cause=f"ping:{uuid4().hex}")
    sender = HttpSender(database, {SERVICE: caller}, utc_now)
    deadline, pause = now + wait, threading.Event()
    while True:
        sender.send_once(utc_now(), key=key)
        with database.read() as session:
            entry = outbox.outbox_entry(session, key)
        assert entry is not None
        moment = utc_now()
        if entry.state in (OutboxState.SENT, OutboxState.DEAD) or moment >= deadline:
            return entry
        until = min(deadline, entry.next_try_at or moment)
        pause.wait(max(0.05, (until - moment).total_seconds()))


def _desk() -> DeskConfig:
    try:
        return load_desk_config(Settings.from_environment().config_path)
    except DeskConfigError as error:
        fail(error.problems[0])
