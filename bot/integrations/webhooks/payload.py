"""The JSON of an outgoing webhook event: a stable schema (docs/integrations.md, "Outgoing webhooks", "Payload").

Rules:
- Every event has `id` (unique, the same on every retry and after any sweep that runs again: derived from what
  caused it), `type` (bot.config.webhooks.EVENTS, or `ping`), `occurred_at`, `data` (the event's own fields, an
  object, possibly empty) and, for an event about a request, `request`: its `number` ("SR-000123"), `status`,
  `priority`, `plan`, `kind`, `channel` (`slack` or `email`: where the requester writes) and `deadlines`, one per
  started target, in the order stored: `target`, `state` (sla's words: running, paused, met, breached, no
  deadline, cancelled, deferred), `due_at`, `started_at`, `stopped_at`. An outage event's `request` is the request
  it was declared on.
- Instants are ISO 8601 in UTC with the offset, to the second (`2026-03-02T09:30:00+00:00`); an unknown one is
  null. Nothing a person wrote (a title, a description, a message) is in a payload: an endpoint learns what
  happened, and reads the rest from the read API.
"""

import hashlib
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from storage.deadlines import DeadlineValue
from storage.tickets import TicketRecord

PING = "ping"


def event_id(event: str, cause: str) -> str:
    """The id of the event `event` caused by `cause` (a key naming the happening): the same for the same cause."""
    return "evt_" + hashlib.sha256(f"{event}|{cause}".encode()).hexdigest()[:28]


def instant(moment: datetime | None) -> str | None:
    """An instant as the payloads write it: UTC, to the second, with the offset."""
    return None if moment is None else moment.astimezone(UTC).replace(microsecond=0).isoformat()


def request_json(ticket: TicketRecord, deadlines: Sequence[DeadlineValue]) -> dict[str, Any]:
    return {
        "number": ticket.sr,
        "status": ticket.status.value,
        "priority": ticket.priority,
        "plan": ticket.plan,
        "kind": ticket.kind.value,
        "channel": "slack" if ticket.slack_channel else "email",
        "deadlines": [
            {
                "target": deadline.target,
                "state": deadline.state.value,
                "due_at": instant(deadline.due_at),
                "started_at": instant(deadline.started_at),
                "stopped_at": instant(deadline.stopped_at),
            }
            for deadline in deadlines
        ],
    }


def event_json(
    event: str,
    *,
    cause: str,
    occurred_at: datetime,
    request: Mapping[str, Any] | None,
    data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": event_id(event, cause),
        "type": event,
        "occurred_at": instant(occurred_at),
        "data": dict(data or {}),
    }
    if request is not None:
        body["request"] = dict(request)
    return body
