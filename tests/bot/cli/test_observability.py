"""The logging and metrics settings of `frontdesk run` and `worker`: bad values refused in one line, the secrets
the environment holds, and /metrics on a port of its own."""

import http.client
import logging
from datetime import UTC, datetime

import pytest

from bot.cli.errors import BadInput
from bot.cli.observability import MetricsPort, environment_secrets, start_logging
from bot.monitoring.scrape import MetricsPage
from storage.engine import Database

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
    }
    assert sorted(environment_secrets(environ)) == ["abcdef0123", "db-pass", "mailbox-pass", "xoxb-1-2-3"]


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
