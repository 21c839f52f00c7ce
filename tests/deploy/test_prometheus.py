"""deploy/prometheus: the alert rules pass `promtool check rules` and their unit tests, the example configuration
`promtool check config`, and Debian's real Prometheus scrapes a running `frontdesk run --http` on loopback."""

import json
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from slack_emulator import SlackEmulator, Workspace
from tests.bot.bot_process import BotProcess
from tests.deploy.tools import tool

ROOT = Path(__file__).parents[2]
RULES = ROOT / "deploy" / "prometheus"
START_SECONDS = 60


def _promtool(*arguments: str) -> subprocess.CompletedProcess[str]:
    command = [tool("promtool", "prometheus"), *arguments]
    return subprocess.run(command, cwd=RULES, capture_output=True, text=True, timeout=120, check=False)


def test_the_alert_rules_are_valid() -> None:
    checked = _promtool("check", "rules", "frontdesk-alerts.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 11 rules found" in checked.stdout


def test_the_alert_rules_fire_as_their_unit_tests_say() -> None:
    tested = _promtool("test", "rules", "frontdesk-alerts.test.yml")
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_example_configuration_is_valid() -> None:
    checked = _promtool("check", "config", "prometheus.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Prometheus:
    """Debian's prometheus on a loopback port, with a configuration and storage of its own in `folder`."""

    def __init__(self, folder: Path, target: str) -> None:
        self.port = _free_port()
        config = folder / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: frontdesk\n    metrics_path: /metrics\n"
            f"    static_configs:\n      - targets: ['{target}']\n"
        )
        self.log = (folder / "prometheus.log").open("w")
        command = [tool("prometheus", "prometheus"), f"--config.file={config}",
                   f"--storage.tsdb.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{self.port}",
                   "--log.level=warn"]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT, cwd=folder)

    def api(self, path: str, **query: str) -> Any:
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?{urllib.parse.urlencode(query)}"
        with urllib.request.urlopen(url, timeout=5) as answer:
            return json.load(answer)["data"]

    def wait_for(self, found: Callable[[], Any], what: str) -> Any:
        """`found()` once it is truthy, asked again as soon as Prometheus answered the last time."""
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prometheus exited ({self.process.returncode})")
            with suppress(OSError):
                if value := found():
                    return value
            with suppress(subprocess.TimeoutExpired):
                self.process.wait(0.1)  # returns early if it exits
        raise AssertionError(f"prometheus never saw {what}")

    def stop(self) -> None:
        """SIGTERM, and wait for it to have closed its storage."""
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.log.close()


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example()) as running:
        yield running


@pytest.fixture
def prometheus(tmp_path: Path) -> Iterator[Callable[[str], Prometheus]]:
    """Starts Prometheus scraping a target; stops it cleanly (SIGTERM, exit 0) at the end of the test."""
    started: list[Prometheus] = []

    def start(target: str) -> Prometheus:
        started.append(Prometheus(tmp_path, target))
        return started[-1]

    yield start
    for server in started:
        server.stop()
        assert server.process.returncode == 0, (tmp_path / "prometheus.log").read_text()


def test_prometheus_scrapes_a_running_bot(
    emulator: SlackEmulator, database_url: str, tmp_path: Path, prometheus: Callable[[str], Prometheus]
) -> None:
    tool("prometheus", "prometheus")
    with BotProcess.start(
        emulator, "run", "--http", "--host", "127.0.0.1", "--port", "0", database_url=database_url, folder=tmp_path
    ) as bot:
        assert bot.url is not None
        target = urllib.parse.urlsplit(bot.url).netloc
        server = prometheus(target)
        targets = server.wait_for(
            lambda: [t for t in server.api("targets")["activeTargets"] if t["health"] == "up"], "the bot up"
        )
        assert targets[0]["labels"] == {"instance": target, "job": "frontdesk"}
        up = server.wait_for(lambda: server.api("query", query="frontdesk_database_up")["result"], "a series")
        assert up[0]["value"][1] == "1"
        sweeps = server.wait_for(
            lambda: server.api("query", query="frontdesk_sweep_seconds_count")["result"], "a sweep's run"
        )
        assert {series["metric"]["sweep"] for series in sweeps} >= {"milestones"}
        calls = server.api("query", query='frontdesk_slack_api_seconds_count{method="auth.test"}')["result"]
        assert [float(series["value"][1]) >= 1 for series in calls] == [True]  # the bot's auth.test at start
        assert bot.stop() == 0
