"""`frontdesk init`: write a commented starting desk config.

Rules:
- Writes to FRONTDESK_CONFIG (default ./frontdesk.toml) or the given path; never overwrites an existing file
  unless --force is given.
- The file it writes must load as soon as the placeholder Slack ids are replaced (tested).
"""

from pathlib import Path

import click

from bot.cli.errors import fail
from bot.config.environment import Settings
from bot.render import render
from sla import presets


@click.command()
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--policy", "policy_name", default="owkin", show_default=True, help="The preset to start from.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path | None, policy_name: str, force: bool) -> None:
    """Write a commented starting desk config."""
    target = path or Settings.from_environment().config_path
    if target.exists() and not force:
        fail(f"{target} exists; use --force to overwrite it")
    if policy_name not in presets.names():
        fail(f'unknown preset "{policy_name}"; choose one of: {", ".join(presets.names())}')
    text = render(
        "config/frontdesk.toml.j2",
        policy=policy_name,
        presets=presets.names(),
        default_plan=presets.load(policy_name).default_plan,
    )
    target.write_text(text, encoding="utf-8")
    click.echo(f"wrote {target}; put your Slack channel and user ids in it, then run `frontdesk run`")
