"""The desk config's blocked file types: programs and scripts by default, patterns checked, listed by init."""

import pytest

from bot.config.desk import BLOCKED_TYPES, DeskConfigError, load_desk_config, parse_desk_config
from tests.bot.cli.conftest import run_frontdesk

BASE = """
policy = "owkin"
[slack]
intake_channel = "C0INTAKE01"
agents_channel = "C0AGENTS01"
[agents]
users = ["U0AGENT001"]
"""


def _parse(tmp_path, intake=""):
    return parse_desk_config(BASE + ("[intake]\n" + intake if intake else ""), source="frontdesk.toml", folder=tmp_path)


def test_programs_and_shell_scripts_are_blocked_by_default(tmp_path):
    blocked = _parse(tmp_path).intake.blocked_types
    assert blocked == BLOCKED_TYPES
    assert {"application/x-msdownload", "application/x-executable", "application/x-mach-binary"} <= set(blocked)
    assert "application/x-sh" in blocked


def test_types_and_patterns_are_read_lower_cased_and_an_empty_list_blocks_nothing(tmp_path):
    intake = 'blocked_types = ["Video/*", "application/x-msdownload", "application/vnd.ms-excel.sheet.macroEnabled.12"]'
    assert _parse(tmp_path, intake).intake.blocked_types == (
        "video/*",
        "application/x-msdownload",
        "application/vnd.ms-excel.sheet.macroenabled.12",
    )
    assert _parse(tmp_path, "blocked_types = []").intake.blocked_types == ()


@pytest.mark.parametrize("pattern", ["exe", "*/*", "application/", "application/x-*", "image/png; q=1", ".exe"])
def test_a_bad_pattern_is_one_clear_problem(tmp_path, pattern):
    with pytest.raises(DeskConfigError) as raised:
        _parse(tmp_path, f'blocked_types = ["image/png", "{pattern}"]')
    assert raised.value.problems == [
        f'frontdesk.toml: intake.blocked_types: "{pattern}" is not a MIME type such as application/x-msdownload or '
        "a pattern such as video/*"
    ]


def test_blocked_types_must_be_a_list_of_strings(tmp_path):
    with pytest.raises(DeskConfigError) as raised:
        _parse(tmp_path, "blocked_types = [1]")
    assert raised.value.problems == ["frontdesk.toml: intake.blocked_types: must be a list of strings"]


def test_init_writes_the_default_blocked_types(tmp_path):
    path = tmp_path / "frontdesk.toml"
    assert run_frontdesk("init", str(path)).exit_code == 0
    assert load_desk_config(path).intake.blocked_types == BLOCKED_TYPES
    assert "blocked_types = [" in path.read_text()
