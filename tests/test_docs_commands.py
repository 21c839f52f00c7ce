"""The commands the docs show run as shown, on the default preset (owkin) and the desk `frontdesk demo` keeps:
each `frontdesk` line of the chosen ```sh blocks is run in the demo's folder with no FRONTDESK_ or SLACK_
variable set, exits 0, and prints the answer written under it (a `# answer` line) where the docs give one. The
command runs in this process, as a user types it (shlex); what a shell pipes into it is made by bash."""

import os
import re
import shlex
import subprocess
from pathlib import Path

import pytest

from tests.bot.cli.conftest import run_frontdesk

ROOT = Path(__file__).parents[1]
BLOCKS = [  # (page, section): every frontdesk line of its sh blocks, but those that run forever or name examples
    ("docs/policies.md", "Deadlines from the command line"),
    ("docs/reports.md", "Monthly reports, availability and credits"),
    ("docs/operations.md", "Maintenance windows"),
    ("docs/operations.md", "Sweeps, reminders and the state of the queues"),
]
SKIPPED = ("frontdesk worker", "frontdesk outbox")  # runs until stopped; names a dead letter by an example id


def _section(page: str, title: str) -> str:
    text = (ROOT / page).read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _commands(page: str, title: str) -> list[tuple[str, list[str]]]:
    """Each command of the section's sh blocks (continuation lines joined) with the answer lines under it."""
    found: list[tuple[str, list[str]]] = []
    for block in re.findall(r"```sh\n(.+?)\n```", _section(page, title), flags=re.S):
        command = ""
        for line in block.splitlines():
            if line.startswith("# ") and found and not command:
                found[-1][1].append(line.removeprefix("# "))
                continue
            code = re.sub(r"\s+#.*$", "", line) if not line.lstrip().startswith("#") else ""
            command += code.removesuffix("\\").strip() + " " if code else ""
            if code and not code.endswith("\\"):
                found.append((command.strip(), []))
                command = ""
    return [(c, answers) for c, answers in found if "frontdesk" in c and not c.startswith(SKIPPED)]


CASES = [(page, command, answers) for page, title in BLOCKS for command, answers in _commands(page, title)]


@pytest.fixture(scope="module")
def demo_desk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs") / "frontdesk-demo"
    played = run_frontdesk("demo", "--folder", str(folder))
    assert played.exit_code == 0, played.stderr
    return folder


def test_the_docs_show_the_commands_this_test_runs() -> None:
    assert {page for page, _, _ in CASES} == {page for page, _ in BLOCKS}
    assert any(answers for _, _, answers in CASES)


@pytest.mark.parametrize(("page", "command", "answers"), CASES, ids=[f"{p}: {c[:60]}" for p, c, _ in CASES])
def test_a_documented_command_runs_as_shown(
    demo_desk: Path, monkeypatch: pytest.MonkeyPatch, page: str, command: str, answers: list[str]
) -> None:
    for name in [name for name in os.environ if name.startswith(("FRONTDESK_", "SLACK_"))]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(demo_desk)
    piped, _, typed = command.rpartition(" | ")
    stdin = subprocess.run(["bash", "-c", piped], capture_output=True, text=True, check=True).stdout if piped else None
    program, *arguments = shlex.split(typed)
    assert program == "frontdesk"
    done = run_frontdesk(*arguments, stdin=stdin)
    assert done.exit_code == 0, f"{page}: {command}\n{done.stderr}"
    if answers:
        assert done.stdout.splitlines() == answers
