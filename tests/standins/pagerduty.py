"""A PagerDuty Events API v2 stand-in on loopback, checked against PagerDuty's description.

Rules:
- `PagerDutyStandIn(routing_key)` serves `POST /v2/enqueue` on a StandIn (tests/standins/server.py). Every event is
  checked against tests/standins/specs/pagerduty/events-v2.json (served under `/v2`), and against what the
  description leaves to PagerDuty's prose: a trigger carries a `payload`, an acknowledge or resolve a `dedup_key`;
  a `dedup_key` is at most 255 characters, a summary at most 1,024. Problems go to `problems` and are answered
  400 with PagerDuty's error body (`{"status": "invalid event", "message": ..., "errors": [...]}`).
- A routing key other than the integration's is answered 400 as PagerDuty does ("Invalid routing key") and kept in
  `refused` (not a problem: a test may send one on purpose).
- Events are deduplicated as PagerDuty does: a trigger whose `dedup_key` names an open incident joins it (the
  incident's `alerts` count grows), an acknowledge or resolve changes the incident of its key (resolve closes it;
  a later trigger opens a new one); an event for a key with no open incident is accepted and changes nothing.
  Every accepted event is answered 202 `{"status": "success", "message": "Event processed", "dedup_key": ...}`.
"""

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.standins.openapi import Description
from tests.standins.server import Answer, Received, Served, StandIn

SPEC = Path(__file__).parent / "specs" / "pagerduty" / "events-v2.json"
ENQUEUE = "/v2/enqueue"


@dataclass
class Incident:
    dedup_key: str
    status: str  # triggered, acknowledged, resolved
    payload: dict[str, Any]
    alerts: int = 1
    actions: list[str] = field(default_factory=list)  # event actions, in order


class PagerDutyStandIn(Served):
    """One Events API v2 integration; see the module's rules."""

    def __init__(self, routing_key: str = "R" * 32) -> None:
        self.routing_key = routing_key
        self.description = Description.load(SPEC, base_path="/v2")
        self.server = StandIn({("POST", ENQUEUE): self._enqueue}, check=self._problems)
        self.incidents: list[Incident] = []
        self.refused: list[Received] = []
        self._lock = threading.Lock()

    def events(self) -> list[dict[str, Any]]:
        """Every event received, in order, as sent."""
        return [r.json for r in self.server.calls("POST", ENQUEUE)]

    def incident(self, dedup_key: str) -> Incident | None:
        with self._lock:
            return next((i for i in reversed(self.incidents) if i.dedup_key == dedup_key), None)

    def _problems(self, received: Received) -> list[str]:
        problems = self.description.problems(received)
        body = received.json if not problems else None
        if isinstance(body, dict):
            action, key = body.get("event_action"), body.get("dedup_key")
            if action == "trigger" and "payload" not in body:
                problems.append("a trigger needs a payload")
            if action in ("acknowledge", "resolve") and not key:
                problems.append(f"an {action} needs a dedup_key")
            if isinstance(key, str) and len(key) > 255:
                problems.append("dedup_key is longer than 255 characters")
            summary = (body.get("payload") or {}).get("summary")
            if isinstance(summary, str) and len(summary) > 1024:
                problems.append("payload.summary is longer than 1024 characters")
        return problems

    def _enqueue(self, received: Received) -> Answer:
        body = received.json
        if body.get("routing_key") != self.routing_key:
            self.refused.append(received)
            return Answer(400, {"status": "invalid event", "message": "Event object is invalid",
                                "errors": ["Invalid routing key"]})  # fmt: skip
        action, key = body["event_action"], body.get("dedup_key") or f"generated-{len(self.incidents) + 1}"
        with self._lock:
            open_one = next((i for i in self.incidents if i.dedup_key == key and i.status != "resolved"), None)
            if action == "trigger":
                if open_one is None:
                    open_one = Incident(key, "triggered", body["payload"])
                    self.incidents.append(open_one)
                else:
                    open_one.alerts += 1
            elif open_one is not None:
                open_one.status = "acknowledged" if action == "acknowledge" else "resolved"
            if open_one is not None:
                open_one.actions.append(action)
        return Answer(202, {"status": "success", "message": "Event processed", "dedup_key": key})
