"""`frontdesk export`: every request as one JSON object per line, for customers to verify SLAs themselves.

Rules:
- A request is exported when it was opened or last changed on or after `since`; requests come in SR order.
- Each line holds the request's fields and timestamps, its deadlines, pauses and whole audit trail; instants
  are ISO 8601 in UTC. Nothing but the request's own data is written (no message texts, no attachment files).
- Rows are read in batches, so an export of any size runs in bounded memory.
"""

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict
from datetime import datetime
from typing import Any, TextIO

from sqlmodel import Session, col, select

from storage.audit import jsonable, to_record
from storage.columns import to_utc
from storage.engine import Database
from storage.numbers import format_sr
from storage.tables import AuditEvent, Customer, Pause, Ticket, TicketDeadline
from storage.tickets import to_ticket_record

BATCH = 500


def export_requests(session: Session, since: datetime) -> Iterator[dict[str, Any]]:
    """The export objects of every request changed on or after `since`, in SR order."""
    after_id = 0
    while True:
        statement = (
            select(Ticket, Customer.name)
            .outerjoin(Customer, col(Customer.id) == col(Ticket.customer_id))
            .where(col(Ticket.updated_at) >= to_utc(since), col(Ticket.id) > after_id)
            .order_by(col(Ticket.id))
            .limit(BATCH)
        )
        batch = list(session.exec(statement))
        if not batch:
            return
        ids = [ticket.id for ticket, _ in batch if ticket.id is not None]
        deadlines, pauses, events = _children(session, ids)
        for ticket, customer in batch:
            record = asdict(to_ticket_record(ticket))
            record.pop("next_change_at")
            yield jsonable(
                {
                    "sr": format_sr(ticket.sr_number),
                    **record,
                    "customer": customer,
                    "deadlines": deadlines[ticket.id],
                    "pauses": pauses[ticket.id],
                    "audit": events[ticket.id],
                }
            )
        after_id = ids[-1]


def _children(session: Session, ids: list[int]) -> tuple[dict[Any, list[dict[str, Any]]], ...]:
    deadlines: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for row in session.exec(
        select(TicketDeadline).where(col(TicketDeadline.ticket_id).in_(ids)).order_by(col(TicketDeadline.id))
    ):
        deadlines[row.ticket_id].append(
            {
                "target": row.target,
                "started_at": row.started_at,
                "due_at": row.due_at,
                "state": row.state,
                "stopped_at": row.stopped_at,
            }
        )
    pauses: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    for pause in session.exec(select(Pause).where(col(Pause.ticket_id).in_(ids)).order_by(col(Pause.started_at))):
        pauses[pause.ticket_id].append(
            {"started_at": pause.started_at, "ended_at": pause.ended_at, "reason": pause.reason}
        )
    events: dict[Any, list[dict[str, Any]]] = defaultdict(list)
    trail = select(AuditEvent).where(col(AuditEvent.ticket_id).in_(ids)).order_by(col(AuditEvent.id))
    for event in session.exec(trail):
        record = asdict(to_record(event))
        del record["ticket_id"]
        events[event.ticket_id].append(record)
    return deadlines, pauses, events


def write_export(database: Database, since: datetime, output: TextIO) -> int:
    """Writes the export as JSON lines to `output` in one read transaction; returns how many requests."""
    count = 0
    with database.read() as session:
        for request in export_requests(session, since):
            output.write(json.dumps(request, ensure_ascii=False, sort_keys=False) + "\n")
            count += 1
    return count
