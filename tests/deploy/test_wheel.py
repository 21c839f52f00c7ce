"""The wheel: `python -m build` makes it, it installs with its dependencies (pinned by constraints.txt) in a fresh
venv that sees nothing of this one, and the installed `frontdesk` finds its templates, presets and migrations:
`db upgrade` and `demo` work from any folder. The wheel is built from the files deploy/Dockerfile's build stage
copies, as that stage builds it, so the image's build has what it needs. One build and one venv for the module.

The dependencies' wheels are kept in a wheelhouse (FRONTDESK_WHEELHOUSE, default ~/.cache/frontdesk/wheelhouse):
once it holds them all, the venv installs without the network in seconds; else pip downloads them into it
first (about two minutes)."""

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
_CLEAN = {name: value for name, value in os.environ.items() if name not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
WHEELHOUSE = Path(os.environ.get("FRONTDESK_WHEELHOUSE") or Path.home() / ".cache" / "frontdesk" / "wheelhouse")


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
    """The bin folder of a new venv with the wheel installed as docs/deploy.md says."""
    venv = tmp_path_factory.mktemp("venv")
    _run(sys.executable, "-m", "venv", venv, cwd=venv)
    pip = (venv / "bin" / "pip", "--disable-pip-version-check")
    constraints = ("-c", ROOT / "constraints.txt")
    offline = (*pip, "install", "--quiet", "--no-compile", "--no-index", f"--find-links={WHEELHOUSE}", *constraints)
    if _try(*offline, wheel, cwd=venv).returncode != 0:  # the wheelhouse lacks a dependency: fill it
        _run(*pip, "download", "--quiet", f"--dest={WHEELHOUSE}", *constraints, wheel, cwd=venv)
        for ours in WHEELHOUSE.glob("frontdesk-*.whl"):
            ours.unlink()
        _run(*offline, wheel, cwd=venv)
    return venv / "bin"


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


def test_the_venv_sees_nothing_of_the_test_environment(installed: Path, tmp_path: Path) -> None:
    """The installed package is the wheel's, not this checkout, and pytest (a test extra) is not there."""
    python = installed / "python"
    where = _run(python, "-c", "import bot, sys; print(bot.__file__); print(sys.prefix)", cwd=tmp_path)
    assert str(installed.parent) in where.stdout.splitlines()[0]
    missing = subprocess.run([str(python), "-c", "import pytest"], capture_output=True, cwd=tmp_path, check=False)
    assert missing.returncode == 1
