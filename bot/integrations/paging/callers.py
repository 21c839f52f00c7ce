"""The paging Callers of the outgoing HTTP channel: the keys added at send time (docs/integrations.md, "Paging";
docs/security.md, "Paging keys").

Rules:
- Each key is read once, at start, from the environment variable the desk config names (`routing_key_env`,
  `api_key_env`); a variable that is not set stops the start with a DeskConfigError naming it. The key lives in
  its Caller only: never in an outbox row, a log line or an error.
- PagerDuty: the routing key goes in the event's body (`routing_key`), as the Events API v2 takes it.
  Opsgenie: `Authorization: GenieKey <key>`.
- A retry after a lost answer sends the same event again (`already_done` finds nothing to look up): both APIs
  deduplicate by the page's key (PagerDuty's `dedup_key`, Opsgenie's `alias`), so a page retried is one incident,
  and an acknowledgement or resolution sent twice changes nothing.
- Nothing is recorded on an answer: both APIs answer 202 (accepted, processed later); the outbox row keeps it.
"""

from collections.abc import Mapping
from datetime import datetime

from bot.config.desk import DeskConfigError
from bot.config.paging import Paging
from bot.integrations.calls import Caller, HttpAnswer, HttpCall
from storage.engine import Session


class PagerDutyCaller:
    """Sends Events API v2 events with the integration's routing key."""

    def __init__(self, routing_key: str) -> None:
        self._routing_key = routing_key

    def prepare(self, call: HttpCall, *, now: datetime, earlier: Mapping[str, HttpAnswer]) -> HttpCall:
        body = {**(call.json or {}), "routing_key": self._routing_key}
        return HttpCall(call.service, call.method, call.url, body, call.headers)

    def already_done(self, call: HttpCall, *, key: str) -> HttpAnswer | None:
        return None  # sent again: the dedup_key makes it the same incident

    def on_sent(
        self, session: Session, call: HttpCall, answer: HttpAnswer, *, key: str, ticket_id: int | None, now: datetime
    ) -> None:
        return None

    def __repr__(self) -> str:
        return "PagerDutyCaller(routing_key=***)"


class OpsgenieCaller:
    """Sends Alert API calls with the integration's API key."""

    def __init__(self, api_key: str) -> None:
        self._api_key = api_key

    def prepare(self, call: HttpCall, *, now: datetime, earlier: Mapping[str, HttpAnswer]) -> HttpCall:
        return call.with_headers(("Authorization", f"GenieKey {self._api_key}"))

    def already_done(self, call: HttpCall, *, key: str) -> HttpAnswer | None:
        return None  # sent again: the alias makes it the same alert

    def on_sent(
        self, session: Session, call: HttpCall, answer: HttpAnswer, *, key: str, ticket_id: int | None, now: datetime
    ) -> None:
        return None

    def __repr__(self) -> str:
        return "OpsgenieCaller(api_key=***)"


def paging_callers(paging: Paging, environ: Mapping[str, str]) -> dict[str, Caller]:
    """The Callers of the pagers `paging` configures, their keys read from `environ`."""
    problems = key_problems(paging, environ)
    if problems:
        raise DeskConfigError(problems)
    callers: dict[str, Caller] = {}
    if paging.pagerduty is not None:
        callers["pagerduty"] = PagerDutyCaller(environ[paging.pagerduty.routing_key_env].strip())
    if paging.opsgenie is not None:
        callers["opsgenie"] = OpsgenieCaller(environ[paging.opsgenie.api_key_env].strip())
    return callers


def key_problems(paging: Paging, environ: Mapping[str, str]) -> list[str]:
    """One line for each configured pager whose key's variable is not set (`frontdesk doctor` and the start)."""
    wanted = []
    if paging.pagerduty is not None:
        wanted.append(("paging.pagerduty.routing_key_env", paging.pagerduty.routing_key_env))
    if paging.opsgenie is not None:
        wanted.append(("paging.opsgenie.api_key_env", paging.opsgenie.api_key_env))
    return [
        f"{where}: the environment variable {variable} (the pager's key) is not set"
        for where, variable in wanted
        if not environ.get(variable, "").strip()
    ]
