"""`frontdesk demo`: play a support conversation against a local Slack and print it (see bot.cli.demo_story).

Rules: needs no Slack account, no configuration and no network beyond loopback; `--policy` picks the preset;
the demo's desk is kept in `--folder` (bot.cli.demo_folder), which the transcript names with the commands that
look at it. A folder the demo cannot use exits 2 with one line.
"""

from pathlib import Path

import click

from bot.cli.demo_folder import DEFAULT_FOLDER, DemoFolderError
from bot.cli.demo_story import run_demo
from bot.cli.errors import fail
from sla import presets


@click.command()
@click.option("--policy", "policy_name", default="owkin", show_default=True, help="The preset to play it with.")
@click.option(
    "--folder",
    type=click.Path(path_type=Path),
    default=DEFAULT_FOLDER,
    show_default=True,
    help="Where to keep the demo's database, desk config and attachments.",
)
def demo(policy_name: str, folder: Path) -> None:
    """Play a requester's conversation with the bot end to end and print the transcript."""
    if policy_name not in presets.names():
        fail(f'unknown preset "{policy_name}"; choose one of: {", ".join(presets.names())}')
    try:
        click.echo(run_demo(policy_name, folder), nl=False)
    except DemoFolderError as error:
        fail(str(error))
