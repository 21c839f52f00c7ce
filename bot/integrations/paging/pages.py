"""When the on-call is paged, acknowledged and resolved (docs/integrations.md, "Paging").

Rules:
- `page` runs where the reminder sweep says an escalation step that pages (bot.desk.reminders), in its
  transaction: the step's milestone obeys the target's calendar like every reminder (it waits while the calendar
  is closed, unless the target runs on `always`), so the page is said with it, once. It stores one trigger call per
  pager the desk configures (bot.integrations.calls, key `page:<service>:<SR>:<target>:trigger`), records the page
  in the reminder ledger (`paged:<ticket id>:<target>`) and audits `ticket.paged`. A request's target pages once:
  a second step on the same target, or the same step after a reopening, pages no one again. Without `[paging]`
  nothing is paged (the empty tuple).
- `follow_up` runs after every agent action's recompute (bot.desk.actions), in its transaction. For each target of
  the request that paged: the request resolved or closed resolves the page; otherwise the target stopped (for
  `response`, the first public reply of an agent) acknowledges it. Each action is stored once per request, target
  and pager (ledger `paged:<ticket id>:<target>:<action>`, call key `page:<service>:<SR>:<target>:<action>`) and
  audited (`ticket.page_acknowledged`, `ticket.page_resolved`). Requests that never paged send nothing.
- The calls of one page are sent in order (ordering key `<service>:<SR>:<target>`): the trigger before its
  acknowledgement, that before its resolution.
"""

from datetime import datetime

from bot.actor import ACTOR
from bot.config.desk import DeskConfig
from bot.integrations.calls import HttpCall, call_later
from bot.integrations.paging import events
from bot.integrations.paging.events import Incident
from sla.clocks import Clocks
from storage import audit, reminders
from storage.engine import Session
from storage.kinds import TicketStatus
from storage.tickets import TicketRecord

PAGED = "ticket.paged"
AUDITED = {"acknowledge": "ticket.page_acknowledged", "resolve": "ticket.page_resolved"}


def page(session: Session, desk: DeskConfig, incident: Incident, *, now: datetime) -> tuple[str, ...]:
    """Pages the on-call for `incident` on every configured pager; the services paged (none when the desk has no
    pager or this target paged before)."""
    ticket, paging = incident.ticket, desk.paging
    if not paging.enabled or not _first(session, paged_key(ticket.id, incident.target), ticket.id, now):
        return ()
    for service in paging.services:
        _store(session, events.trigger(service, paging, incident), ticket, incident.target, "trigger", now)
    after = {"services": list(paging.services), "target": incident.target, "dedup_key": incident.dedup_key}
    audit.record(session, actor=ACTOR, action=PAGED, at=now, ticket_id=ticket.id, subject=ticket.sr, after=after)
    return paging.services


def follow_up(session: Session, desk: DeskConfig, ticket: TicketRecord, state: Clocks, *, now: datetime) -> None:
    """Acknowledges or resolves the pages of `ticket` that its change calls for (the module's rules)."""
    paging = desk.paging
    if not paging.enabled:
        return
    for target in sorted({step.target for step in desk.policy.escalations if step.page}):
        action = _action(ticket, state, target)
        if action is None or not reminders.was_recorded(session, paged_key(ticket.id, target)):
            continue
        if not _first(session, f"{paged_key(ticket.id, target)}:{action}", ticket.id, now):
            continue
        key = events.dedup_key(ticket.sr, target)
        for service in paging.services:
            _store(session, events.follow(service, paging, action, key), ticket, target, action, now)
        after = {"services": list(paging.services), "target": target, "dedup_key": key}
        audit.record(
            session, actor=ACTOR, action=AUDITED[action], at=now, ticket_id=ticket.id, subject=ticket.sr, after=after
        )


def paged_key(ticket_id: int, target: str) -> str:
    """The reminder ledger's record that the request's target paged."""
    return f"paged:{ticket_id}:{target}"


def _action(ticket: TicketRecord, state: Clocks, target: str) -> str | None:
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return "resolve"
    stopped = any(t.name == target and t.stopped_at is not None for t in state.targets)
    return "acknowledge" if stopped else None


def _first(session: Session, key: str, ticket_id: int, now: datetime) -> bool:
    """Whether `key` is new to the ledger (and now recorded)."""
    return bool(reminders.record_new(session, [(key, ticket_id)], now=now))


def _store(session: Session, call: HttpCall, ticket: TicketRecord, target: str, action: str, now: datetime) -> None:
    call_later(
        session,
        call,
        key=f"page:{call.service}:{ticket.sr}:{target}:{action}",
        now=now,
        ticket_id=ticket.id,
        ordering_key=f"{call.service}:{ticket.sr}:{target}",
    )
