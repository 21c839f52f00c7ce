"""Running the `frontdesk` command: in-process through click's runner, or as the installed console script."""

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


def run_frontdesk(*args: str, stdin: str | None = None) -> Outcome:
    """The command run in this process, as a user would type it."""
    result = CliRunner().invoke(main, list(args), input=stdin)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def run_console_script(*args: str, stdin: str | None = None) -> Outcome:
    """The installed console script in a child process."""
    script = Path(sys.executable).with_name("frontdesk")
    done = subprocess.run([str(script), *args], input=stdin, capture_output=True, text=True, timeout=60, check=False)
    return Outcome(done.returncode, done.stdout, done.stderr)


@pytest.fixture
def frontdesk():
    return run_frontdesk
