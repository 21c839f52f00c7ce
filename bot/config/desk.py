"""The desk config (FRONTDESK_CONFIG, TOML): who and where the support desk is (docs/architecture.md, "Contracts").

Rules:
- It names the policy (a preset or a policy file, relative paths from the config's folder), the Slack channels
  (intake, agents, announcements), the agents and the L2/L3 levels (users, user groups, emails), the customers
  and their plans (matched by Slack channel or email domain), the intake timings, attachment limits (size, and
  the blocked types: MIME types or `type/*` patterns, checked against the type detected from a file's bytes) and
  maintenance windows, email (`[email]`, bot.config.email), and on which business day of each month the
  previous month's report is posted (`[reports] monthly_on_business_day`, default 1; 0 turns it off) and whether
  a month with nothing in it is posted too (`[reports] post_empty`, default false); the on-call pagers
  (`[paging]`, bot.config.paging); the defect trackers (`[github]`, `[jira]`, bot.config.trackers); the outgoing
  webhooks (`[[webhooks]]`, bot.config.webhooks).
- Every problem is reported, one line each, naming the file and the key; a typo in a key is a problem.
- Slack ids are checked for shape (C/G/D for channels, U/W for users, S for user groups) so a name pasted where
  an id belongs is caught at start rather than at the first message.
- Email domains are matched case-insensitively; a channel or domain may belong to one customer only.
- A customer's Slack channels (Slack Connect, docs/architecture.md, "The path of a message") have a `channel_mode`:
  `auto` (a customer's top-level message opens a request, and their next top-level messages within
  `follow_up_window`, elapsed time, default 10m, join it), `ask` (the bot asks whether to open one) or `reaction`
  (the default: only an agent's :ticket: opens one).
- `[[services]]` names the desk's services (the components of the status page, docs/status-page.md), in the
  order written: an `id` (lower-case letters, digits, `-` and `_`, at most 40; what agents type and reports
  name), a display `name` and an optional `description`. Ids and names are unique (case-insensitively). A desk
  without services has one implicit service: every outage and window hits it, as before services existed.
  A `[[maintenance]]` window may name the `services` it takes down (known ids; none: every service).
"""

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

from bot.config.email import EmailDesk, read_email
from bot.config.paging import Paging, read_paging
from bot.config.trackers import GitHubDesk, JiraDesk, read_github, read_jira
from bot.config.webhooks import Webhook, read_webhooks
from sla import presets
from sla.durations import parse_working_duration
from sla.policy import Policy
from sla.policy_reader import PolicyError, Reader

T = TypeVar("T")
_CHANNEL = re.compile(r"^[CGD][A-Z0-9]{2,}$")
_USER = re.compile(r"^[UW][A-Z0-9]{2,}$")
_GROUP = re.compile(r"^S[A-Z0-9]{2,}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9-]{1,63}\.)+[a-z]{2,63}$")
_SERVICE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MIME_PART = r"[a-z0-9][a-z0-9!#$&^_.+-]*"
_MIME_PATTERN = re.compile(rf"^{_MIME_PART}/(\*|{_MIME_PART})$")
BLOCKED_TYPES = (  # programs and shell scripts, as storage.attachments detects them (and their other names)
    "application/x-msdownload",  # Windows PE (`filetype`'s name)
    "application/vnd.microsoft.portable-executable",
    "application/x-dosexec",
    "application/x-executable",  # ELF (`filetype`'s name)
    "application/x-elf",
    "application/x-mach-binary",  # Mach-O
    "application/x-sh",  # a `#!` line naming a shell
)


class DeskConfigError(ValueError):
    """The desk config has problems; `problems` holds one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class People:
    """Who is at a level: Slack users, Slack user groups and email addresses."""

    users: tuple[str, ...] = ()
    usergroups: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


NOBODY = People()


CHANNEL_MODES = ("auto", "ask", "reaction")


@dataclass(frozen=True)
class Customer:
    name: str
    plan: str
    slack_channels: tuple[str, ...] = ()
    email_domains: tuple[str, ...] = ()
    channel_mode: str = "reaction"  # one of CHANNEL_MODES
    follow_up_window: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class Service:
    """One component of the desk's product, as the status page and the availability report name it."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class Maintenance:
    start: datetime
    end: datetime
    title: str
    planned: bool = True
    services: tuple[str, ...] = ()  # the ids of the services it takes down; none: every service


