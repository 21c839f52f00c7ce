"""Starting `frontdesk run` and `frontdesk worker`: the configuration checked, the database and Slack waited for,
the doctor's other checks logged as a summary (docs/operations.md, "Doctor").

Rules:
- Every configuration problem (bot.doctor.configuration: the environment, the desk config and its policy, every bad
  SMTP variable, `[email]` without FRONTDESK_SMTP_HOST, the database URL) is printed, one line each, and the
  command exits 2 before anything starts.
- The database unreachable (a PostgreSQL server; a SQLite file that cannot be opened is a mistake to correct and
  stops the start), or Slack unreachable (no connection, a timeout, 429 or 5xx), is one line and a retry after a
  backoff (1 s, doubling, at most `MOST_WAIT`) until it answers: never a traceback. Slack refusing the bot token,
  or in Socket Mode the app-level token, stops the start (exit 2) with one line.
- Then the bot starts, and the doctor's other checks (placeholder ids, scopes, channels, user groups, SMTP and IMAP
  logins) run on a thread of their own and are logged, one warning each, and a summary line: the bot serves Slack
  meanwhile (a mail server that never answers delays nothing), and waits for what it cannot do yet.
"""

import logging
import os
import threading
from collections.abc import Callable, Mapping
from functools import partial
from typing import TypeVar

import click
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.cli.errors import fail
from bot.cli.manifest import SCOPES
from bot.config.desk import DeskConfig
from bot.config.mail_servers import SmtpSettings
from bot.desk import defects
from bot.doctor.configuration import Configuration, placeholders, read_configuration
from bot.doctor.findings import Finding, finding, line
from bot.doctor.mail import imap_login, smtp_login
from bot.doctor.slack import check_app_token, check_slack, client_for, unreachable_reason
from bot.integrations.trackers import configured
from bot.integrations.trackers.callers import tracker_callers
from bot.integrations.wiring import callers_for
from bot.process.app import Frontdesk
from bot.say import Say
from storage import migrate
from storage.engine import Database, database_url, open_database
from storage.errors import DatabaseUnavailableError, StorageError

log = logging.getLogger(__name__)
FIRST_WAIT = 1.0
MOST_WAIT = 60.0
T = TypeVar("T")


class _Later(Exception):
    """What was tried cannot answer yet; `found` says why."""

    def __init__(self, found: Finding) -> None:
        super().__init__(found.kind)
        self.found = found


def start_app(*, http: bool, environ: Mapping[str, str] | None = None) -> tuple[Frontdesk, Database]:
    """The configuration checked, the database upgraded, the application built against Slack, its workers started
    and the other checks logged."""
    env = os.environ if environ is None else environ
    configuration = read_configuration(env, http=http)
    if configuration.problems:
        _stop([line(problem) for problem in configuration.problems])
    assert configuration.desk is not None
    database = _patiently(lambda: _database(env))
    app = _patiently(lambda: _application(configuration, database, env))
    if not http and configuration.settings.socket_mode:
        _patiently(lambda: _app_token(configuration))
    started = app.start()
    checks = threading.Thread(target=_log_checks, args=(configuration,), name="start-checks", daemon=True)
    checks.start()
    return started, database


def _log_checks(configuration: Configuration) -> None:
    """The doctor's other checks, one warning each, then the summary."""
    assert configuration.desk is not None
    warnings = _warnings(configuration, configuration.desk, configuration.smtp)
    for warning in warnings:
        log.warning("%s", line(warning))
    summary = finding("checks_warned", count=len(warnings)) if warnings else finding("checks_passed")
    log.warning("%s", line(summary)) if warnings else log.info("%s", line(summary))


def _stop(lines: list[str]) -> None:
    for text in lines[:-1]:
        click.echo(f"frontdesk: {text}", err=True)
    fail(lines[-1])


def _patiently(attempt: Callable[[], T], wait: Callable[[float], object] | None = None) -> T:
    """`attempt()` until it answers, one line and a longer wait after each `_Later`."""
    pause = wait or threading.Event().wait
    seconds = FIRST_WAIT
    while True:
        try:
            return attempt()
        except _Later as later:
            retry = finding("retrying", what=line(later.found), seconds=f"{seconds:g}")
            log.warning("%s", line(retry))
            pause(seconds)
            seconds = min(MOST_WAIT, seconds * 2)


def _database(environ: Mapping[str, str]) -> Database:
    """The database opened and upgraded; a PostgreSQL server that cannot be reached is waited for, while a SQLite
    file that cannot be opened (a folder that is not there, no permission) stops the start."""
    waits = database_url(environ).get_backend_name() != "sqlite"
    database: Database | None = None
    try:
        database = open_database(environ)
        migrate.upgrade(database)
    except DatabaseUnavailableError as error:
        if database is not None:
            database.dispose()
        if not waits:
            fail(str(error))
        raise _Later(finding("database_unreachable", text=str(error))) from None
    except StorageError as error:
        if database is not None:
            database.dispose()
        fail(str(error))
    return database


def tracker_record(desk: DeskConfig) -> Callable[..., None]:
    """What the trackers' Callers hand their answers to: the defect service, speaking for this desk."""
    return partial(defects.on_sent, desk=desk, say_for=lambda session, now: Say(session, desk, now))


def _application(configuration: Configuration, database: Database, environ: Mapping[str, str]) -> Frontdesk:
    settings, desk = configuration.settings, configuration.desk
    assert desk is not None
    try:
        return Frontdesk(
            desk=desk,
            database=database,
            token=settings.bot_token,
            api_url=settings.api_url,
            signing_secret=settings.signing_secret,
            smtp=configuration.smtp,
            app_id=settings.app_id,
            callers=callers_for(desk, environ) | tracker_callers(desk, environ, tracker_record(desk)),
            trackers=configured.with_secrets(desk, environ),
        )
    except (SlackApiError, SlackClientError, OSError) as error:
        reason = unreachable_reason(error)
        if reason is None and isinstance(error, SlackApiError):
            fail(line(finding("token_refused", error=str(error.response.get("error", "unknown_error")))))
        raise _Later(
            finding("slack_unreachable", url=settings.api_url, reason=reason or type(error).__name__)
        ) from None


def _app_token(configuration: Configuration) -> None:
    settings = configuration.settings
    refused = check_app_token(settings.api_url, settings.app_token)
    if refused is not None and refused.kind == "slack_unreachable":
        raise _Later(refused)
    if refused is not None:
        fail(line(refused))


def _warnings(configuration: Configuration, desk: DeskConfig, smtp: SmtpSettings | None) -> list[Finding]:
    found = placeholders(desk)
    found.extend(check_slack(client_for(configuration.settings), desk, SCOPES).problems)
    if smtp is not None:
        found.extend(problem for problem in [smtp_login(smtp)] if problem is not None)
    found.extend(problem for mailbox in desk.email.mailboxes if (problem := imap_login(mailbox)) is not None)
    return found
