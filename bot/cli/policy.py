"""`frontdesk policy show|check`: read a policy as tables, or validate a policy file.

Rules:
- PRESET_OR_FILE is a preset name (owkin, kissflow, k0nsult, livepro, kiwi) or a path to a TOML policy.
- `check` prints a one-line summary and exits 0, or prints the error (file, key, problem) and exits 2.
- `show --plan NAME` shows one plan; holidays are listed from `--today` (default: today in UTC).
- `show` names the published policy a file follows (its `source` key) and never the file it was read from: a policy
  without `source` is shown by its title and name alone.
"""

from datetime import UTC, date, datetime
from pathlib import Path

import click

from bot.cli import policy_view
from bot.cli.errors import fail
from bot.render import render
from sla import presets
from sla.policy import Policy, PolicyLookupError
from sla.policy_reader import PolicyError


def load_or_fail(name_or_path: str) -> Policy:
    """The policy, or exit 2 with its error."""
    try:
        return presets.load(name_or_path)
    except PolicyError as error:
        fail(str(error))


@click.group()
def policy() -> None:
    """Show or check a support policy."""


@policy.command()
@click.argument("preset_or_file")
@click.option("--plan", "plan_name", help="Show only this plan.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="List holidays from this date (default today).")
def show(preset_or_file: str, plan_name: str | None, today: datetime | None) -> None:
    """Show a policy as readable tables."""
    loaded = load_or_fail(preset_or_file)
    try:
        plans = [loaded.plan(plan_name)] if plan_name else list(loaded.plans.values())
    except PolicyLookupError as error:
        fail(str(error))
    day: date = today.date() if today else datetime.now(UTC).date()
    click.echo(
        render(
            "cli/policy_show.txt.j2",
            policy=loaded,
            source=stated_source(loaded, preset_or_file),
            plans=plans,
            tables={plan.name: policy_view.target_tables(loaded, plan) for plan in plans},
            holidays=policy_view.upcoming_holidays(loaded, day),
            priority_rows=policy_view.priority_rows(loaded),
            matrix_rows=policy_view.matrix_rows(loaded),
            pausable=sorted({target.name for plan in plans for target in plan.all_targets() if target.pausable}),
        ),
        nl=False,
    )


def stated_source(loaded: Policy, preset_or_file: str) -> str | None:
    """The policy's `source`, or None when it has none (the loader then names the file it was read from)."""
    read_from = f"{preset_or_file}.toml" if preset_or_file in presets.names() else Path(preset_or_file).name
    return None if loaded.source == read_from else loaded.source


@policy.command()
@click.argument("preset_or_file")
def check(preset_or_file: str) -> None:
    """Validate a policy: a summary and exit 0, or the error and exit 2."""
    click.echo(render("cli/policy_check.txt.j2", policy=load_or_fail(preset_or_file)), nl=False)
