"""Log records as an operator reads them: level and format by environment variable, the SR number and inbox key
of the work in hand, and no secret, in the text written to the stream."""

import io
import json
import logging
from datetime import UTC, datetime

import pytest

from bot.monitoring.logs import LogSettings, configure_logging, log_scope
from storage.engine import Database
from storage.tickets import lock_ticket, open_ticket

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
log = logging.getLogger("bot.test")


@pytest.fixture
def written():
    """What the configured handler writes; the root logger as it was afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    yield stream
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


def test_text_lines_name_the_request_and_the_inbox_row_being_worked(db: Database, written) -> None:
    configure_logging(LogSettings(), stream=written)
    with log_scope(inbox_key="message:C1:1700000000.000100"):
        log.info("before the request")
        with db.write() as session:
            ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
            log.warning("while the request is worked")
    log.info("after the row")
    with log_scope(), db.write() as session:
        lock_ticket(session, ticket.id)
        log.error("a sweep on the request")
    lines = written.getvalue().splitlines()
    key = "inbox=message:C1:1700000000.000100"
    assert lines[0].endswith(f"INFO bot.test: before the request [{key}]")
    assert lines[1].endswith(f"WARNING bot.test: while the request is worked [{ticket.sr} {key}]")
    assert lines[2].endswith("INFO bot.test: after the row")
    assert lines[3].endswith(f"ERROR bot.test: a sweep on the request [{ticket.sr}]")


def test_json_lines_are_one_object_each_with_the_context_and_the_exception(db: Database, written) -> None:
    configure_logging(LogSettings(level="debug", format="json"), stream=written)
    with log_scope(inbox_key="email:support:<a@b>"), db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
        try:
            raise ValueError("bad row")
        except ValueError:
            log.exception("row failed")
    log.debug("quiet")
    first, second = (json.loads(line) for line in written.getvalue().splitlines())
    assert {name: first[name] for name in ("level", "logger", "message", "sr", "inbox_key")} == {
        "level": "error", "logger": "bot.test", "message": "row failed", "sr": ticket.sr,
        "inbox_key": "email:support:<a@b>",
    }  # fmt: skip
    assert "ValueError: bad row" in first["exception"]
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert second == {"time": second["time"], "level": "debug", "logger": "bot.test", "message": "quiet"}


def test_the_level_filters_and_configuring_again_replaces_the_handler(written) -> None:
    configure_logging(LogSettings(level="warning"), stream=io.StringIO())
    configure_logging(LogSettings(level="warning"), stream=written)
    log.info("not shown")
    log.warning("shown")
    assert [line.split(": ", 1)[1] for line in written.getvalue().splitlines()] == ["shown"]


def test_tokens_passwords_and_given_secrets_never_reach_the_output(written) -> None:
    configure_logging(LogSettings(), secrets=["s1gning-secret-value", "imap-pass"], stream=written)
    log.warning("token %s and %s", "xoxb-1234-5678-abcdef", "xapp-1-A1-2-ff")
    log.warning("url postgresql://frontdesk:hunter2@db/frontdesk, signing s1gning-secret-value")
    try:
        raise RuntimeError("login failed with imap-pass for xoxp-99-88")
    except RuntimeError:
        log.exception("mailbox")
    text = written.getvalue()
    for secret in ("xoxb-1234", "xapp-1-A1", "hunter2", "s1gning-secret-value", "imap-pass", "xoxp-99"):
        assert secret not in text
    assert "token *** and ***" in text
    assert "postgresql://frontdesk:***@db/frontdesk" in text
    assert "RuntimeError: login failed with *** for ***" in text


def test_a_level_or_format_not_known_is_one_problem_each() -> None:
    settings = LogSettings.from_environment({"FRONTDESK_LOG_LEVEL": "LOUD", "FRONTDESK_LOG_FORMAT": "xml"})
    assert settings.problems() == [
        "FRONTDESK_LOG_LEVEL must be one of debug, info, warning, error, critical, not 'loud'",
        "FRONTDESK_LOG_FORMAT must be text or json, not 'xml'",
    ]
    assert LogSettings.from_environment({}) == LogSettings("info", "text")
    assert LogSettings.from_environment({"FRONTDESK_LOG_LEVEL": " Debug "}).problems() == []
