"""Log records: the level and format chosen by environment variable, the request and inbox row being worked on
every record that has one, and never a secret (docs/operations.md, "Logging"; docs/security.md, "Escaping and secrets").

Rules:
- `FRONTDESK_LOG_LEVEL` (debug, info, warning, error, critical; default info) and `FRONTDESK_LOG_FORMAT` (text or
  json; default text) are read once, and `configure_logging` installs one handler on the root logger, on stderr,
  at process start (`frontdesk run` and `frontdesk worker`); configuring again replaces that handler, never adds.
  APScheduler's lines about each job run and Alembic's about its context are shown at debug only.
- Every record carries `sr` (SR-000123) and `inbox_key` when it was written while a request or an inbox row was
  worked: the inbox worker sets the row's key for the row (`log_scope`), storage sets the request's SR number when
  it opens or locks its row (storage.worked); an explicit `extra={"sr": ...}` wins. Text lines end with
  `[SR-000123 inbox=KEY]`; JSON lines (one object a line) have the keys time (ISO 8601 UTC), level, logger,
  message, and sr, inbox_key and exception when they have one.
- Secrets: a filter on the handler rewrites every record, its message, exception and stack, before any format
  sees it: Slack tokens (xoxb-, xoxp-, xapp-, ...) and passwords in URLs and `password=` pairs
  (storage.engine.mask_passwords) become ***, and so does each value given as a secret (the signing secret, the
  SMTP and IMAP passwords, the tokens themselves), wherever it appears.
"""

import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO

from storage.engine import MASK, mask_passwords
from storage.worked import WORKED_SR

LEVEL_VAR, FORMAT_VAR = "FRONTDESK_LOG_LEVEL", "FRONTDESK_LOG_FORMAT"
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR,
          "critical": logging.CRITICAL}  # fmt: skip
FORMATS = ("text", "json")
TOKEN = re.compile(r"\bx(?:ox[a-z]|app)-[A-Za-z0-9-]+")
QUIET_BELOW_DEBUG = ("apscheduler", "alembic")  # a line per job run; the migration context at every start
INBOX_KEY: ContextVar[str | None] = ContextVar("frontdesk_inbox_key", default=None)


@dataclass(frozen=True)
class LogSettings:
    level: str = "info"
    format: str = "text"

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> "LogSettings":
        return cls(env.get(LEVEL_VAR, "").strip().lower() or "info", env.get(FORMAT_VAR, "").strip().lower() or "text")

    def problems(self) -> list[str]:
        """Each value that is not one of its words, one line each (the value is not a secret: it is named)."""
        found = []
        if self.level not in LEVELS:
            found.append(f"{LEVEL_VAR} must be one of {', '.join(LEVELS)}, not {self.level!r}")
        if self.format not in FORMATS:
            found.append(f"{FORMAT_VAR} must be text or json, not {self.format!r}")
        return found


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with Slack tokens, passwords and each of `secrets` masked."""
    return mask_passwords(TOKEN.sub(MASK, text), secrets)


class SecretFilter(logging.Filter):
    """Rewrites each record's message, exception and stack with `scrub`, before any formatter sees them."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = tuple(secret for secret in secrets if secret)
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage(), self._secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, self._secrets)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info, self._secrets)
        return True


class ContextFilter(logging.Filter):
    """Puts the SR number and the inbox key being worked on the record (None when there is none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "sr", None) is None:
            record.sr = WORKED_SR.get()
        if getattr(record, "inbox_key", None) is None:
            record.inbox_key = INBOX_KEY.get()
        return True


class TextFormatter(logging.Formatter):
    """`2026-12-03 11:33:00,123 WARNING bot.x: message [SR-000123 inbox=KEY]`, then the exception, if any."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        line = super().formatMessage(record)
        context = [text for text in (getattr(record, "sr", None), _inbox(record)) if text]
        return f"{line} [{' '.join(context)}]" if context else line


def _inbox(record: logging.LogRecord) -> str | None:
    key = getattr(record, "inbox_key", None)
    return f"inbox={key}" if key else None


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, and sr, inbox_key, exception when set."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, str] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in ("sr", "inbox_key"):
            if value := getattr(record, name, None):
                line[name] = str(value)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False)


class _FrontdeskHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The handler `configure_logging` installs (and replaces when called again): on its `stream`, else on
    whatever `sys.stderr` is when a record is written (as logging's last resort does), so a command run in-process
    (click's test runner) leaves no handler on a closed stream behind."""

    def __init__(self, stream: TextIO | None) -> None:
        super().__init__(stream)
        self._own = stream

    @property
    def stream(self) -> TextIO:
        return self._own if self._own is not None else sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass  # StreamHandler's constructor sets it; `_own` is the one kept


def configure_logging(settings: LogSettings, *, secrets: Iterable[str] = (), stream: TextIO | None = None) -> None:
    """One handler on the root logger at `settings`' level and format, its records scrubbed of `secrets`."""
    handler = _FrontdeskHandler(stream)
    handler.addFilter(ContextFilter())
    handler.addFilter(SecretFilter(secrets))
    handler.setFormatter(JsonFormatter() if settings.format == "json" else TextFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _FrontdeskHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = LEVELS.get(settings.level, logging.INFO)
    root.setLevel(level)
    for name in QUIET_BELOW_DEBUG:
        logging.getLogger(name).setLevel(level if level <= logging.DEBUG else max(level, logging.WARNING))


@contextmanager
def log_scope(*, inbox_key: str | None = None) -> Iterator[None]:
    """The records written inside carry `inbox_key` and the SR number of the request worked inside (none until
    storage opens or locks one); both are as before once it ends."""
    key, sr = INBOX_KEY.set(inbox_key), WORKED_SR.set(None)
    try:
        yield
    finally:
        WORKED_SR.reset(sr)
        INBOX_KEY.reset(key)
