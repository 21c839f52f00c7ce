"""compose.yaml and deploy/Dockerfile: their commands and variables are the documented ones (docs/deploy.md and
the systemd units), the variables are the ones the code reads, the image holds every package of the wheel, and
Debian's docker-compose (1.29, no daemon needed) accepts the file. Nothing here builds or starts a container:
there is no Docker daemon on this machine (docs/deploy.md, "What is verified here")."""

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.tools import tool

ROOT = Path(__file__).parents[2]
COMPOSE = ROOT / "compose.yaml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCS = ROOT / "docs" / "deploy.md"
WEB = ["frontdesk", "run", "--http", "--port", "3000"]
WORKER = ["frontdesk", "worker"]


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def _code() -> str:
    return "\n".join(path.read_text() for folder in ("bot", "storage") for path in (ROOT / folder).rglob("*.py"))


def test_the_services_run_the_documented_commands() -> None:
    services = _compose()["services"]
    assert services["web"]["command"] == WEB
    assert services["worker"]["command"] == WORKER
    assert set(services) == {"db", "web", "worker"}
    docs = DOCS.read_text()
    for command in (WEB, WORKER):
        assert " ".join(command) in docs
    cmd = re.search(r"^CMD (.+)$", DOCKERFILE.read_text(), re.M)
    assert cmd is not None
    assert yaml.safe_load(cmd[1]) == WEB  # a JSON array, which YAML reads too


def test_every_variable_given_to_frontdesk_is_read_by_the_code_and_documented() -> None:
    services = _compose()["services"]
    given = set(services["web"]["environment"]) | set(services["worker"]["environment"])
    dockerfile = DOCKERFILE.read_text()
    given |= set(re.findall(r"\b(FRONTDESK_[A-Z_]+)=", dockerfile))
    units = "\n".join(path.read_text() for path in (ROOT / "deploy" / "systemd").glob("*.service"))
    given |= set(re.findall(r"\b(FRONTDESK_[A-Z_]+)=", units))
    assert {"FRONTDESK_DATABASE_URL", "FRONTDESK_CONFIG"} <= given
    code, docs = _code(), DOCS.read_text()
    for name in given:
        assert f'"{name}"' in code, f"{name} is given to frontdesk but no code reads it"
        assert f"`{name}`" in docs or name in docs, f"{name} is not in docs/deploy.md"


def test_the_image_holds_every_package_of_the_wheel_and_builds_it_as_documented() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    packages = re.search(r"^packages = (\[.*\])$", pyproject, re.M)
    assert packages is not None
    copied = set(re.findall(r"^COPY (\w+) \1$", DOCKERFILE.read_text(), re.M))
    assert set(yaml.safe_load(packages[1])) == copied
    text = DOCKERFILE.read_text()
    assert "python -m build --wheel" in text
    assert "-c constraints.txt" in text or "-c /tmp/constraints.txt" in text


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """compose.yaml beside the files it names, as docs/deploy.md lays them out."""
    (tmp_path / "compose.yaml").write_text(COMPOSE.read_text())
    (tmp_path / "frontdesk.env").write_text("SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=s\n")
    (tmp_path / "frontdesk.toml").write_text("")
    return tmp_path


def _config(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    command = [tool("docker-compose", "docker-compose"), "-f", "compose.yaml", "config"]
    env_ = {"PATH": "/usr/bin:/bin", **env}
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=120, check=False, env=env_)


def test_docker_compose_accepts_the_file(project: Path) -> None:
    done = _config(project, POSTGRES_PASSWORD="letters1")
    assert done.returncode == 0, done.stderr
    resolved = yaml.safe_load(done.stdout)["services"]
    assert (
        resolved["web"]["environment"]["FRONTDESK_DATABASE_URL"] == "postgresql://frontdesk:letters1@db:5432/frontdesk"
    )
    assert resolved["web"]["environment"]["SLACK_BOT_TOKEN"] == "xoxb-1"  # frontdesk.env, read by both services
    assert resolved["worker"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert resolved["web"]["ports"] == ["127.0.0.1:3000:3000/tcp"]


def test_docker_compose_refuses_to_start_without_the_database_password(project: Path) -> None:
    done = _config(project)
    assert done.returncode != 0
    assert "set POSTGRES_PASSWORD in .env" in done.stderr