@dataclass(frozen=True)
class IntakeSettings:
    """Abandoned intake: a reminder after `remind_after`, closed after `close_after` (elapsed time); files shared
    with a request are kept under `attachments_folder` (relative paths from the config's folder), each at most
    `max_attachment_bytes` and of no type in `blocked_types`."""

    remind_after: timedelta = timedelta(hours=4)
    close_after: timedelta = timedelta(days=3)
    max_attachment_bytes: int = 20 * 1024 * 1024
    attachments_folder: Path = Path("attachments")
    blocked_types: tuple[str, ...] = BLOCKED_TYPES


@dataclass(frozen=True)
class DeskConfig:
    policy: Policy
    intake_channel: str
    agents_channel: str
    announcements_channel: str | None = None
    agents: People = field(default_factory=People)
    levels: dict[str, People] = field(default_factory=dict)
    customers: tuple[Customer, ...] = ()
    intake: IntakeSettings = field(default_factory=IntakeSettings)
    maintenance: tuple[Maintenance, ...] = ()
    digest_over: int = 5  # more reminders than this in one sweep make one digest message
    email: EmailDesk = field(default_factory=EmailDesk)
    monthly_report_day: int = 1  # the month's business day the previous month's report is posted on; 0: never
    post_empty_reports: bool = False  # `[reports] post_empty`: a month with nothing in it is posted too
    services: tuple[Service, ...] = ()  # `[[services]]`, in the order written; none: one implicit service
    paging: Paging = field(default_factory=Paging)  # `[paging]` (bot.config.paging): the on-call pagers
    github: GitHubDesk | None = None  # `[github]` (bot.config.trackers): defects filed as GitHub issues
    jira: JiraDesk | None = None  # `[jira]` (bot.config.trackers): defects filed as Jira issues
    webhooks: tuple[Webhook, ...] = ()  # `[[webhooks]]` (bot.config.webhooks): endpoints told what happens

    @property
    def phone_region(self) -> str | None:
        """Where phone numbers written without a country code are from: the policy calendar's country."""
        return self.policy.calendar.holidays.country

    def customer_for_channel(self, channel: str) -> Customer | None:
        return next((c for c in self.customers if channel in c.slack_channels), None)

    def customer_for_email(self, address: str) -> Customer | None:
        domain = address.rpartition("@")[2].lower()
        return next((c for c in self.customers if domain in c.email_domains), None)

    def service_named(self, word: str) -> Service | None:
        """The service whose id or display name is `word` (case-insensitively), if any."""
        wanted = word.strip().casefold()
        return next((s for s in self.services if wanted in (s.id, s.name.casefold())), None)


