"""The calls each pager receives for a page: trigger, acknowledge, resolve (docs/integrations.md, "Paging").

Rules:
- One page is one incident per request and target: PagerDuty's `dedup_key` and Opsgenie's `alias` are both
  `SR-000123:response` (`dedup_key`), so a retried trigger joins the incident it may already have opened.
- PagerDuty: `POST {url}/v2/enqueue` with `event_action` trigger (a payload: summary, source, severity, timestamp,
  component = the target, group = the plan, class = the kind, custom_details with the deadlines; links back),
  acknowledge or resolve (the dedup_key only). The routing key is never in the call: the Caller adds it when
  sending (bot.integrations.paging.callers).
- Opsgenie: `POST {url}/v2/alerts` (message, alias, description, priority, details, responders, tags, entity,
  source), `POST {url}/v2/alerts/{alias}/acknowledge?identifierType=alias` and `.../close?identifierType=alias`.
- Severity follows the priority's rank in the policy (most urgent first): PagerDuty critical, error, warning, then
  info; Opsgenie P1 to P5, the fifth and later P5.
- Words (summary, message, description, the link's text) come from templates/paging/; each is cut to the vendor's
  limit (PagerDuty's summary 1,024 characters, Opsgenie's message 130 and description 15,000).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from bot.config.paging import OpsgenieSettings, PagerDutySettings, Paging
from bot.integrations.calls import HttpCall
from bot.render import cut, render
from storage.tickets import TicketRecord

ACTIONS = ("trigger", "acknowledge", "resolve")
SEVERITIES = ("critical", "error", "warning", "info")  # PagerDuty's, most severe first
CLIENT = "Frontdesk"
SLACK_CHANNEL_LINK = "https://slack.com/app_redirect"  # Slack's documented deep link to a channel


@dataclass(frozen=True)
class Incident:
    """What a page says: the request, the target whose step paged, its deadline, every running deadline."""

    ticket: TicketRecord
    target: str
    label: str
    due_at: datetime | None
    at: datetime  # the step's instant
    rank: int  # the priority's position in the policy, 0 the most urgent
    deadlines: tuple[tuple[str, datetime], ...]  # (target label, due instant) of each running target
    zone: ZoneInfo
    channel: str  # the agents channel, where the card is

    @property
    def dedup_key(self) -> str:
        return dedup_key(self.ticket.sr, self.target)


def dedup_key(sr: str, target: str) -> str:
    return f"{sr}:{target}"


def trigger(service: str, paging: Paging, incident: Incident) -> HttpCall:
    """The call that opens the incident on `service` ("pagerduty" or "opsgenie")."""
    if service == "pagerduty" and paging.pagerduty is not None:
        return _pagerduty_trigger(paging.pagerduty, incident)
    if service == "opsgenie" and paging.opsgenie is not None:
        return _opsgenie_trigger(paging.opsgenie, incident)
    raise ValueError(f"{service} is not a configured pager")


def follow(service: str, paging: Paging, action: str, key: str) -> HttpCall:
    """The call that acknowledges or resolves (`action`) the incident of dedup key `key` on `service`."""
    if action not in ACTIONS[1:]:
        raise ValueError(f"{action} is not acknowledge or resolve")
    if service == "pagerduty" and paging.pagerduty is not None:
        body = {"event_action": action, "dedup_key": key}
        return HttpCall("pagerduty", "POST", f"{paging.pagerduty.url}/v2/enqueue", body)
    if service == "opsgenie" and paging.opsgenie is not None:
        verb = "acknowledge" if action == "acknowledge" else "close"
        url = f"{paging.opsgenie.url}/v2/alerts/{quote(key, safe='')}/{verb}?{urlencode({'identifierType': 'alias'})}"
        return HttpCall("opsgenie", "POST", url, {"source": CLIENT})
    raise ValueError(f"{service} is not a configured pager")


def _pagerduty_trigger(settings: PagerDutySettings, incident: Incident) -> HttpCall:
    link = _link(incident)
    body = {
        "event_action": "trigger",
        "dedup_key": incident.dedup_key,
        "payload": {
            "summary": _words("paging/summary.txt.j2", incident, 1024),
            "source": CLIENT,
            "severity": SEVERITIES[min(incident.rank, len(SEVERITIES) - 1)],
            "timestamp": incident.at.isoformat(),
            "component": incident.target,
            "group": incident.ticket.plan or "",
            "class": str(incident.ticket.kind),
            "custom_details": _details(incident),
        },
        "client": CLIENT,
        "client_url": link["href"],
        "links": [link],
    }
    return HttpCall("pagerduty", "POST", f"{settings.url}/v2/enqueue", body)


def _opsgenie_trigger(settings: OpsgenieSettings, incident: Incident) -> HttpCall:
    body: dict[str, Any] = {
        "message": _words("paging/summary.txt.j2", incident, 130),
        "alias": incident.dedup_key,
        "description": _words("paging/description.txt.j2", incident, 15000),
        "priority": f"P{min(incident.rank, 4) + 1}",
        "details": _details(incident),
        "tags": ["frontdesk", incident.ticket.priority or "unprioritised"],
        "entity": incident.ticket.sr,
        "source": CLIENT,
    }
    if settings.responders:
        body["responders"] = [responder.to_json() for responder in settings.responders]
    return HttpCall("opsgenie", "POST", f"{settings.url}/v2/alerts", body)


def _details(incident: Incident) -> dict[str, str]:
    """The facts of the page as text values (Opsgenie takes string values only; PagerDuty any JSON)."""
    ticket = incident.ticket
    details = {"sr": ticket.sr, "priority": ticket.priority or "", "plan": ticket.plan or "", "target": incident.target}
    if incident.due_at is not None:
        details["due_at"] = incident.due_at.isoformat()
    details |= {f"deadline: {label}": due.isoformat() for label, due in incident.deadlines}
    return details


def _link(incident: Incident) -> Mapping[str, str]:
    href = f"{SLACK_CHANNEL_LINK}?{urlencode({'channel': incident.channel})}"
    return {"href": href, "text": render("paging/link.txt.j2", incident=incident).strip()}


def _words(template: str, incident: Incident, most: int) -> str:
    return cut(render(template, incident=incident).strip(), most)
