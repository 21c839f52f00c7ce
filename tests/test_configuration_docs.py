"""docs/configuration.md against the code, so it cannot drift: every environment variable the code reads and every
desk-config key it reads is listed there, and everything listed there is still read.

- Variables: every string in the source (bot/, storage/, sla/, slack_emulator/) that is a whole `FRONTDESK_...` or
  `SLACK_...` name (read directly or through a constant), and every variable the tests read with
  `os.environ.get` or `os.getenv`; against the first cells of the tables under "## Environment".
- Desk-config keys: the page's example holding every key is read by the code that reads a desk config (so each is
  known to it) and holds exactly the table's keys; every key name the reading code asks a table for (the Reader's
  `value`, `optional`, `strings`, `child`, `children`, `parsed`, `has`, `allow`, and the id checks) is a part of a
  documented key.
"""

import ast
import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from bot.config.desk import parse_desk_config

ROOT = Path(__file__).parents[1]
PAGE = ROOT / "docs" / "configuration.md"
SOURCES = ("bot", "storage", "sla", "slack_emulator")
VARIABLE = re.compile(r"(FRONTDESK|SLACK)_[A-Z0-9_]+")
READS = {"value", "optional", "strings", "child", "children", "parsed", "parsed_optional", "has"}
ID_CHECKS = {"_id", "_optional_id", "_checked"}  # bot/config/desk.py: (reader, key, ...)
DESK_READERS = (ROOT / "bot" / "config" / "desk.py", ROOT / "bot" / "config" / "email.py",
                ROOT / "bot" / "config" / "paging.py", ROOT / "bot" / "config" / "webhooks.py",
                ROOT / "bot" / "config" / "trackers.py")  # fmt: skip


def _section(title: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def _first_cells(section: str) -> list[str]:
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| ---")]
    return [row.split(" | ")[0].removeprefix("| ") for row in rows]


def _constants(path: Path) -> list[ast.Constant]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Constant)]


def _variables_in_code() -> set[str]:
    files = [file for package in SOURCES for file in (ROOT / package).rglob("*.py")]
    return {
        node.value
        for file in files
        for node in _constants(file)
        if isinstance(node.value, str) and VARIABLE.fullmatch(node.value)
    }


def _variables_the_tests_read() -> set[str]:
    found = set()
    for file in (ROOT / "tests").rglob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and ast.unparse(node.func) in ("os.environ.get", "os.getenv"):
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Constant) and isinstance(first.value, str):
                    found.add(first.value)
    return found


def _documented_variables() -> set[str]:
    names = set()
    for cell in _first_cells(_section("Environment")):
        names.update(name for name in re.findall(r"`([^`]+)`", cell) if re.fullmatch(r"[A-Z][A-Z0-9_]*", name))
    return names


def test_every_variable_the_code_reads_is_documented() -> None:
    missing = (_variables_in_code() | _variables_the_tests_read()) - _documented_variables()
    assert not missing, f"add these to docs/configuration.md, 'Environment': {sorted(missing)}"


def test_every_documented_variable_is_still_read() -> None:
    gone = _documented_variables() - _variables_in_code() - _variables_the_tests_read()
    assert not gone, f"docs/configuration.md lists variables nothing reads: {sorted(gone)}"


def _documented_keys() -> set[str]:
    cells = _first_cells(_section("Desk config"))
    return {match for cell in cells for match in re.findall(r"^`([a-z][a-zA-Z0-9_.\[\]]*)`$", cell)}


def _example() -> str:
    [example] = re.findall(r"```toml\n(.+?)\n```", _section("Desk config"), flags=re.S)
    return example


def _flat(table: dict[str, Any], prefix: str = "") -> set[str]:
    keys = set()
    for key, value in table.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            keys |= _flat(value, f"{path}.")
        elif isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            keys |= {flat for item in value for flat in _flat(item, f"{path}[].")}
        else:
            keys.add(path)
    return {re.sub(r"^levels\.L[23]\.", "levels.LEVEL.", key) for key in keys}


def test_the_example_holds_exactly_the_documented_keys() -> None:
    assert _flat(tomllib.loads(_example())) == _documented_keys()


def test_the_example_is_a_desk_config_the_code_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTDESK_IMAP_PASSWORD", "example")
    desk = parse_desk_config(_example(), source="configuration.md", folder=tmp_path)
    assert (desk.customers[0].name, desk.email.mailboxes[0].name, desk.services[0].id) == ("Acme", "support", "search")


def _keys_the_code_reads() -> set[str]:
    keys = set()
    for file in DESK_READERS:
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            if isinstance(node.func, ast.Attribute) and node.func.attr in READS | {"allow"}:
                arguments = node.args if node.func.attr == "allow" else node.args[:1]
            elif isinstance(node.func, ast.Name) and node.func.id in ID_CHECKS:
                arguments = node.args[1:2]
            else:
                continue
            keys |= {a.value for a in arguments if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return keys


def test_every_key_the_code_reads_is_documented() -> None:
    parts = {part.removesuffix("[]") for key in _documented_keys() for part in key.split(".")}
    missing = _keys_the_code_reads() - parts
    assert not missing, f"add these desk-config keys to docs/configuration.md, 'Desk config': {sorted(missing)}"
