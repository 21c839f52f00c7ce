"""An Opsgenie Alert API stand-in on loopback, checked against Opsgenie's description.

Rules:
- `OpsgenieStandIn(api_key)` serves create alert (`POST /v2/alerts`), acknowledge and close
  (`POST /v2/alerts/{identifier}/acknowledge|close`) on a StandIn (tests/standins/server.py). Every request is
  checked against tests/standins/specs/opsgenie/alert-v2.json, and against what the description leaves to
  Opsgenie's prose: `message` at most 130 characters, `alias` at most 512, `description` at most 15,000, `details`
  values strings. Problems go to `problems` and are answered 422 with Opsgenie's error body.
- Authentication as Opsgenie: `Authorization: GenieKey <key>`; anything else is answered 401 and kept in
  `refused` (not a problem: a test may try it on purpose).
- Requests are processed asynchronously, as Opsgenie does: each accepted one is answered 202 `{"result": "Request
  will be processed", "took": ..., "requestId": ...}` and applied at once here. A create whose alias names an open
  alert deduplicates into it (its `count` grows); acknowledge and close find the alert by alias when
  `identifierType=alias` (by id otherwise); closing closes it, so a later create with that alias opens a new one.
  An action on no alert is still 202 (its failure would show only in the request's status, which the bot never
  reads) and is kept in `orphans`.
"""

import itertools
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.standins.openapi import Description
from tests.standins.server import Answer, Received, Served, StandIn

SPEC = Path(__file__).parent / "specs" / "opsgenie" / "alert-v2.json"
ALERTS = "/v2/alerts"
ACKNOWLEDGE = "/v2/alerts/{identifier}/acknowledge"
CLOSE = "/v2/alerts/{identifier}/close"
LIMITS = {"message": 130, "alias": 512, "description": 15000}


@dataclass
class Alert:
    id: str
    alias: str
    status: str  # open, closed
    acknowledged: bool
    body: dict[str, Any]
    count: int = 1
    actions: list[str] = field(default_factory=list)  # create, acknowledge, close, in order


class OpsgenieStandIn(Served):
    """One Opsgenie account's Alert API; see the module's rules."""

    def __init__(self, api_key: str = "og-key-0001") -> None:
        self.api_key = api_key
        self.description = Description.load(SPEC)
        routes = {
            ("POST", ALERTS): self._create,
            ("POST", ACKNOWLEDGE): self._acknowledge,
            ("POST", CLOSE): self._close,
        }
        self.server = StandIn(routes, check=self._problems)
        self.alerts: list[Alert] = []
        self.refused: list[Received] = []
        self.orphans: list[Received] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def alert(self, alias: str) -> Alert | None:
        with self._lock:
            return next((a for a in reversed(self.alerts) if a.alias == alias), None)

    def _problems(self, received: Received) -> list[str]:
        problems = self.description.problems(received)
        body = received.json if not problems and received.body else None
        if isinstance(body, dict):
            problems += [f"{key} is longer than {most} characters" for key, most in LIMITS.items()
                         if isinstance(body.get(key), str) and len(body[key]) > most]  # fmt: skip
            details = body.get("details") or {}
            problems += [
                f"details.{name} is not a string" for name, value in details.items() if not isinstance(value, str)
            ]
        return problems

    def _authorised(self, received: Received) -> bool:
        if received.headers.get("authorization") == f"GenieKey {self.api_key}":
            return True
        self.refused.append(received)
        return False

    def _accepted(self) -> Answer:
        return Answer(202, {"result": "Request will be processed", "took": 0.01, "requestId": str(uuid.uuid4())})

    def _refusal(self) -> Answer:
        return Answer(401, {"message": "Key format is not valid!", "took": 0.0, "requestId": str(uuid.uuid4())})

    def _create(self, received: Received) -> Answer:
        if not self._authorised(received):
            return self._refusal()
        body = received.json
        alias = body.get("alias") or body["message"]
        with self._lock:
            alert = next((a for a in self.alerts if a.alias == alias and a.status == "open"), None)
            if alert is None:
                alert = Alert(str(next(self._ids)), alias, "open", False, body)
                self.alerts.append(alert)
            else:
                alert.count += 1
            alert.actions.append("create")
        return self._accepted()

    def _acknowledge(self, received: Received) -> Answer:
        return self._act(received, "acknowledge")

    def _close(self, received: Received) -> Answer:
        return self._act(received, "close")

    def _act(self, received: Received, action: str) -> Answer:
        if not self._authorised(received):
            return self._refusal()
        identifier = unquote(received.params["identifier"])
        by_alias = received.arg("identifierType") == "alias"
        with self._lock:
            alert = next(
                (
                    a
                    for a in reversed(self.alerts)
                    if (a.alias if by_alias else a.id) == identifier and a.status == "open"
                ),
                None,
            )
            if alert is None:
                self.orphans.append(received)
            else:
                alert.actions.append(action)
                if action == "acknowledge":
                    alert.acknowledged = True
                else:
                    alert.status = "closed"
        return self._accepted()
