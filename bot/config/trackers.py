"""The desk config's defect-tracker tables: `[jira]` and `[github]` (docs/integrations.md, "Jira" and "GitHub
Issues").

Rules for `[jira]`:
- `url` is the site's base URL (`https://example.atlassian.net`, or a Data Center's base URL with its context
  path), https unless it is on this machine (127.0.0.1, ::1, localhost: the tests' stand-in). No trailing slash.
- `flavour` is `cloud` (REST v3: descriptions and comments are Atlassian Document Format documents; basic auth
  with an Atlassian account's email and API token) or `datacenter` (REST v2: plain text; a personal access token
  sent as a bearer token). `api_path` defaults to `/rest/api/3` or `/rest/api/2` by flavour.
- `project` is the project key issues are filed in (upper-case letters, digits and `_`, starting with a letter);
  `issue_type` the issue type's name (`Bug`); `labels` are added to every filed issue (Jira labels hold no
  spaces). Every filed issue also carries the label `frontdesk-SR-000123`, by which a lost answer is found again.
- Credentials come from the environment: `token_env` names the variable holding the API token (Cloud) or personal
  access token (Data Center); `email_env` the one holding the account's email (Cloud only, required there);
  `webhook_secret_env` the one holding the secret the Jira webhook signs with (Cloud, and Data Center 10 and
  later): without it no webhook from Jira is accepted (the reconciliation poll still runs). The table keeps the
  names; `jira_secrets` reads the values once at start (bot.integrations.wiring), and a named variable that is
  unset or empty is an error naming it; the values are never logged, stored or shown (`repr` hides them).
- `public_prefix` (default `[public]`) marks an engineer's comment meant for the requester: one that starts with it
  (after leading spaces, any case) is relayed without the prefix; a comment restricted to a role or group is never
  relayed.
- `done_statuses` lists the status names that count as done (any case); without it, a status counts as done when
  Jira puts it in the "done" status category (docs/integrations.md, "Jira").

Rules for `[github]`:
- `repository` is "owner/name": the repository issues are filed in, and the only one linked or listened to.
- `api_url` (default https://api.github.com; a GitHub Enterprise Server's `https://HOST/api/v3`) and `web_url`
  (default https://github.com; the server's `https://HOST`) are https unless on this machine (the tests'
  stand-in); `web_url` is where an issue's page lives, so `--link https://github.com/owner/name/issues/12` is read.
- `labels` are added to every filed issue (GitHub creates a label that does not exist yet).
- `token_env` names the environment variable holding the token (a fine-grained token with Issues read and write on
  the repository; docs/integrations.md, "GitHub Issues"); `webhook_secret_env` the one holding the webhook's
  secret: without it no webhook from GitHub is accepted (the reconciliation poll still runs). The table keeps the
  names; `github_secrets` reads the values once at start (bot.integrations.wiring), and a named variable that is
  unset or empty is an error naming it; the values are never logged, stored or shown (`repr` hides them).
- `public_prefix` (default `[public]`), as for Jira: an engineer's comment starting with it (after leading spaces,
  any case) is relayed to the requester without the prefix; every other comment stays among the engineers.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.config.addresses import is_loopback
from sla.policy_reader import Reader

FLAVOURS = {"cloud": "/rest/api/3", "datacenter": "/rest/api/2"}
_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")
_LABEL = re.compile(r"^\S{1,255}$")
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$")
GITHUB_API, GITHUB_WEB = "https://api.github.com", "https://github.com"


@dataclass(frozen=True)
class JiraDesk:
    url: str
    project: str
    flavour: str = "cloud"
    api_path: str = "/rest/api/3"
    issue_type: str = "Bug"
    labels: tuple[str, ...] = ()
    public_prefix: str = "[public]"
    done_statuses: tuple[str, ...] = ()
    token_env: str = "JIRA_API_TOKEN"
    email_env: str | None = None  # Cloud only
    webhook_secret_env: str | None = None

    @property
    def cloud(self) -> bool:
        return self.flavour == "cloud"


@dataclass(frozen=True)
class JiraSecrets:
    """The account's email (Cloud), the token and the webhook secret, read at start; never logged or shown."""

    token: str = field(repr=False)
    email: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)


