"""The configuration as the doctor and the start read it: every problem at once, and the placeholder ids.

Rules (docs/operations.md, "Doctor"):
- `read_configuration` reads the environment (bot.config.environment), the desk config and its policy
  (bot.config.desk), the webhooks' signing secrets (bot.integrations.webhooks.caller), the pagers' keys
  (bot.integrations.paging.callers), the trackers' tokens and webhook secrets (bot.integrations.trackers.configured),
  the SMTP variables
  (bot.config.mail_servers) and the database URL (storage.engine), and lists every problem of all of them
  together, fatal, one line each.
- `[email]` with an address but no FRONTDESK_SMTP_HOST is a problem: the requesters' email would wait in the
  outbox for ever.
- The ids `frontdesk init` writes (`PLACEHOLDERS`, templates/config/frontdesk.toml.j2) left in the desk config
  are problems, each naming its key; the Slack checks skip them.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.config.desk import DeskConfig, DeskConfigError, load_desk_config
from bot.config.environment import Settings
from bot.config.mail_servers import EmailSettingsError, SmtpSettings
from bot.doctor.findings import Finding, finding
from bot.integrations.paging.callers import key_problems
from bot.integrations.trackers import configured
from bot.integrations.webhooks.caller import read_secrets
from storage.engine import database_url
from storage.errors import StorageError

PLACEHOLDERS = frozenset({"C0INTAKE01", "C0AGENTS01", "C0NEWS0001", "U0AGENT001", "S0SUPPORT1", "C0ACME0001"})


@dataclass(frozen=True)
class Configuration:
    settings: Settings
    desk: DeskConfig | None
    smtp: SmtpSettings | None
    problems: tuple[Finding, ...]
    database_url_ok: bool = True


def read_configuration(environ: Mapping[str, str], *, http: bool | None = None) -> Configuration:
    """Everything configured in `environ`; `http` (default: not Socket Mode) says which Slack settings are needed."""
    settings = Settings.from_environment(environ)
    texts = settings.problems_for_slack(http=not settings.socket_mode if http is None else http)
    desk: DeskConfig | None = None
    smtp: SmtpSettings | None = None
    try:
        desk = load_desk_config(settings.config_path)
    except DeskConfigError as error:
        texts.extend(error.problems)
    if desk is not None:
        texts.extend(read_secrets(desk.webhooks, environ)[1])
        texts.extend(key_problems(desk.paging, environ))
        texts.extend(_tracker_problems(desk, environ))
    try:
        smtp = SmtpSettings.from_environment(environ)
    except EmailSettingsError as error:
        texts.extend(error.problems)
    database_url_ok = True
    try:
        database_url(environ)
    except StorageError as error:
        texts.append(str(error))
        database_url_ok = False
    problems = [finding("config", fatal=True, text=text) for text in texts]
    if desk is not None and desk.email.enabled and smtp is None and not _smtp_named(environ):
        problems.append(finding("email_without_smtp", fatal=True, address=desk.email.address))
    return Configuration(settings, desk, smtp, tuple(problems), database_url_ok)


def _tracker_problems(desk: DeskConfig, environ: Mapping[str, str]) -> list[str]:
    try:
        configured.with_secrets(desk, environ)
    except DeskConfigError as error:
        return list(error.problems)
    return []


def _smtp_named(environ: Mapping[str, str]) -> bool:
    return bool(environ.get("FRONTDESK_SMTP_HOST", "").strip())


@dataclass(frozen=True)
class ConfiguredId:
    """One Slack id of the desk config: where it is (`key`), what it is (channel, user or usergroup)."""

    key: str
    value: str
    what: str


def configured_ids(desk: DeskConfig) -> Iterator[ConfiguredId]:
    """Every Slack id the desk config names, in the file's order."""
    for key, value in (
        ("slack.intake_channel", desk.intake_channel),
        ("slack.agents_channel", desk.agents_channel),
        ("slack.announcements_channel", desk.announcements_channel),
    ):
        if value:
            yield ConfiguredId(key, value, "channel")
    levels = {"agents": desk.agents, **{f"levels.{name}": people for name, people in desk.levels.items()}}
    for where, people in levels.items():
        yield from (ConfiguredId(f"{where}.users", user, "user") for user in people.users)
        yield from (ConfiguredId(f"{where}.usergroups", group, "usergroup") for group in people.usergroups)
    for customer in desk.customers:
        key = f"customers ({customer.name}).slack_channels"
        yield from (ConfiguredId(key, channel, "channel") for channel in customer.slack_channels)


def placeholders(desk: DeskConfig) -> list[Finding]:
    """One finding per placeholder id `frontdesk init` wrote that is still in the desk config."""
    return [
        finding("placeholder", key=found.key, value=found.value)
        for found in configured_ids(desk)
        if found.value in PLACEHOLDERS
    ]
