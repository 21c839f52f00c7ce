"""The desk config's defect-tracker tables: `[jira]` (and `[github]`) (docs/integrations.md, "Jira").

Rules for `[jira]`:
- `url` is the site's base URL (`https://example.atlassian.net`, or a Data Center's base URL with its context
  path), https unless it is on this machine (127.0.0.1, ::1, localhost: the tests' stand-in). No trailing slash.
- `flavour` is `cloud` (REST v3: descriptions and comments are Atlassian Document Format documents; basic auth
  with an Atlassian account's email and API token) or `datacenter` (REST v2: plain text; a personal access token
  sent as a bearer token). `api_path` defaults to `/rest/api/3` or `/rest/api/2` by flavour.
- `project` is the project key issues are filed in (upper-case letters, digits and `_`, starting with a letter);
  `issue_type` the issue type's name (`Bug`); `labels` are added to every filed issue (Jira labels hold no
  spaces). Every filed issue also carries the label `frontdesk-SR-000123`, by which a lost answer is found again.
- Credentials come from the environment, read once here: `token_env` names the variable holding the API token
  (Cloud) or personal access token (Data Center); `email_env` the one holding the account's email (Cloud only,
  required there). `webhook_secret_env` names the variable holding the secret the Jira webhook signs with; without
  it no webhook from Jira is accepted (the reconciliation poll still runs). A named variable that is unset or
  empty is an error naming it. The values are never logged, stored or shown (`repr` hides them).
- `public_prefix` (default `[public]`) marks an engineer's comment meant for the requester: one that starts with it
  (after leading spaces, any case) is relayed without the prefix; a comment restricted to a role or group is never
  relayed.
- `done_statuses` lists the status names that count as done (any case); without it, a status counts as done when
  Jira puts it in the "done" status category (docs/integrations.md, "Jira").
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sla.policy_reader import Reader

FLAVOURS = {"cloud": "/rest/api/3", "datacenter": "/rest/api/2"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{0,99}$")
_LABEL = re.compile(r"^\S{1,255}$")


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
    email: str = field(default="", repr=False)
    token: str = field(default="", repr=False)
    webhook_secret: str = field(default="", repr=False)

    @property
    def cloud(self) -> bool:
        return self.flavour == "cloud"


def read_jira(reader: Reader, environ: Mapping[str, str] | None = None) -> JiraDesk:
    """The `[jira]` table (`reader`), checked, with its credentials from `environ`; PolicyError names the key."""
    env = os.environ if environ is None else environ
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
        email=_secret(reader, "email_env", env, required=flavour == "cloud"),
        token=_secret(reader, "token_env", env, required=True),
        webhook_secret=_secret(reader, "webhook_secret_env", env, required=False),
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
    if parts.scheme == "http" and parts.hostname not in LOOPBACK:
        raise reader.error("must be https (the token would travel in cleartext)", "url")
    return url


def _secret(reader: Reader, key: str, env: Mapping[str, str], *, required: bool) -> str:
    variable = reader.value(key, str, required=True) if required else reader.optional(key, str)
    if variable is None:
        return ""
    value = env.get(variable, "").strip()
    if not value:
        raise reader.error(f"the environment variable {variable} is not set", key)
    return value