def load_desk_config(path: Path) -> DeskConfig:
    """The desk config at `path`; DeskConfigError lists every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DeskConfigError([f"{path}: cannot be read ({error.strerror}); `frontdesk init` writes one"]) from error
    return parse_desk_config(text, source=str(path), folder=path.parent)


def parse_desk_config(text: str, source: str, folder: Path) -> DeskConfig:
    """The desk config written as TOML `text`."""
    try:
        root = Reader(source, "", tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise DeskConfigError([f"{source}: is not valid TOML ({error})"]) from error
    problems: list[str] = []

    def attempt(read: Callable[[], T], fallback: T) -> T:
        try:
            return read()
        except PolicyError as error:
            problems.append(str(error))
            return fallback

    policy = attempt(lambda: _policy(root, folder), None)
    slack = root.child("slack", required=False)
    intake_channel = attempt(lambda: _id(slack, "intake_channel", _CHANNEL, "a channel id such as C0123ABCD"), "")
    agents_channel = attempt(lambda: _id(slack, "agents_channel", _CHANNEL, "a channel id such as C0123ABCD"), "")
    announcements = attempt(lambda: _optional_id(slack, "announcements_channel", _CHANNEL), None)
    attempt(slack.done, None)
    agents = attempt(lambda: _people(root.child("agents")), People())
    levels = attempt(lambda: _levels(root.child("levels")), {})
    customers = attempt(lambda: _customers(root, policy), ())
    intake = attempt(
        lambda: _intake(root.child("intake"), folder), IntakeSettings(attachments_folder=folder / "attachments")
    )
    services = attempt(lambda: _services(root), ())
    maintenance = attempt(lambda: _maintenance(root, services), ())
    digest_over = attempt(lambda: _digest_over(root.child("reminders", required=False)), 5)
    email = attempt(lambda: read_email(root.child("email", required=False)), EmailDesk())
    paging = attempt(lambda: read_paging(root.child("paging", required=False)), Paging())
    github = attempt(lambda: _github(root), None)
    jira = attempt(lambda: read_jira(root.child("jira")) if root.has("jira") else None, None)
    webhooks = attempt(lambda: read_webhooks(root), ())
    monthly_report_day, post_empty_reports = attempt(
        lambda: _reports(root.child("reports", required=False)), (1, False)
    )
    attempt(root.done, None)
    if agents is not None and not (agents.users or agents.usergroups):
        problems.append(f"{source}: agents: name at least one agent (users or usergroups)")
    if problems or policy is None:
        raise DeskConfigError(problems)
    return DeskConfig(
        policy,
        intake_channel,
        agents_channel,
        announcements,
        agents,
        levels,
        customers,
        intake,
        maintenance,
        digest_over,
        email,
        monthly_report_day,
        post_empty_reports,
        services=services,
        paging=paging,
        github=github,
        jira=jira,
        webhooks=webhooks,
    )


def _github(root: Reader) -> GitHubDesk | None:
    return read_github(root.child("github")) if root.has("github") else None


def _policy(root: Reader, folder: Path) -> Policy:
    name = root.value("policy", str, required=True)
    if name in presets.names():
        return presets.load(name)
    path = Path(name) if Path(name).is_absolute() else folder / name
    if not path.is_file():
        raise root.error(f'"{name}" is neither a preset ({", ".join(presets.names())}) nor a policy file', "policy")
    return presets.load(str(path))


def _id(reader: Reader, key: str, shape: re.Pattern[str], what: str) -> str:
    value = reader.value(key, str, required=True)
    if not shape.match(value):
        raise reader.error(f'"{value}" is not {what} (right-click the channel > Copy link shows it)', key)
    return value


def _optional_id(reader: Reader, key: str, shape: re.Pattern[str]) -> str | None:
    return _id(reader, key, shape, "a channel id such as C0123ABCD") if reader.has(key) else reader.optional(key, str)


def _people(reader: Reader) -> People:
    people = People(
        users=_checked(reader, "users", _USER, "a user id such as U0123ABCD"),
        usergroups=_checked(reader, "usergroups", _GROUP, "a user group id such as S0123ABCD"),
        emails=_checked(reader, "emails", _EMAIL, "an email address"),
    )
    reader.done()
    return people


def _checked(reader: Reader, key: str, shape: re.Pattern[str], what: str) -> tuple[str, ...]:
    values = reader.strings(key)
    for value in values:
        if not shape.match(value):
            raise reader.error(f'"{value}" is not {what}', key)
    return values


def _levels(reader: Reader) -> dict[str, People]:
    levels = {}
    for name in reader.names():
        if name not in ("L2", "L3"):
            raise reader.error("levels are L2 and L3 (L1 is [agents])", name)
        levels[name] = _people(reader.child(name))
    return levels


def _customers(root: Reader, policy: Policy | None) -> tuple[Customer, ...]:
    customers = []
    seen: dict[str, str] = {}
    for item in root.children("customers"):
        name = item.value("name", str, required=True)
        plan = item.value("plan", str, policy.default_plan if policy else "")
        if policy is not None and plan not in policy.plans:
            raise item.error(f'"{plan}" is not a plan of policy {policy.name} ({", ".join(policy.plans)})', "plan")
        channels = _checked(item, "slack_channels", _CHANNEL, "a channel id such as C0123ABCD")
        domains = tuple(domain.lower() for domain in item.strings("email_domains"))
        for domain in domains:
            if not _DOMAIN.match(domain):
                raise item.error(f'"{domain}" is not a domain such as example.com', "email_domains")
        for key in (*channels, *domains):
            if key in seen:
                raise item.error(f'"{key}" already belongs to customer {seen[key]}')
            seen[key] = name
        mode = item.value("channel_mode", str, "reaction")
        if mode not in CHANNEL_MODES:
            raise item.error(f'"{mode}" is not a channel mode ({", ".join(CHANNEL_MODES)})', "channel_mode")
        window = item.parsed("follow_up_window", _elapsed, Customer.follow_up_window)
        item.done()
        customers.append(Customer(name, plan, channels, domains, mode, window))
    return tuple(customers)


def _digest_over(reader: Reader) -> int:
    value = reader.value("digest_over", int, 5)
    if value < 0:
        raise reader.error("must be 0 or more", "digest_over")
    reader.done()
    return value


def _reports(reader: Reader) -> tuple[int, bool]:
    """`[reports]`: the monthly report's business day (0: none) and whether a month with nothing in it is posted."""
    value = reader.value("monthly_on_business_day", int, 1)
    if not 0 <= value <= 20:
        raise reader.error(
            "must be a business day of the month from 1 to 20, or 0 for no monthly report", "monthly_on_business_day"
        )
    post_empty = reader.value("post_empty", bool, False)
    reader.done()
    return value, post_empty


