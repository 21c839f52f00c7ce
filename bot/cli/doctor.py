"""`frontdesk doctor`: every check of the configuration, Slack, email and the database (docs/operations.md, "Doctor").

Rules: read-only (bot.doctor); every problem on one line of stdout, all at once, then how many, and exit 1; with
none, a short "all good" summary and exit 0. The same checks run at start (bot.cli.startup).
"""

import os

import click

from bot.cli.manifest import SCOPES
from bot.doctor.findings import line
from bot.doctor.run_all import diagnose
from bot.render import render


@click.command()
def doctor() -> None:
    """Check the configuration, the Slack app, email and the database; list every problem."""
    found = diagnose(os.environ, SCOPES)
    slack, database, desk = found.slack, found.database, found.configuration.desk
    text = render(
        "cli/doctor.txt.j2",
        problems=[line(problem) for problem in found.problems],
        slack=slack.identity if slack else None,
        channels=slack.channels if slack else 0,
        usergroups=slack.usergroups if slack else 0,
        smtp=found.smtp,
        mailboxes=found.mailboxes,
        backend=database.backend if database else None,
        revision=database.revision if database else None,
        policy=desk.policy.name if desk else None,
    )
    click.echo(text, nl=False)
    if found.problems:
        raise SystemExit(1)
