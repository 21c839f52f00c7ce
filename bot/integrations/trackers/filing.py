"""Filing a confirmed defect in the desk's tracker, through the outgoing HTTP channel (docs/integrations.md,
"Defect trackers").

Rules:
- `file_defect` is called in the transaction that confirms the defect: it stores the tracker's create call
  (bot.integrations.calls.call_later) with the idempotency key `create_key(tracker, sr)`, so one defect is filed
  once however often this runs; nothing is filed when the desk has no tracker or the request already links an
  issue (an agent linked one with `--link`).
- The issue says what the requester said (title, description, steps), the request's SR number, priority and
  severity (the impact the intake recorded), the deadlines running then (UTC), and the SR number as the way back.
"""

from datetime import UTC, datetime

from bot.config.desk import DeskConfig
from bot.integrations.calls import call_later
from bot.integrations.trackers.configured import filing_tracker
from bot.integrations.trackers.tracker import Deadline, Defect, create_key, ordering_key
from sla.clocks import Clocks, State
from storage import defect_links
from storage.engine import Session
from storage.tickets import TicketRecord


def file_defect(session: Session, desk: DeskConfig, ticket: TicketRecord, state: Clocks, *, now: datetime) -> bool:
    """Stores the call that files the defect of `ticket`; whether one was stored (or was already)."""
    tracker = filing_tracker(desk)
    if tracker is None or defect_links.link_of(session, ticket.id) is not None:
        return False
    call = tracker.create_call(defect_of(ticket, state))
    key, order = create_key(tracker.name, ticket.sr), ordering_key(tracker.name, ticket.sr)
    call_later(session, call, key=key, now=now, ticket_id=ticket.id, ordering_key=order)
    return True


def defect_of(ticket: TicketRecord, state: Clocks) -> Defect:
    description = (ticket.description or "").strip()
    title = ticket.title or (description.splitlines()[0] if description else ticket.sr)
    deadlines = tuple(
        Deadline(target.label, target.due_at.astimezone(UTC) if target.due_at else None)
        for target in state.targets
        if target.state is not State.PENDING
    )
    return Defect(
        sr=ticket.sr,
        title=title,
        description=description,
        steps=(ticket.reproduction_steps or "").strip(),
        priority=state.priority,
        severity=ticket.impact or "not stated",
        deadlines=deadlines,
        link_back=ticket.sr,
    )
