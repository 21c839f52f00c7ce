"""The logging and the metrics port of `frontdesk run` and `frontdesk worker` (docs/operations.md, "Metrics" and
"Logging").

Rules:
- `start_logging(environ)` runs first, before anything logs: FRONTDESK_LOG_LEVEL and FRONTDESK_LOG_FORMAT are read
  once and the root logger configured (bot.monitoring.logs); a value that is not one of its words is one line and
  exit 2. The secrets its filter masks wherever they appear are the values of SLACK_BOT_TOKEN,
  SLACK_SIGNING_SECRET, SLACK_APP_TOKEN, FRONTDESK_SMTP_PASSWORD, of every variable whose name ends in PASSWORD,
  SECRET, TOKEN or KEY (a mailbox's `password_env`, a pager's `routing_key_env` or `api_key_env`), and the
  passwords of FRONTDESK_DATABASE_URL (each of 4 characters or more).
- FRONTDESK_METRICS_PORT (1-65535) gives /metrics a port of its own, on FRONTDESK_METRICS_HOST (default
  127.0.0.1, loopback): `frontdesk worker` and `frontdesk run` in Socket Mode serve /metrics only there; `frontdesk
  run --http` then serves it there and not on its Slack port. Without it, only `run --http` serves /metrics, on its
  own port. A bad value is one line and exit 2.
"""

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from bot.cli.errors import fail
from bot.monitoring.logs import LogSettings, configure_logging
from bot.monitoring.scrape import MetricsPage
from bot.process.web import MetricsWsgi, WebServer
from storage.engine import ENV_VAR as DATABASE_VAR
from storage.engine import parse_database_url, secrets_of
from storage.errors import StorageError

log = logging.getLogger(__name__)
PORT_VAR, HOST_VAR = "FRONTDESK_METRICS_PORT", "FRONTDESK_METRICS_HOST"
SECRET_VARS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "FRONTDESK_SMTP_PASSWORD")
SECRET_SUFFIXES = ("PASSWORD", "SECRET", "TOKEN", "KEY")  # KEY: the pagers' routing and API keys
MIN_SECRET = 4  # a shorter value would mask every word it is part of; Slack tokens are masked by their form anyway


def start_logging(environ: Mapping[str, str]) -> None:
    """The process's logging configured from `environ`, or one line per bad value and exit 2."""
    settings = LogSettings.from_environment(environ)
    problems = settings.problems()
    if problems:
        fail("; ".join(problems))
    configure_logging(settings, secrets=environment_secrets(environ))


def environment_secrets(environ: Mapping[str, str]) -> list[str]:
    """The secrets the environment holds (the rules above)."""
    names = {*SECRET_VARS, *(name for name in environ if name.upper().endswith(SECRET_SUFFIXES))}
    found = [environ[name].strip() for name in sorted(names) if environ.get(name, "").strip()]
    with suppress(StorageError):  # a URL that cannot be read is reported by the start (mask_passwords masks it)
        found.extend(secrets_of(parse_database_url(environ.get(DATABASE_VAR, "").strip() or "sqlite://")))
    return [secret for secret in found if len(secret) >= MIN_SECRET]


@dataclass(frozen=True)
class MetricsPort:
    """Where /metrics has a port of its own (`port` None: it has none)."""

    port: int | None = None
    host: str = "127.0.0.1"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> "MetricsPort":
        """FRONTDESK_METRICS_PORT and FRONTDESK_METRICS_HOST, or one line and exit 2."""
        text, host = environ.get(PORT_VAR, "").strip(), environ.get(HOST_VAR, "").strip() or "127.0.0.1"
        if not text:
            return cls(None, host)
        if not text.isdigit() or not 0 < int(text) < 65536:
            fail(f"{PORT_VAR} must be a port number (1-65535), not {text!r}")
        return cls(int(text), host)

    @contextmanager
    def serving(self, page: MetricsPage) -> Iterator[WebServer | None]:
        """/metrics alone on this port while inside (None when there is no port), closed at the end."""
        if self.port is None:
            yield None
            return
        with WebServer(MetricsWsgi(page), host=self.host, port=self.port) as server:
            log.info("serving /metrics on http://%s:%s/metrics", self.host, server.port)
            yield server
