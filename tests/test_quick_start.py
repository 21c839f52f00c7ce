"""The README's Quick start: exactly two commands, and CI runs the second one word for word."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Quick start") : readme.index("\n## ", readme.index("## Quick start") + 1)]
    return re.findall(r"```sh\n(.+?)\n```", section, flags=re.S)


def test_the_quick_start_is_two_commands_one_for_the_demo_one_for_the_tests():
    demo, tests = _quick_start_commands()
    assert demo.endswith("frontdesk demo")
    assert "-c constraints.txt" in tests
    assert tests.endswith("pytest")


def test_ci_runs_the_readmes_test_command_word_for_word():
    _, tests = _quick_start_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert f'step tests bash -c "{tests}"' in ci


def test_the_readme_says_in_short_what_is_verified_and_how_to_report_a_vulnerability():
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Security") : readme.index("\n## ", readme.index("## Security") + 1)]
    assert "Authentication-Results" in section
    assert "vulnerability" in section
    assert "docs/security.md" in section
