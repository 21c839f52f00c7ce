"""The system tools the deployment tests check with: found, else skipped with the reason (a failure in CI, whose
.ci/run installs them)."""

import os
import shutil

import pytest


def tool(name: str, package: str) -> str:
    """The path of the program `name`; skips the test without it (fails it when CI=true)."""
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if found is None:
        reason = f"{name} not found: install Debian's {package} package"
        if os.environ.get("CI"):
            pytest.fail(f"CI=true but {reason} (.ci/run should install it)")
        pytest.skip(reason)
    return found
