"""`frontdesk demo`, the README's first command: a whole conversation told in the order it happened, the same on
every run, its desk kept in a folder where the commands it prints look at it."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.cli.conftest import Outcome, run_frontdesk

BIN = Path(sys.executable).parent


def _demo(cwd: Path, *args: str) -> Outcome:
    """The installed console script run in `cwd`, as a newcomer runs it."""
    done = subprocess.run(
        [str(BIN / "frontdesk"), "demo", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )
    return Outcome(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def played(tmp_path_factory) -> tuple[Path, str]:
    """The demo played once in a fresh folder: where it ran, and its transcript."""
    cwd = tmp_path_factory.mktemp("newcomer")
    outcome = _demo(cwd)
    assert (outcome.exit_code, outcome.stderr) == (0, "")
    return cwd, outcome.stdout


def _in_order(text: str, *parts: str) -> None:
    """Each part is in `text`, after the one before it."""
    at = 0
    for part in parts:
        found = text.find(part, at)
        assert found >= 0, f"{part!r} not found after position {at}:\n{text[at:]}"
        at = found + len(part)


def test_the_demo_plays_a_conversation_to_an_sr_number_and_its_deadlines(played):
    _, text = played
    assert text.startswith('Frontdesk demo: policy "owkin" (Owkin K Pro Service Desk), Tuesday 24 November 2026 10:00')
    assert "Alice Martin:\n    The monthly report export does nothing since this morning\n" in text
    assert "Alice Martin:\n    [file] export-button.png\n" in text
    assert "    Thank you. Your request is *SR-000001*.\n" in text
    assert "A member of the support team will answer by *Tue 24 Nov 2026 12:05* (Europe/Paris)." in text
    assert "--- #support-agents, the card's thread ---\nFrontdesk:\n    [file] export-button.png\n" in text
    assert "(Bob Tremblay sets the priority from the card's menu: P2)\n" in text
    assert "    *Bob Tremblay* (support): Thanks Alice, we can reproduce it" in text
    assert "    *Alice Martin* (requester) wrote:\n    > CSV works for now, thanks!\n" in text
    assert "Request SR-000001: closed, incident, priority P2, plan kpro." in text
    # Completed at 10:05 Paris; the P4 response (2 business hours) was met by Bob's reply.
    assert "  response     Tue 24 Nov 2026 12:05  (met)\n" in text


def test_an_edit_is_told_when_it_happens_with_the_lines_it_changed(played):
    _, text = played
    so_far = 'Frontdesk updates its message "Your request so far":\n'
    _in_order(
        text,
        "    • Contact: alice@customer.example, +33612345678 _(to confirm)_\n",
        "    • When it happened: _missing_\n",
        "    Can we reach you at the email and phone shown above?",
        "(Alice Martin presses [ Yes, that's right ])\n",
        so_far + "    • Contact: alice@customer.example, +33612345678\n",
        'Frontdesk updates its message "Can we reach you at the email and phone shown above?…":\n'
        "    *Your answer:* Yes, that's right\n    (its buttons are gone)\n",
        "Alice Martin:\n    20 minutes ago\n",
        so_far + "    • When it happened: Tue 24 Nov 2026 09:42 (Europe/Paris)\n",
        "(Alice Martin presses [ Something is broken ])\n",
        so_far + "    • Kind: incident\n    Everything is here. Thank you!\n",
    )
    assert text.count("Everything is here. Thank you!") == 1


def test_the_card_is_posted_untriaged_and_each_change_shows_when_it_is_made(played):
    _, text = played
    _in_order(
        text,
        "    *New request SR-000001* (incident, suggested priority *P4*, plan kpro)\n",
        "    • Response due Tue 24 Nov 12:05 (Europe/Paris)\n",
        "(Bob Tremblay sets the priority from the card's menu: P2)\n",
        "Frontdesk (only Bob Tremblay sees this):\n    SR-000001: priority P4 → P2",
        "    *SR-000001* (incident, priority *P2*, plan kpro)\n",
        '(Bob Tremblay clicks "Reply to requester" on the card and writes: Thanks Alice',
        "    • Response: met\n",
        '(Bob Tremblay clicks "Resolve" on the card)\n',
        "    Bob Tremblay marked your request as resolved. Is your problem solved?\n",
        "(Alice Martin presses [ Yes, solved ])\n",
        "    *SR-000001* (incident, priority *P2*, plan kpro) (closed)\n",
    )
    assert text.count("(closed)") == 1


def test_the_story_ends_with_the_rating_acknowledged(played):
    _, text = played
    _in_order(
        text,
        "(Alice Martin presses [ 5 ])\n",
        "Frontdesk (only Alice Martin sees this):\n    Thank you for your feedback on SR-000001.\n",
        'Frontdesk opens a form for Alice Martin, "Thank you":\n    You rated *SR-000001* 5 out of 5.\n',
        "Request SR-000001: closed",
    )


def _commands(text: str) -> tuple[Path, list[str]]:
    """The folder the transcript names and the commands it prints to look at it."""
    folder = re.search(r"^The demo's desk is kept in (.+?): its database", text, flags=re.M)
    assert folder is not None
    block = text[text.index("\n    cd ") :].strip().splitlines()
    return Path(folder.group(1)), [line.strip() for line in block]


def test_the_demo_keeps_its_desk_and_the_commands_it_prints_work_as_printed(played):
    cwd, text = played
    folder, commands = _commands(text)
    assert folder == (cwd / "frontdesk-demo").resolve()
    assert {"frontdesk.db", "frontdesk.toml", "attachments"} <= {path.name for path in folder.iterdir()}
    assert commands[0] == f"cd {folder}"
    assert [command.split()[:2] for command in commands[1:]] == [["frontdesk", "report"]] * 2 + [
        ["frontdesk", "status"],
        ["frontdesk", "export"],
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FRONTDESK_", "SLACK_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    outputs = []
    for at in range(1, len(commands)):  # each printed command, after the `cd`, exactly as printed
        script = f"{commands[0]} && {commands[at]}"
        done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True, timeout=120, check=False)
        assert (done.returncode, done.stderr) == (0, ""), script
        outputs.append(done.stdout)
    report, _, status, export = outputs
    assert "SLA report 2026-11: Owkin K Pro Service Desk" in report
    assert "Satisfaction: 5.00 / 5 from 1 rating" in report
    assert (folder / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert "Dead letters: none" in status
    (request,) = [json.loads(line) for line in export.splitlines()]
    assert (request["sr"], request["status"]) == ("SR-000001", "closed")


def test_a_new_demo_replaces_a_demos_desk_and_keeps_what_else_is_in_its_folder(tmp_path):
    first = run_frontdesk("demo", "--folder", str(tmp_path / "demo"))
    (tmp_path / "demo" / "notes.txt").write_text("mine")
    second = run_frontdesk("demo", "--folder", str(tmp_path / "demo"))
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert first.stdout == second.stdout  # a fresh database: SR-000001 again
    assert (tmp_path / "demo" / "notes.txt").read_text() == "mine"


def test_a_folder_the_demo_did_not_make_is_left_alone(tmp_path):
    (tmp_path / "frontdesk.db").write_text("not a demo's")
    outcome = run_frontdesk("demo", "--folder", str(tmp_path))
    assert outcome.exit_code == 2
    assert "was not made by `frontdesk demo`" in outcome.stderr
    assert (tmp_path / "frontdesk.db").read_text() == "not a demo's"


@pytest.mark.parametrize("policy", ["kissflow", "k0nsult", "kiwi"])
def test_the_demo_runs_with_other_presets(policy, tmp_path):
    outcome = run_frontdesk("demo", "--policy", policy, "--folder", str(tmp_path))
    assert outcome.exit_code == 0
    assert "Your request is *SR-000001*" in outcome.stdout
    assert "Thank you for your feedback on SR-000001." in outcome.stdout


def test_an_unknown_preset_is_refused(tmp_path):
    outcome = run_frontdesk("demo", "--policy", "acme", "--folder", str(tmp_path))
    assert outcome.exit_code == 2
    assert not any(tmp_path.iterdir())
