"""Bad input on the command line: one line on stderr and exit status 2 (see bot.cli)."""

from typing import NoReturn

import click


class BadInput(click.ClickException):
    """Input the user must correct; shown as one line, exit status 2."""

    exit_code = 2


def fail(message: str) -> NoReturn:
    raise BadInput(message)
