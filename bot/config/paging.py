"""The desk config's `[paging]` table: which on-call pager the policy's paging steps page (docs/integrations.md,
"Paging").

Rules:
- Without `[paging]` no one is paged: a policy's steps that only page say nothing, and steps that also go to a
  level still do that (docs/policies.md, "Escalations").
- `pagerduty = { routing_key_env = "PAGERDUTY_ROUTING_KEY", url = "https://events.pagerduty.com" }`: the Events
  API v2 integration key is read from the environment variable named (never written in the file); `url` is the
  Events API's origin (the default is PagerDuty's).
- `opsgenie = { api_key_env = "OPSGENIE_API_KEY", url = "https://api.opsgenie.com", responders = [...] }`: the
  Alert API's key from the environment variable named; `url` is `https://api.opsgenie.com` by default (EU
  accounts: `https://api.eu.opsgenie.com`); `responders` lists whom the alert notifies, each `KIND:NAME` with
  KIND one of team, user (NAME their username), escalation or schedule; none: the API key's own team's rules.
- Both may be configured: each page then goes to both.
- A `url` must be https, except on the loopback interface (a local relay, the tests' stand-ins); it is an
  origin only (no path, query or credentials). The keys themselves are read from the environment at start
  (bot.integrations.wiring): a variable that is not set then stops the start, naming it, so a desk never runs
  unable to page.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.config.addresses import env_variable, is_loopback
from sla.policy_reader import Reader

PAGERDUTY_URL = "https://events.pagerduty.com"
OPSGENIE_URL = "https://api.opsgenie.com"
RESPONDER_KINDS = ("team", "user", "escalation", "schedule")


@dataclass(frozen=True)
class PagerDutySettings:
    routing_key_env: str
    url: str = PAGERDUTY_URL


@dataclass(frozen=True)
class Responder:
    """One of an Opsgenie alert's responders: a team, user, escalation or schedule, by name."""

    kind: str
    name: str

    def to_json(self) -> dict[str, str]:
        return {"type": self.kind, "username" if self.kind == "user" else "name": self.name}


@dataclass(frozen=True)
class OpsgenieSettings:
    api_key_env: str
    url: str = OPSGENIE_URL
    responders: tuple[Responder, ...] = ()


@dataclass(frozen=True)
class Paging:
    """The pagers a desk pages; none configured: nobody is paged."""

    pagerduty: PagerDutySettings | None = None
    opsgenie: OpsgenieSettings | None = None

    @property
    def enabled(self) -> bool:
        return self.pagerduty is not None or self.opsgenie is not None

    @property
    def services(self) -> tuple[str, ...]:
        """The configured pagers' service names ("pagerduty", "opsgenie"), in that order."""
        return tuple(name for name, on in (("pagerduty", self.pagerduty), ("opsgenie", self.opsgenie)) if on)


def read_paging(reader: Reader) -> Paging:
    """The `[paging]` table (`reader`), checked; PolicyError names the key."""
    paging = Paging(
        pagerduty=_pagerduty(reader.child("pagerduty")) if reader.has("pagerduty") else None,
        opsgenie=_opsgenie(reader.child("opsgenie")) if reader.has("opsgenie") else None,
    )
    reader.done()
    return paging


def _pagerduty(reader: Reader) -> PagerDutySettings:
    settings = PagerDutySettings(env_variable(reader, "routing_key_env"), _origin(reader, PAGERDUTY_URL))
    reader.done()
    return settings


def _opsgenie(reader: Reader) -> OpsgenieSettings:
    responders = tuple(parse_responder(reader, text) for text in reader.strings("responders"))
    settings = OpsgenieSettings(env_variable(reader, "api_key_env"), _origin(reader, OPSGENIE_URL), responders)
    reader.done()
    return settings


def parse_responder(reader: Reader, text: str) -> Responder:
    """`KIND:NAME` (e.g. `team:Support on-call`) as a Responder; PolicyError on `responders` otherwise."""
    kind, colon, name = text.partition(":")
    if not colon or kind not in RESPONDER_KINDS or not name.strip() or len(name) > 512:
        kinds = ", ".join(RESPONDER_KINDS)
        raise reader.error(f'"{text}" is not KIND:NAME with KIND one of {kinds} (e.g. "team:Ops")', "responders")
    return Responder(kind, name.strip())


def _origin(reader: Reader, default: str) -> str:
    url = reader.value("url", str, default)
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port, parts = None, urlsplit("")
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username or parts.password:
        raise reader.error(f'"{url}" is not an origin such as {default}', "url")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise reader.error(f'"{url}" must be an origin only, without a path or query, such as {default}', "url")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise reader.error(f'"{url}" must be https (http only on the loopback interface)', "url")
    return f"{parts.scheme}://{parts.hostname if ':' not in parts.hostname else f'[{parts.hostname}]'}" + (
        f":{port}" if port else ""
    )