def read_jira(reader: Reader) -> JiraDesk:
    """The `[jira]` table (`reader`), checked; PolicyError names the key. Secrets are read by `jira_secrets`."""
    flavour = reader.value("flavour", str, "cloud")
    if flavour not in FLAVOURS:
        raise reader.error(f'"{flavour}" is not one of {", ".join(FLAVOURS)}', "flavour")
    url = _url(reader)
    project = reader.value("project", str, required=True)
    if not _PROJECT.match(project):
        raise reader.error(f'"{project}" is not a Jira project key such as OPS', "project")
    labels = reader.strings("labels")
    for label in labels:
        if not _LABEL.match(label):
            raise reader.error(f'"{label}" is not a Jira label (no spaces, at most 255 characters)', "labels")
    api_path = reader.value("api_path", str, FLAVOURS[flavour]).rstrip("/")
    if not api_path.startswith("/"):
        raise reader.error("must start with /", "api_path")
    desk = JiraDesk(
        url=url,
        project=project,
        flavour=flavour,
        api_path=api_path,
        issue_type=reader.value("issue_type", str, "Bug"),
        labels=labels,
        public_prefix=reader.value("public_prefix", str, "[public]").strip(),
        done_statuses=tuple(name.strip().lower() for name in reader.strings("done_statuses")),
        token_env=reader.value("token_env", str, required=True),
        email_env=reader.value("email_env", str, required=True) if flavour == "cloud" else None,
        webhook_secret_env=reader.optional("webhook_secret_env", str),
    )
    if not desk.public_prefix:
        raise reader.error("must not be empty (every comment would be relayed)", "public_prefix")
    reader.done()
    return desk


def _url(reader: Reader) -> str:
    url = reader.value("url", str, required=True).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise reader.error(f'"{url}" is not a site URL such as https://example.atlassian.net', "url")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise reader.error("must be https (the token would travel in cleartext)", "url")
    return url


def jira_secrets(desk: JiraDesk, environ: Mapping[str, str]) -> JiraSecrets:
    """The `[jira]` secrets from `environ`; ValueError names a variable that is unset or empty."""

    def read(key: str, variable: str | None) -> str:
        value = environ.get(variable, "").strip() if variable is not None else ""
        if variable is not None and not value:
            raise ValueError(f"jira.{key}: the environment variable {variable} is not set")
        return value

    return JiraSecrets(
        token=read("token_env", desk.token_env),
        email=read("email_env", desk.email_env),
        webhook_secret=read("webhook_secret_env", desk.webhook_secret_env),
    )


@dataclass(frozen=True)
class GitHubDesk:
    repository: str  # "owner/name"
    token_env: str
    webhook_secret_env: str | None = None
    api_url: str = GITHUB_API
    web_url: str = GITHUB_WEB
    labels: tuple[str, ...] = ()
    public_prefix: str = "[public]"

    @property
    def owner(self) -> str:
        return self.repository.partition("/")[0]

    @property
    def name(self) -> str:
        return self.repository.partition("/")[2]


@dataclass(frozen=True)
class GitHubSecrets:
    """The token and the webhook secret, read from the environment at start; never logged or shown."""

    token: str = field(repr=False)
    webhook_secret: str = field(default="", repr=False)


def read_github(reader: Reader) -> GitHubDesk:
    """The `[github]` table (`reader`), checked; PolicyError names the key. Secrets are read by `github_secrets`."""
    repository = reader.value("repository", str, required=True)
    if not _REPOSITORY.match(repository) or repository.endswith((".git", "/.", "/..")):
        raise reader.error(f'"{repository}" is not a repository such as octo-org/app', "repository")
    labels = reader.strings("labels")
    for label in labels:
        if not label.strip() or len(label) > 50:
            raise reader.error(f'"{label}" is not a GitHub label (1 to 50 characters)', "labels")
    desk = GitHubDesk(
        repository=repository,
        token_env=reader.value("token_env", str, required=True),
        webhook_secret_env=reader.optional("webhook_secret_env", str),
        api_url=_origin(reader, "api_url", GITHUB_API),
        web_url=_origin(reader, "web_url", GITHUB_WEB),
        labels=labels,
        public_prefix=reader.value("public_prefix", str, "[public]").strip(),
    )
    if not desk.public_prefix:
        raise reader.error("must not be empty (every comment would be relayed)", "public_prefix")
    reader.done()
    return desk


def github_secrets(desk: GitHubDesk, environ: Mapping[str, str]) -> GitHubSecrets:
    """The `[github]` secrets from `environ`; ValueError names a variable that is unset or empty."""
    token = environ.get(desk.token_env, "").strip()
    if not token:
        raise ValueError(f"github.token_env: the environment variable {desk.token_env} is not set")
    secret = ""
    if desk.webhook_secret_env is not None:
        secret = environ.get(desk.webhook_secret_env, "").strip()
        if not secret:
            variable = desk.webhook_secret_env
            raise ValueError(f"github.webhook_secret_env: the environment variable {variable} is not set")
    return GitHubSecrets(token, secret)


def _origin(reader: Reader, key: str, default: str) -> str:
    url = reader.value(key, str, default).rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise reader.error(f'"{url}" is not a URL such as {default}', key)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise reader.error("must be https (the token would travel in cleartext)", key)
    return url
