"""The `frontdesk` command line.

Rules: one click group; every area keeps its subcommands in a module of its own and is registered here.
Bad input exits with status 2 and one clear line on stderr (click's usage errors do exactly that).
"""

import click

from bot.cli.policy import policy
from bot.cli.sla import sla


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="frontdesk")
def main() -> None:
    """Frontdesk: support intake in Slack with exact SLA clocks."""


main.add_command(policy)
main.add_command(sla)