def _intake(reader: Reader, folder: Path) -> IntakeSettings:
    attachments = Path(reader.value("attachments_folder", str, "attachments"))
    settings = IntakeSettings(
        remind_after=reader.parsed("remind_after", _elapsed, IntakeSettings.remind_after),
        close_after=reader.parsed("close_after", _elapsed, IntakeSettings.close_after),
        max_attachment_bytes=int(reader.value("max_attachment_mb", float, 20.0) * 1024 * 1024),
        attachments_folder=attachments if attachments.is_absolute() else folder / attachments,
        blocked_types=_blocked_types(reader),
    )
    if settings.close_after <= settings.remind_after:
        raise reader.error("must be longer than remind_after", "close_after")
    if settings.max_attachment_bytes <= 0:
        raise reader.error("must be above 0", "max_attachment_mb")
    reader.done()
    return settings


def _blocked_types(reader: Reader) -> tuple[str, ...]:
    """MIME types and `type/*` patterns, lower-cased; the default list when the key is absent."""
    patterns = tuple(pattern.strip().lower() for pattern in reader.strings("blocked_types", BLOCKED_TYPES))
    for pattern in patterns:
        if not _MIME_PATTERN.match(pattern):
            raise reader.error(
                f'"{pattern}" is not a MIME type such as application/x-msdownload or a pattern such as video/*',
                "blocked_types",
            )
    return patterns


def _elapsed(text: str) -> timedelta:
    """Elapsed (not working) time: `4h`, `1d` = 24 hours, `1w` = 7 days."""
    duration = parse_working_duration(text)
    return timedelta(weeks=float(duration.weeks), days=float(duration.days), minutes=float(duration.minutes))


def _services(root: Reader) -> tuple[Service, ...]:
    """`[[services]]` in the order written, each id and name used once."""
    services: list[Service] = []
    for item in root.children("services"):
        item.allow("id", "name", "description")
        service_id = item.value("id", str, required=True)
        if not _SERVICE_ID.match(service_id):
            raise item.error(
                f'"{service_id}" is not a service id (lower-case letters, digits, - and _, at most 40, e.g. search)',
                "id",
            )
        name = " ".join(item.value("name", str, required=True).split())
        if not name:
            raise item.error("must not be empty", "name")
        taken = {key: s.id for s in services for key in (s.id, s.name.casefold())}
        for key, what in ((service_id, "id"), (name.casefold(), "name")):
            if key in taken:
                raise item.error(f'"{key}" is already used by service {taken[key]}', what)
        services.append(Service(service_id, name, " ".join(item.value("description", str, "").split())))
        item.done()
    return tuple(services)


def _known_services(item: Reader, services: tuple[Service, ...]) -> tuple[str, ...]:
    """A window's `services`: ids of the desk's services."""
    named = item.strings("services")
    known = [s.id for s in services]
    for service_id in named:
        if service_id not in known:
            choices = ", ".join(known) if known else "none: add [[services]] first"
            raise item.error(f'"{service_id}" is not a service of this desk ({choices})', "services")
    return tuple(dict.fromkeys(named))


def _maintenance(root: Reader, services: tuple[Service, ...] = ()) -> tuple[Maintenance, ...]:
    windows = []
    for item in root.children("maintenance"):
        start, end = item.value("start", datetime, required=True), item.value("end", datetime, required=True)
        if start.tzinfo is None or end.tzinfo is None:
            raise item.error("start and end need a UTC offset, e.g. 2026-12-05T22:00:00+01:00")
        if end <= start:
            raise item.error("ends before it starts", "end")
        title, planned = item.value("title", str, required=True), item.value("planned", bool, True)
        windows.append(Maintenance(start, end, title, planned, _known_services(item, services)))
        item.done()
    return tuple(windows)
