"""Dependencies (docs/security.md, "Dependencies"): `constraints.txt` pins every package `pyproject.toml` names, each
pin within its range, so CI installs what was tested; and no lower bound admits a version an advisory names.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).parents[2]

# The last version each advisory listed in docs/security.md names (the lower bound is the one after it).
VULNERABLE = {
    "waitress": "3.0.0",  # CVE-2024-49768, CVE-2024-49769
    "jinja2": "3.1.5",  # CVE-2025-27516 (and the earlier three)
    "click": "8.3.2",  # CVE-2026-7246
    "dateparser": "1.3.0",  # a ReDoS before 1.1.6; pickled data and eval() before 1.4.0
    "inscriptis": "2.7.5",  # CVE-2026-132277
    "pytest": "9.0.2",  # CVE-2025-71176
    "aiosmtpd": "1.4.5",  # CVE-2024-27305, CVE-2024-34083
}


def _requirements() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    listed = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return {canonicalize_name(found.name): found for found in map(Requirement, listed)}


def _pins() -> dict[str, Version]:
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        found = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)", line.strip())
        if found:
            pinned[canonicalize_name(found.group(1))] = Version(found.group(2))
    return pinned


def test_constraints_pin_every_named_package_within_its_range():
    pins = _pins()
    for name, requirement in _requirements().items():
        assert name in pins, f"{name} is not pinned in constraints.txt"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, str(pins[name]))


@pytest.mark.parametrize(("name", "vulnerable"), sorted(VULNERABLE.items()))
def test_no_lower_bound_admits_a_version_an_advisory_names(name, vulnerable):
    requirement = _requirements()[name]
    assert not requirement.specifier.contains(vulnerable, prereleases=True), str(requirement)
    (floor,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
    documented = (ROOT / "docs" / "security.md").read_text(encoding="utf-8").lower()
    assert f"{name.removesuffix('2')} {floor}" in documented  # "Jinja 3.1.6", "waitress 3.0.1"
