"""The desk config's `[[webhooks]]`: the HTTP endpoints told what happens to requests (docs/integrations.md,
"Outgoing webhooks").

Rules:
- Each endpoint has a `name` (lower-case letters, digits, `-` and `_`, at most 40, unique: it names the endpoint in
  `frontdesk webhooks test NAME`, its outbox keys and its dead letters), a `url`, the `events` it wants (at least
  one, each one of `EVENTS`; an unknown one is a problem listing the known ones) and `secret_env`, the environment
  variable holding its signing secret (required: every delivery is signed; never the secret itself).
- The url must be https, except on the loopback interface (a local relay, the tests' receivers); it carries no
  user name or password (a secret in a URL ends up in logs).
- The secrets themselves are read from the environment at start (bot.integrations.wiring): a variable that is not
  set, or holds fewer than 16 characters, stops the start, naming it, so no endpoint is ever sent unsigned calls.
"""

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config.addresses import env_variable, is_loopback
from sla.policy_reader import Reader

EVENTS = (
    "request.opened",
    "request.completed",
    "priority.changed",
    "defect.confirmed",
    "deadline.warning",
    "deadline.breached",
    "deadline.met",
    "request.resolved",
    "request.closed",
    "outage.declared",
    "outage.resolved",
)
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Webhook:
    """One endpoint: where to POST, which events, and which environment variable holds its signing secret."""

    name: str
    url: str
    events: tuple[str, ...]
    secret_env: str

    @property
    def service(self) -> str:
        """The HTTP channel's service of its calls (bot.integrations.calls): `webhook:<name>`."""
        return f"webhook:{self.name}"

    def wants(self, event: str) -> bool:
        return event in self.events


def read_webhooks(root: Reader) -> tuple[Webhook, ...]:
    """`[[webhooks]]` in the order written, each checked; PolicyError names the key."""
    hooks: list[Webhook] = []
    for item in root.children("webhooks"):
        item.allow("name", "url", "events", "secret_env")
        name = item.value("name", str, required=True)
        if not _NAME.match(name):
            shape = "lower-case letters, digits, - and _, at most 40"
            raise item.error(f'"{name}" is not a webhook name ({shape})', "name")
        if any(hook.name == name for hook in hooks):
            raise item.error(f'"{name}" is already the name of another webhook', "name")
        hooks.append(Webhook(name, _url(item), _events(item), env_variable(item, "secret_env")))
        item.done()
    return tuple(hooks)


def _events(item: Reader) -> tuple[str, ...]:
    events = item.strings("events")
    if not events:
        raise item.error(f"name at least one event: {', '.join(EVENTS)}", "events")
    for event in events:
        if event not in EVENTS:
            raise item.error(f'"{event}" is not an event; the events are: {", ".join(EVENTS)}', "events")
    return tuple(dict.fromkeys(events))


def _url(item: Reader) -> str:
    url = item.value("url", str, required=True)
    parts = urlsplit(url)
    if not _port_readable(url):
        raise item.error(f'"{url}" has no valid port', "url")
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise item.error(f'"{url}" is not an https URL such as https://hooks.example.com/frontdesk', "url")
    if parts.username or parts.password:
        raise item.error(f'"{url}" must not carry a user name or password', "url")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise item.error(f'"{url}" must be https (http only on the loopback interface)', "url")
    return url


def _port_readable(url: str) -> bool:
    try:
        port = urlsplit(url).port
    except ValueError:
        return False
    return port is None or port > 0
