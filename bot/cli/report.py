"""`frontdesk report --month YYYY-MM`: the month's SLA compliance, availability and credits (bot.reports).

Rules:
- `--plan NAME` narrows to one plan of the policy, `--customer NAME` to one customer (only their data),
  `--service ID` the availability to one service of the desk config's (the outages and windows that hit it);
  `--format` is text (tables, the default), csv, json or html (a standalone page with charts); stdout or
  `--output FILE`.
- The month is in the policy's time zone. Without `--month`, the month before the current one.
- A bad month, plan or customer, a wrong desk config, a database without the tables or at an older revision
  (`frontdesk db upgrade` first), a bad URL or an unreachable server: exit 2 with one line on stderr.
"""

import os
from datetime import UTC, datetime

import click

from bot.cli.errors import fail
from bot.config.desk import DeskConfigError, load_desk_config
from bot.config.environment import Settings
from bot.reports.formats import FORMATS, formatted
from bot.reports.monthly import Month, ReportError, build_report
from storage import migrate
from storage.engine import open_database
from storage.errors import StorageError


@click.command()
@click.option("--month", "month_text", metavar="YYYY-MM", help="The month (default: the previous one).")
@click.option("--plan", help="Only this plan of the policy.")
@click.option("--customer", help="Only this customer (their requests, outages and credits).")
@click.option("--service", help="Availability of this service only (an id of the desk config's [[services]]).")
@click.option("--format", "form", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="File (default: stdout).")
def report(
    month_text: str | None, plan: str | None, customer: str | None, service: str | None, form: str, output: str | None
) -> None:
    """Report a month's SLA compliance, availability and service credits."""
    try:
        desk = load_desk_config(Settings.from_environment().config_path)
    except DeskConfigError as error:
        fail(error.problems[0])
    try:
        month = Month.parse(month_text) if month_text else Month.before(datetime.now(UTC), desk.policy.calendar.zone)
        database = open_database(os.environ, must_exist=True)
        try:
            if not migrate.revisions(database).up_to_date:
                fail(f"{database.safe_url} is not at the current schema; run `frontdesk db upgrade` first")
            text = formatted(build_report(database, desk, month, plan=plan, customer=customer, service=service), form)
        finally:
            database.dispose()
    except (ReportError, StorageError) as error:
        fail(str(error))
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as file:
            file.write(text)
    except OSError as error:
        fail(f"cannot write {output}: {error.strerror}")
