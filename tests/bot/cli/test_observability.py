"""The logging and metrics settings of `frontdesk run` and `worker`: bad values refused in one line, the secrets
the environment holds, and /metrics on a port of its own."""

import http.client
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli.errors import BadInput
from bot.cli.observability import MetricsPort, environment_secrets, start_logging
from bot.monitoring.scrape import MetricsPage
from slack_emulator import SlackEmulator, Workspace
from storage.engine import Database
from tests.bot.bot_process import BotProcess
from tests.storage.postgres import free_port

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def test_a_bad_log_level_and_format_are_one_line() -> None:
    with pytest.raises(BadInput) as refused:
        start_logging({"FRONTDESK_LOG_LEVEL": "chatty", "FRONTDESK_LOG_FORMAT": "yaml"})
    assert refused.value.format_message() == (
        "FRONTDESK_LOG_LEVEL must be one of debug, info, warning, error, critical, not 'chatty'; "
        "FRONTDESK_LOG_FORMAT must be text or json, not 'yaml'"
    )


def test_starting_the_logging_sets_the_root_level() -> None:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        start_logging({"FRONTDESK_LOG_LEVEL": "error"})
        assert root.level == logging.ERROR
    finally:
        for handler in [h for h in root.handlers if h not in handlers]:
            root.removeHandler(handler)
        root.setLevel(level)


def test_the_secrets_are_the_known_variables_those_named_like_secrets_and_the_database_password() -> None:
    environ = {
        "SLACK_BOT_TOKEN": "xoxb-1-2-3",
        "SLACK_SIGNING_SECRET": "abcdef0123",
        "SUPPORT_IMAP_PASSWORD": "mailbox-pass",
        "FRONTDESK_DATABASE_URL": "postgresql://desk:db-pass@db/frontdesk",
        "FRONTDESK_CONFIG": "frontdesk.toml",
        "SHORT_TOKEN": "abc",
        "PAGERDUTY_ROUTING_KEY": "pd-routing-0123",
    }
    expected = ["abcdef0123", "db-pass", "mailbox-pass", "pd-routing-0123", "xoxb-1-2-3"]
    assert sorted(environment_secrets(environ)) == expected


@pytest.mark.parametrize("text", ["0", "65536", "metrics", "-1"])
def test_a_metrics_port_that_is_not_a_port_is_one_line(text: str) -> None:
    with pytest.raises(BadInput, match="FRONTDESK_METRICS_PORT must be a port number"):
        MetricsPort.from_environment({"FRONTDESK_METRICS_PORT": text})


def test_without_a_metrics_port_nothing_is_served() -> None:
    port = MetricsPort.from_environment({})
    assert port == MetricsPort(None, "127.0.0.1")
    with port.serving(MetricsPage(Database.from_url("sqlite://"), lambda: NOW)) as server:
        assert server is None


def test_a_metrics_port_serves_the_page_on_loopback(db: Database) -> None:
    with MetricsPort(0).serving(MetricsPage(db, lambda: NOW)) as server:
        assert server is not None
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/metrics")
        answer = connection.getresponse()
        assert answer.status == 200
        assert b"frontdesk_database_up 1.0" in answer.read()
        connection.close()


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(Workspace.example()) as running:
        yield running


def test_a_worker_serves_metrics_on_its_port_and_logs_json_lines_without_its_token(
    emulator: SlackEmulator, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("FRONTDESK_METRICS_PORT", str(port))
    monkeypatch.setenv("FRONTDESK_LOG_FORMAT", "json")
    monkeypatch.setenv("FRONTDESK_LOG_LEVEL", "info")
    with BotProcess.start(emulator, "worker", database_url=database_url, folder=tmp_path) as worker:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/metrics")
        page = connection.getresponse().read().decode()
        connection.close()
        assert worker.stop() == 0
    assert "frontdesk_database_up 1.0" in page
    assert 'frontdesk_slack_api_seconds_count{method="auth.test"} 1.0' in page
    logged = [json.loads(line) for line in worker.said if line.startswith("{")]
    assert {"time", "level", "logger", "message"} <= set(logged[0])
    assert any(line["message"] == f"serving /metrics on http://127.0.0.1:{port}/metrics" for line in logged)
    assert emulator.bot_token not in "".join(worker.said)
