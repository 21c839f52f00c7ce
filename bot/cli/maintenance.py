"""`frontdesk maintenance add|list`: maintenance windows, announced to customers by the running bot.

Rules: `add --start ISO --end ISO --title TEXT [--planned|--unplanned]` stores the window (audited) in the
configured database (upgraded first) and says when its notices go out; instants need their UTC offset; an end
not after the start is refused. `--service ID` (repeated) names the services it takes down, ids of the desk
config's `[[services]]` (none: every service); an unknown one is refused, listing the known ones. Bad input:
exit 2 and one line. `list` shows the windows from a week ago on, with their services.
- Both print instants in the desk's local time: its policy's time zone when the desk config (FRONTDESK_CONFIG)
  reads, else the machine's, with the UTC offset (docs/operations.md, "Maintenance windows").
"""

import os
from datetime import UTC, datetime, timedelta, tzinfo

import click

from bot.actor import CLI_ACTOR
from bot.cli.errors import fail
from bot.cli.inputs import instant
from bot.config.desk import DeskConfigError, load_desk_config
from bot.config.environment import Settings
from bot.render import render
from storage import migrate, service_events
from storage.engine import open_database
from storage.errors import StorageError


@click.group()
def maintenance() -> None:
    """Maintenance windows: announced to customers, left out of availability."""


@maintenance.command("add")
@click.option(
    "--start", "start_text", required=True, metavar="ISO", help="When it starts, e.g. 2026-12-05T22:00+01:00."
)
@click.option("--end", "end_text", required=True, metavar="ISO", help="When it ends.")
@click.option("--title", required=True, help="What customers are told, e.g. 'Database upgrade'.")
@click.option(
    "--planned/--unplanned", default=True, show_default=True, help="Planned windows are announced a week ahead."
)
@click.option(
    "--service", "services", multiple=True, metavar="ID", help="A service it takes down (repeat; none: every one)."
)
def add(start_text: str, end_text: str, title: str, planned: bool, services: tuple[str, ...]) -> None:
    """Add a maintenance window."""
    start, end = instant(start_text, "--start"), instant(end_text, "--end")
    if end <= start:
        fail("--end must be after --start")
    if not title.strip():
        fail("--title must say what the maintenance is")
    services = _known_services(services)
    now = datetime.now(UTC)
    try:
        database = open_database(os.environ)
        migrate.upgrade(database)
        with database.write() as session:
            window = service_events.add_maintenance(
                session, title=title.strip(), starts_at=start, ends_at=end, actor=CLI_ACTOR, now=now, planned=planned,
                services=services,
            )  # fmt: skip
        database.dispose()
    except StorageError as error:
        fail(str(error))
    zone = local_zone()
    click.echo(render("cli/maintenance_added.txt.j2", id=window, title=title.strip(), start=start.astimezone(zone),
                      end=end.astimezone(zone), planned=planned, services=services), nl=False)  # fmt: skip


@maintenance.command("list")
def list_windows() -> None:
    """The maintenance windows from a week ago on."""
    now = datetime.now(UTC)
    try:
        database = open_database(os.environ, must_exist=True)
        with database.read() as session:
            windows = service_events.maintenance_since(session, now - timedelta(weeks=1))
        database.dispose()
    except StorageError as error:
        fail(str(error))
    click.echo(render("cli/maintenance_list.txt.j2", windows=windows, zone=local_zone()), nl=False)


def _known_services(named: tuple[str, ...]) -> tuple[str, ...]:
    """The ids of the desk's services `named` (by id or name); none when none is named."""
    if not named:
        return ()
    try:
        desk = load_desk_config(Settings.from_environment().config_path)
    except DeskConfigError as error:
        fail(f"--service needs the desk config to know its services: {error.problems[0]}")
    found = [(name, desk.service_named(name)) for name in named]
    unknown = [name for name, service in found if service is None]
    if unknown:
        known = ", ".join(s.id for s in desk.services) or "the desk config names none"
        fail(f'--service "{unknown[0]}" is not a service of this desk ({known})')
    return tuple(dict.fromkeys(service.id for _, service in found if service is not None))


def local_zone() -> tzinfo | None:
    """The desk's time zone (its policy's calendar), or None for the machine's when no desk config reads."""
    try:
        return load_desk_config(Settings.from_environment().config_path).policy.calendar.zone
    except DeskConfigError:
        return None
