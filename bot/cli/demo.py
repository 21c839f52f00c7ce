"""`frontdesk demo`: play a support conversation against a local Slack and print it (see bot.cli.demo_story).

Rules: needs no Slack account, no configuration and no network beyond loopback; `--policy` picks the preset.
"""

import click

from bot.cli.demo_story import run_demo
from bot.cli.errors import fail
from sla import presets


@click.command()
@click.option("--policy", "policy_name", default="owkin", show_default=True, help="The preset to play it with.")
def demo(policy_name: str) -> None:
    """Play a requester's conversation with the bot end to end and print the transcript."""
    if policy_name not in presets.names():
        fail(f'unknown preset "{policy_name}"; choose one of: {", ".join(presets.names())}')
    click.echo(run_demo(policy_name), nl=False)
