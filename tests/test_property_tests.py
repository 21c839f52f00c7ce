"""The property-based tests' own rules (tests/conftest.py), read from the tests themselves.

Rules checked:
- A property-based test that takes a fixture (a folder, a database, a served door, a conversation: file or
  database I/O on every example) sets `deadline=None`: its examples take the disk's and the database's time, not
  only the code's, and a busy machine must not fail it (an fsync took 387 ms against the default 200 ms).
"""

import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import is_hypothesis_test

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def property_tests() -> Iterator[tuple[str, Any]]:
    """(name, test) for each hypothesis test of every test module that imports hypothesis."""
    for path in sorted(TESTS.rglob("test_*.py")):
        if "from hypothesis" not in path.read_text(encoding="utf-8"):
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, value in vars(module).items():
            tests = [(name, value)] if inspect.isfunction(value) else []
            if inspect.isclass(value):
                tests = [(f"{name}.{method}", test) for method, test in vars(value).items() if inspect.isfunction(test)]
            for test_name, test in tests:
                if is_hypothesis_test(test):
                    yield f"{module.__name__}::{test_name}", test


def fixtures_of(test: Any) -> set[str]:
    """The fixtures pytest passes the test: its arguments but hypothesis' examples and parametrized values."""
    marks = [mark.args[0] for mark in getattr(test, "pytestmark", []) if mark.name == "parametrize"]
    parametrized = {name.strip() for names in marks for name in (names.split(",") if isinstance(names, str) else names)}
    return set(inspect.signature(test).parameters) - parametrized - {"self"}


def test_property_tests_are_found() -> None:
    found = dict(property_tests())
    assert "tests.storage.test_attachments::test_no_name_can_put_a_file_outside_the_folder" in found
    assert fixtures_of(found["tests.storage.test_attachments::test_no_name_can_put_a_file_outside_the_folder"]) == {
        "tmp_path"
    }


@pytest.mark.parametrize("name", [name for name, test in property_tests() if fixtures_of(test)], ids=str)
def test_a_property_test_doing_io_has_no_deadline(name: str) -> None:
    test = dict(property_tests())[name]
    assert test._hypothesis_internal_use_settings.deadline is None, f"{name} takes {sorted(fixtures_of(test))}"
