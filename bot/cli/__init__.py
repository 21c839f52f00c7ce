"""The `frontdesk` command line.

Rules:
- One click group; every area keeps its subcommands in a module of its own and is registered here.
- Bad input (a usage error, an invalid policy, an unparseable instant) exits with status 2 and one clear line on
  stderr, `frontdesk: <what is wrong>`; never a traceback.
"""

import sys
from typing import Any

import click

from bot.cli.api_token import api_token
from bot.cli.backup import backup, restore
from bot.cli.db import db
from bot.cli.demo import demo
from bot.cli.doctor import doctor
from bot.cli.email import email
from bot.cli.export import export
from bot.cli.init import init
from bot.cli.maintenance import maintenance
from bot.cli.manifest import slack_manifest
from bot.cli.outbox import outbox
from bot.cli.policy import policy
from bot.cli.report import report
from bot.cli.run import run
from bot.cli.sla import sla
from bot.cli.status import status
from bot.cli.webhooks import webhooks
from bot.cli.worker import worker


class _Frontdesk(click.Group):
    """A group whose errors are one line each."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["standalone_mode"] = False
        try:
            return super().main(*args, **kwargs)
        except click.ClickException as error:
            click.echo(f"frontdesk: {error.format_message()}", err=True)
            sys.exit(error.exit_code)
        except click.exceptions.Abort:
            click.echo("frontdesk: aborted", err=True)
            sys.exit(1)


@click.group(cls=_Frontdesk, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="frontdesk")
def main() -> None:
    """Frontdesk: support intake in Slack with exact SLA clocks."""


main.add_command(demo)
main.add_command(doctor)
main.add_command(init)
main.add_command(policy)
main.add_command(run)
main.add_command(sla)
main.add_command(slack_manifest)
main.add_command(db)
main.add_command(export)
main.add_command(worker)
main.add_command(status)
main.add_command(maintenance)
main.add_command(outbox)
main.add_command(email)
main.add_command(report)
main.add_command(backup)
main.add_command(restore)
main.add_command(api_token)
main.add_command(webhooks)
