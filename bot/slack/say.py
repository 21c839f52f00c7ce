"""What the bot says in Slack, rendered from templates and stored as outbox rows (never sent from here).

Rules (DESIGN.md, "Habits"; the delivery contract in bot/delivery):
- Every word comes from templates/slack/; user text is escaped for mrkdwn (`&`, `<`, `>`) by the templates, so
  it can never ping anyone, and nothing is sent with `link_names` or `parse=full`.
- Each saying is one outbox row with an idempotency key: saying the same thing twice stores it once.
- The intake status of a request is one message in its thread, posted once and then updated in place.
- Text longer than Slack takes is cut with a visible marker.
"""

import math
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.delivery.payload import SlackPayload, enqueue_slack
from bot.desk_config import DeskConfig
from bot.intake.answers import Refused
from bot.intake.draft import Draft
from bot.render import render
from sla.clocks import Clocks
from storage.engine import Session
from storage.numbers import format_sr
from storage.tickets import TicketRecord

MAX_TEXT = 39_000


class SlackSayer:
    """Says things about requests, in the transaction of `session`."""

    def __init__(self, session: Session, desk: DeskConfig, now: datetime) -> None:
        self.session, self.desk, self.now = session, desk, now

    def intake_status(
        self, ticket: TicketRecord, draft: Draft, missing: tuple[str, ...], zone: ZoneInfo, *, key: str
    ) -> None:
        text = render(
            "slack/intake_status.mrkdwn.j2", draft=draft, missing=missing, has_matrix=self._has_matrix, zone=zone
        )
        status_key = f"ticket:{ticket.id}:status"
        if not self._post(ticket, status_key, text, thread=True):
            self._enqueue(
                ticket, key, "chat.update", {"channel": ticket.slack_channel, "text": _cut(text)}, update_of=status_key
            )

    def ask(self, ticket: TicketRecord, field: str, refused: Refused | None, *, key: str) -> None:
        matrix = self.desk.policy.matrix
        text = render("slack/ask.mrkdwn.j2", field=field, refused=refused, matrix=matrix)
        self._post(ticket, key, text, thread=True)

    def completed(self, ticket: TicketRecord, state: Clocks, zone: ZoneInfo, *, key: str) -> None:
        response = next((target for target in state.targets if target.name == "response"), None)
        due = response.due_at.astimezone(zone) if response and response.due_at else None
        text = render("slack/completed.mrkdwn.j2", sr=format_sr(ticket.sr_number), due=due, zone=zone.key)
        self._post(ticket, key, text, thread=True)

    def triage_card(self, ticket: TicketRecord, draft: Draft, state: Clocks, *, key: str) -> None:
        text = render(
            "slack/triage_card.mrkdwn.j2",
            sr=format_sr(ticket.sr_number),
            ticket=ticket,
            draft=draft,
            state=state,
            policy=self.desk.policy,
            zone=self.desk.policy.calendar.zone,
        )
        args = {"channel": self.desk.agents_channel, "text": _cut(text)}
        self._enqueue(ticket, key, "chat.postMessage", args)

    def file_too_large(self, ticket: TicketRecord, name: str, limit: int, *, key: str) -> None:
        text = render("slack/file_too_large.mrkdwn.j2", name=name, limit_mb=limit / (1024 * 1024))
        self._post(ticket, key, text, thread=True)

    @property
    def _has_matrix(self) -> bool:
        return self.desk.policy.matrix is not None

    def _post(self, ticket: TicketRecord, key: str, text: str, *, thread: bool) -> bool:
        args: dict[str, Any] = {"channel": ticket.slack_channel, "text": _cut(text)}
        if thread:
            args["thread_ts"] = ticket.slack_thread_ts
        return self._enqueue(ticket, key, "chat.postMessage", args)

    def _enqueue(
        self, ticket: TicketRecord, key: str, method: str, args: dict[str, Any], update_of: str | None = None
    ) -> bool:
        payload = SlackPayload(method, args, update_of=update_of)
        return enqueue_slack(self.session, key=key, payload=payload, now=self.now, ticket_id=ticket.id)

    def intake_reminder(self, ticket: TicketRecord, closes_in: timedelta, *, key: str) -> bool:
        hours = max(1, math.ceil(closes_in.total_seconds() / 3600))
        text = render("slack/intake_reminder.mrkdwn.j2", missing=ticket.missing_fields, closes_in_hours=hours)
        return self._post(ticket, key, text, thread=True)

    def intake_closed(self, ticket: TicketRecord, *, key: str) -> None:
        text = render("slack/intake_closed.mrkdwn.j2", missing=ticket.missing_fields)
        self._post(ticket, key, text, thread=True)


def _cut(text: str) -> str:
    text = text.rstrip()
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "\n… (cut: the full text is kept with the request)"
