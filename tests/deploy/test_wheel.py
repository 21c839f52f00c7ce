"""The wheel: `python -m build` makes it, it installs in a fresh venv, and the installed `frontdesk` finds its
templates, presets and migrations: `db upgrade` and `demo` work from any folder. The wheel is built from the files
deploy/Dockerfile's build stage copies, as that stage builds it, so the image's build has what it needs. One build
and one venv for the module.

Tests use no network beyond loopback, so the new venv does not download the dependencies: it installs the wheel
alone and reads the third-party packages of this environment from a path file (never this checkout: the editable
install's hook is not loaded there). That the wheel declares the project's dependencies is checked on its metadata.
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from email import message_from_bytes
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
_CLEAN = {name: value for name, value in os.environ.items() if name not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}


def _try(*command: str | Path, cwd: Path, timeout: float = 600, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          check=False, env={**_CLEAN, "PATH": "/usr/bin:/bin", **env})  # fmt: skip


def _run(*command: str | Path, cwd: Path, timeout: float = 600, **env: str) -> subprocess.CompletedProcess[str]:
    done = _try(*command, cwd=cwd, timeout=timeout, **env)
    assert done.returncode == 0, f"{command}: {done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _build_context(folder: Path) -> Path:
    """What deploy/Dockerfile's build stage copies, laid out as its COPY lines say (without .dockerignore's)."""
    stage = (ROOT / "deploy" / "Dockerfile").read_text().split("\nFROM ", 2)[1]
    for line in stage.splitlines():
        if line.startswith("COPY "):
            *sources, target = line.split()[1:]
            for source in sources:
                destination = folder / target / source if target.endswith("/") else folder / target
                if (ROOT / source).is_dir():
                    shutil.copytree(ROOT / source, destination, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
                else:
                    destination.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(ROOT / source, destination)
    return folder


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built as the image builds it: from the files the Dockerfile copies, with python -m build."""
    dist = tmp_path_factory.mktemp("dist")
    source = _build_context(tmp_path_factory.mktemp("src"))
    _run(sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", dist, source, cwd=source)
    (built,) = dist.glob("frontdesk-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a new venv holding the wheel, and this environment's third-party packages by a path file."""
    venv = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", venv, cwd=venv)
    _run(venv / "bin" / "pip", "--disable-pip-version-check", "install", "--quiet", "--no-index", "--no-deps", wheel,
         cwd=venv)  # fmt: skip
    (site,) = (venv / "lib").glob("python3.*/site-packages")
    (site / "third_party.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin"


def _requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s<>=!~;\[]", line, maxsplit=1)[0].lower().replace("_", "-") for line in requirements}


def test_the_wheel_declares_the_projects_dependencies(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        (metadata,) = [name for name in archive.namelist() if name.endswith(".dist-info/METADATA")]
        declared = message_from_bytes(archive.read(metadata)).get_all("Requires-Dist") or []
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    runtime = [line for line in declared if "extra ==" not in line]
    assert _requirement_names(runtime) == _requirement_names(project)


def test_the_wheel_holds_the_templates_presets_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "templates/cli/demo_transcript.txt.j2" in names
    assert "sla/presets/owkin.toml" in names
    assert "storage/migrations/versions/0001_initial_schema.py" in names
    assert "storage/migrations/script.py.mako" in names
    assert not any(name.startswith(("tests/", "deploy/", "docs/")) for name in names)


def test_the_installed_command_upgrades_a_database_and_plays_the_demo(installed: Path, tmp_path: Path) -> None:
    frontdesk = installed / "frontdesk"
    version = _run(frontdesk, "--version", cwd=tmp_path)
    assert "0.1.0" in version.stdout
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    upgraded = _run(frontdesk, "db", "upgrade", cwd=tmp_path, FRONTDESK_DATABASE_URL=url)
    assert "upgraded from an empty database" in upgraded.stdout
    demo = _run(frontdesk, "demo", cwd=tmp_path, timeout=300)
    assert "SR-" in demo.stdout


def test_the_installed_package_is_the_wheels_not_this_checkout(installed: Path, tmp_path: Path) -> None:
    python = installed / "python"
    where = _run(
        python, "-c", "import bot, sla, storage; print(bot.__file__, sla.__file__, storage.__file__)", cwd=tmp_path
    )
    assert all(str(installed.parent) in path for path in where.stdout.split()), where.stdout
    assert str(ROOT) not in where.stdout
