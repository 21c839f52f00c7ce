"""The systemd units of deploy/systemd: `systemd-analyze verify` finds nothing to say about any of them, their
hardening keeps the exposure `systemd-analyze security` gives under 2.0, and they run the documented commands."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.tools import tool

ROOT = Path(__file__).parents[2]
UNITS = ROOT / "deploy" / "systemd"
INSTALLED = "/opt/frontdesk/bin/frontdesk"
NAMES = ["frontdesk.service", "frontdesk-socket.service", "frontdesk-worker@1.service", "frontdesk-backup.service"]


@pytest.fixture
def units(tmp_path: Path) -> Path:
    """The units as installed, with the console script of this environment where a deployment has its own."""
    script = Path(sys.executable).with_name("frontdesk")
    for unit in UNITS.glob("frontdesk*.*"):
        if unit.suffix in (".service", ".timer"):
            (tmp_path / unit.name).write_text(unit.read_text().replace(INSTALLED, str(script)))
    return tmp_path


def _systemd_analyze(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [tool("systemd-analyze", "systemd"), *arguments]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def test_systemd_analyze_verify_finds_nothing_to_say(units: Path) -> None:
    done = _systemd_analyze("verify", "--man=no", *(f"./{name}" for name in [*NAMES, "frontdesk-backup.timer"]),
                            cwd=units)  # fmt: skip
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_a_unit_with_a_mistake_is_what_verify_reports(units: Path) -> None:
    """The check above can fail: a misspelt key and a bad value are reported (verify still exits 0 for them)."""
    text = (units / "frontdesk.service").read_text()
    (units / "mistaken.service").write_text(text.replace("ProtectSystem=", "ProtectSytem=").replace(
        "Restart=on-failure", "Restart=sometimes"))  # fmt: skip
    done = _systemd_analyze("verify", "--man=no", "./mistaken.service", cwd=units)
    assert "Unknown key 'ProtectSytem'" in done.stderr
    assert "Failed to parse service restart specifier" in done.stderr


@pytest.mark.parametrize("name", NAMES)
def test_the_hardening_keeps_the_exposure_low(units: Path, name: str) -> None:
    done = _systemd_analyze("security", "--offline=yes", "--threshold=20", "--no-pager", f"./{name}", cwd=units)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr
    assert "Overall exposure level" in done.stdout


@pytest.mark.parametrize(
    ("name", "command"),
    [
        ("frontdesk.service", "run --http --host 127.0.0.1 --port 3000"),
        ("frontdesk-socket.service", "run"),
        ("frontdesk-worker@.service", "worker"),
    ],
)
def test_each_unit_runs_its_command_with_the_state_folder_and_restart(name: str, command: str) -> None:
    text = (UNITS / name).read_text()
    assert f"\nExecStart={INSTALLED} {command}\n" in text
    expected = [
        "User=frontdesk",
        "StateDirectory=frontdesk",
        "WorkingDirectory=/var/lib/frontdesk",
        "Restart=on-failure",
        "ProtectSystem=strict",
        "EnvironmentFile=/etc/frontdesk/frontdesk.env",
    ]
    for line in expected:
        assert f"\n{line}\n" in text
