"""`frontdesk sla due`: the deadline of one target, as docs/architecture.md, "Commands" defines it.

Rules:
- `--opened` is the instant the target starts, with a UTC offset (a naive instant is bad input); `--opened -`
  reads one instant per line from stdin and prints one answer per line, in order (blank lines are skipped).
- `--pause A/B` (repeatable) is a pause from A to B; it only applies to a target the policy makes pausable, and
  giving one for any other target is bad input rather than silently ignored.
- The answer is ISO 8601 in the target calendar's UTC offset, or `none` when the target has no deadline.
- Bad input exits 2 with one line on stderr; with stdin, answers already printed stay printed and the line
  number of the bad one is named.
"""

import sys
from collections.abc import Iterable
from datetime import datetime

import click

from bot.cli.errors import fail
from bot.cli.inputs import instant
from bot.cli.policy import load_or_fail
from sla.clocks import due_at
from sla.intervals import Span
from sla.policy import Policy, PolicyLookupError
from sla.targets import Target


@click.group()
def sla() -> None:
    """Compute SLA deadlines."""


@sla.command()
@click.option("--policy", "policy_name", required=True, help="A preset name or a policy file.")
@click.option("--plan", help="The customer's plan (default: the policy's default plan).")
@click.option("--kind", help="question, incident, defect or feature (default: the policy's default kind).")
@click.option("--priority", required=True, help="The priority level, e.g. P1.")
@click.option("--target", "target_name", required=True, help="response, workaround, fix, resolution, update, ...")
@click.option("--opened", required=True, help="When the target starts (ISO 8601 with offset), or - for stdin.")
@click.option("--pause", "pauses", multiple=True, help="A pause START/END (ISO 8601); repeatable.")
def due(
    policy_name: str,
    plan: str | None,
    kind: str | None,
    priority: str,
    target_name: str,
    opened: str,
    pauses: tuple[str, ...],
) -> None:
    """Print the deadline of a target, or none."""
    loaded = load_or_fail(policy_name)
    try:
        target = loaded.target(plan, kind, priority, target_name)
    except PolicyLookupError as error:
        fail(str(error))
    spans = [_pause(text) for text in pauses]
    if spans and not target.pausable:
        fail(f'the {target.name} target does not pause in policy "{loaded.name}"; drop --pause')
    if opened != "-":
        click.echo(_answer(loaded, target, instant(opened, "--opened"), spans))
        return
    _answer_lines(loaded, target, sys.stdin, spans)


def _answer_lines(policy: Policy, target: Target, lines: Iterable[str], spans: list[Span[datetime]]) -> None:
    write = sys.stdout.write
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if text:
            write(_answer(policy, target, instant(text, f"line {number} of stdin"), spans) + "\n")
    sys.stdout.flush()


def _answer(policy: Policy, target: Target, start: datetime, spans: list[Span[datetime]]) -> str:
    try:
        due_instant = due_at(policy, target, start, spans)
    except ValueError as error:
        fail(str(error))
    return "none" if due_instant is None else due_instant.isoformat()


def _pause(text: str) -> Span[datetime]:
    start_text, separator, end_text = text.partition("/")
    if not separator:
        fail(f'--pause "{text}" must be START/END, two ISO 8601 instants separated by /')
    start, end = instant(start_text, "--pause"), instant(end_text, "--pause")
    if end < start:
        fail(f'--pause "{text}" ends before it starts')
    return Span(start, end)
