"""Outages: a critical incident that affects every customer, and its Major Incident Report. No Slack.

Rules:
- `outage SR public title` is for agents, on an open incident (or a confirmed defect) at the policy's most
  urgent priority, once while it goes on (a request resolved and reopened may have a new one).
  It records an outage whose downtime starts when the problem began (the request's `occurred_at`, else now),
  and at once tells every customer: a message in the announcements channel (if configured) and in each
  customer's Slack channels, and an email to each known requester of each customer (by email domain). The
  title is the one the agent wrote for the public (required, cut at MAX_TITLE characters): nothing of the
  request's own text reaches the notices or the public status page. The card says so. Every notice has its
  own key, so nothing is announced twice.
- `outage SR on search,api title` names the services it hits, by id or display name (the desk config's
  `[[services]]`, docs/status-page.md); without `on` it hits every service. A name the desk does not know is
  refused with the known ones listed: nothing is recorded or told, and the refusal is audited
  (`outage.refused`, with the names given).
- Resolving a request with an outage going on ends the outage (downtime ends then) and sends the "resolved"
  notice to the same people (bot.desk.actions calls `resolved`).
- `postmortem SR` drafts the Major Incident Report in the card's thread: the downtime, a timeline from the
  audit log, and the root cause and preventive actions to fill in. A new draft is posted only when the audit
  trail has changed since the last one.
- Availability reports read the outage records (storage.service_events); nothing here computes them.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.config.desk import Service
from bot.desk.notices import notify_customers
from bot.desk.outcomes import Actor, Outcome, done, refused
from storage import audit, service_events, tickets
from storage.engine import Session
from storage.kinds import TicketStatus

if TYPE_CHECKING:
    from bot.desk.actions import AgentActions

MAX_TITLE = 200
OUTAGE_KINDS = frozenset({"incident", "defect"})


@dataclass(frozen=True)
class IncidentReport:
    """What a Major Incident Report is drafted from."""

    ticket: tickets.TicketRecord
    outage: service_events.Interval | None
    timeline: tuple[audit.AuditRecord, ...]


class Outages:
    """The outage actions of a desk, on top of its agent actions (same checks, same card, same sayer)."""

    def __init__(self, actions: "AgentActions") -> None:
        self.actions = actions
        self.desk, self.say = actions.desk, actions.say

    def declare(
        self,
        session: Session,
        sr: int,
        title: str,
        by: Actor,
        now: datetime,
        key: str,
        services: tuple[str, ...] = (),
    ) -> Outcome:
        ticket = self.actions.request_for(session, sr, by)
        if isinstance(ticket, Outcome):
            return ticket
        title = " ".join(title.split())[:MAX_TITLE]
        if not title:
            return refused("text_needed", ticket.sr, action="outage")
        hit = self._services(session, ticket, services, by, now)
        if isinstance(hit, Outcome):
            return hit
        why_not = self._why_not(session, ticket)
        if why_not is not None:
            return why_not
        started = ticket.occurred_at or now
        service_events.start_outage(session, title=title, started_at=started, actor=by.user, now=now,
                                    ticket_id=ticket.id, services=[s.id for s in hit])  # fmt: skip
        details = {"title": title, "since": started.isoformat(), "services": ", ".join(s.name for s in hit)}
        self._notify(session, ticket, "outage_started", details, key)
        state = self.actions.current(session, ticket.id, now)
        self.actions.card(session, ticket, state, key=f"{key}:card", change="outage_declared")
        return done("outage_declared", ticket.sr)

    def resolved(self, session: Session, ticket: tickets.TicketRecord, by: Actor, now: datetime, key: str) -> None:
        """The request is resolved: an outage going on ends now, and every customer is told."""
        running = service_events.outage_of_ticket(session, ticket.id)
        if running is None or running.end is not None:
            return
        service_events.end_outage(session, running.id, ended_at=now, actor=by.user, now=now)
        details = {"title": running.title, "since": running.start.isoformat(), "until": now.isoformat(),
                   "services": self._names(running.services)}  # fmt: skip
        self._notify(session, ticket, "outage_resolved", details, key)

    def postmortem(self, session: Session, sr: int, by: Actor, now: datetime, key: str) -> Outcome:
        ticket = self.actions.request_for(session, sr, by, closed_ok=True)
        if isinstance(ticket, Outcome):
            return ticket
        timeline = tuple(audit.trail(session, ticket.id))
        report = IncidentReport(ticket, service_events.outage_of_ticket(session, ticket.id), timeline)
        last = timeline[-1].id if timeline else 0
        self.say.postmortem(report, key=f"ticket:{ticket.id}:postmortem:{last}")
        return done("postmortem_drafted", ticket.sr)

    def _services(
        self, session: Session, ticket: tickets.TicketRecord, named: tuple[str, ...], by: Actor, now: datetime
    ) -> tuple[Service, ...] | Outcome:
        """The desk's services `named` (none: every service), or the refusal of the names it does not know."""
        found = [(name, self.desk.service_named(name)) for name in named]
        unknown = [name for name, service in found if service is None]
        if not unknown:
            return tuple(dict.fromkeys(service for _, service in found if service is not None))
        after = {"reason": "service_unknown", "services": list(named)}
        audit.record(session, actor=by.user, action="outage.refused", at=now, ticket_id=ticket.id,
                     subject=f"ticket:{ticket.id}", after=after)  # fmt: skip
        known = ", ".join(f"{s.id} ({s.name})" if s.name.casefold() != s.id else s.id for s in self.desk.services)
        return refused("service_unknown", ticket.sr, value=", ".join(unknown), known=known)

    def _names(self, ids: tuple[str, ...]) -> str:
        """The display names of the services `ids` (an id the desk no longer names, as it is)."""
        return ", ".join(next((s.name for s in self.desk.services if s.id == i), i) for i in ids)

    def _why_not(self, session: Session, ticket: tickets.TicketRecord) -> Outcome | None:
        """Why this request cannot be declared an outage now, or None."""
        most_urgent = self.desk.policy.priorities[0].name
        if ticket.kind.value not in OUTAGE_KINDS or ticket.priority != most_urgent:
            return refused("not_critical", ticket.sr, priority=most_urgent)
        running = service_events.outage_of_ticket(session, ticket.id)
        if running is not None and running.end is None:
            return refused("outage_already_declared", ticket.sr)
        if ticket.status == TicketStatus.RESOLVED:
            return refused("already_resolved", ticket.sr)
        return None

    def _notify(
        self,
        session: Session,
        ticket: tickets.TicketRecord,
        what: str,
        details: dict[str, str],
        key: str,
    ) -> None:
        details = {**details, "sr": ticket.sr}
        notify_customers(session, self.desk, self.say, what, details, key=key, ticket_id=ticket.id)
        self.say.outage(ticket, what, details, key=f"{key}:{what}")
