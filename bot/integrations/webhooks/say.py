"""The webhook saying: what the desk says about requests and outages, also told to the endpoints that want it
(docs/integrations.md, "Outgoing webhooks").

Rules:
- It is a saying beside Slack's and email's: bot.say.Say holds one and calls it where the desk already says each
  happening, so no service knows webhooks exist and each happening has one place: `opened` (a request stored, in
  intake), `request` from Say.completed (`request.completed`) and Say.intake_closed (`request.closed`, reason
  `intake_abandoned`), `card` (every change an agent or a sweep makes shows on the triage card: a priority
  changed, a defect confirmed, a resolution, a closing, and every target met, a cadence such as `update`
  excepted: it is no deadline), `reminders` (the warnings and
  breaches the milestone sweep says: `deadline.warning`, `deadline.breached`) and `outage` (an outage declared
  or ended, told to the customers).
- For each endpoint that wants the event, one HttpCall is stored (bot.integrations.calls) in the transaction of
  the happening, under the key `webhook:<name>:<event id>`; the event id derives from the key of what the desk
  says (or, for a target met, from the request, the target and the instant it stopped), so a retried inbox row,
  a sweep run twice or a card updated again stores nothing twice. Calls about one request to one endpoint are
  sent in order (ordering key `webhook:<name>:<SR>`).
- An endpoint that wants none of an event costs nothing: the request's deadlines are read only when one does.
"""

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.config.desk import DeskConfig
from bot.config.webhooks import Webhook
from bot.integrations.calls import HttpCall, call_later
from bot.integrations.webhooks.payload import PING, event_json, instant, request_json
from sla.clocks import State
from storage import deadlines
from storage.engine import Session
from storage.tickets import TicketRecord

if TYPE_CHECKING:
    from bot.desk.actions import CardView
    from bot.desk.reminders import Reminder

CARD_EVENTS = {  # a triage card's change -> the event it is
    "defect_confirmed": "defect.confirmed",
    "resolved": "request.resolved",
    "closed": "request.closed",
    "closed_auto": "request.closed",
}
REMINDER_EVENTS = {"warning": "deadline.warning", "breach": "deadline.breached"}
OUTAGE_EVENTS = {"outage_started": "outage.declared", "outage_resolved": "outage.resolved"}


def outbox_key(hook: Webhook, event_id: str) -> str:
    return f"webhook:{hook.name}:{event_id}"


class WebhookSayer:
    """Stores the webhook calls of one transaction (`session`) at `now`."""

    def __init__(self, session: Session, desk: DeskConfig, now: datetime) -> None:
        self.session, self.desk, self.now = session, desk, now

    def opened(self, ticket: TicketRecord) -> None:
        self.request("request.opened", ticket, cause=f"ticket:{ticket.id}:opened", occurred_at=ticket.opened_at)

    def request(
        self,
        event: str,
        ticket: TicketRecord,
        *,
        cause: str,
        data: Mapping[str, Any] | None = None,
        occurred_at: datetime | None = None,
    ) -> None:
        """Event `event` about `ticket`, caused by `cause` (the key of what the desk says about it)."""
        hooks = self._wanting(event)
        if not hooks:
            return
        request = request_json(ticket, deadlines.deadlines_of(self.session, ticket.id))
        body = event_json(event, cause=cause, occurred_at=occurred_at or self.now, request=request, data=data)
        for hook in hooks:
            self._store(hook, body, ticket)

    def card(self, view: "CardView", *, key: str) -> None:
        """The events a triage card's update shows: its change, and every target it shows met."""
        ticket, details = view.ticket, dict(view.details)
        event = CARD_EVENTS.get(view.change or "")
        if event is not None:
            self.request(event, ticket, cause=key)
        if view.change == "triaged" and details.get("was") != details.get("priority"):
            change = {"from": details.get("was") or None, "to": details.get("priority")}
            self.request("priority.changed", ticket, cause=key, data=change)
        for target in view.state.targets:
            if target.state is State.MET and target.stopped_at is not None and not target.recurs:
                cause = f"ticket:{ticket.id}:met:{target.name}:{target.stopped_at.isoformat()}"
                data = {"target": target.name, "due_at": instant(target.due_at), "met_at": instant(target.stopped_at)}
                self.request("deadline.met", ticket, cause=cause, data=data, occurred_at=target.stopped_at)

    def reminders(self, said: list["Reminder"]) -> None:
        """The warnings and breaches the milestone sweep said."""
        for reminder in said:
            event = REMINDER_EVENTS.get(reminder.what)
            if event is None:
                continue
            data = {"target": reminder.target, "fraction": float(reminder.fraction), "deferred": reminder.deferred}
            self.request(event, reminder.ticket, cause=reminder.key, data=data)

    def outage(self, ticket: TicketRecord, what: str, details: Mapping[str, str], *, key: str) -> None:
        """An outage declared on `ticket`, or ended (`what`: outage_started, outage_resolved)."""
        event = OUTAGE_EVENTS.get(what)
        if event is None:
            return
        services = [name.strip() for name in details.get("services", "").split(",") if name.strip()]
        data = {"title": details.get("title"), "started_at": _iso(details.get("since")),
                "ended_at": _iso(details.get("until")), "services": services}  # fmt: skip
        self.request(event, ticket, cause=key, data=data)

    def ping(self, hook: Webhook, *, cause: str) -> str:
        """A `ping` to `hook` alone (`frontdesk webhooks test`); its outbox key."""
        body = event_json(PING, cause=cause, occurred_at=self.now, request=None, data={"webhook": hook.name})
        call_later(self.session, _call(hook, body), key=outbox_key(hook, body["id"]), now=self.now)
        return outbox_key(hook, body["id"])

    def _wanting(self, event: str) -> list[Webhook]:
        return [hook for hook in self.desk.webhooks if hook.wants(event)]

    def _store(self, hook: Webhook, body: dict[str, Any], ticket: TicketRecord) -> None:
        call_later(self.session, _call(hook, body), key=outbox_key(hook, body["id"]), now=self.now,
                   ticket_id=ticket.id, ordering_key=f"webhook:{hook.name}:{ticket.sr}")  # fmt: skip


def _call(hook: Webhook, body: dict[str, Any]) -> HttpCall:
    return HttpCall(hook.service, "POST", hook.url, body)


def _iso(text: str | None) -> str | None:
    """An instant the outage notices carry as ISO text, as the payloads write instants."""
    return None if not text else instant(datetime.fromisoformat(text))
