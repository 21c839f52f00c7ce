"""Requests: opening, changing, finding; every change audited in the same transaction, even when killed."""

import os
import signal
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from storage import audit
from storage.engine import Database
from storage.errors import InvalidValueError, NotFoundError
from storage.kinds import TicketKind, TicketStatus
from storage.tables import AuditEvent, Message, Ticket, TicketDeadline
from storage.tickets import change_ticket, find_ticket, get_ticket, open_ticket
from tests.storage.helpers import NOW, start_worker

HOUR = timedelta(hours=1)


def test_opening_a_request_numbers_it_and_audits_it(db: Database) -> None:
    with db.write() as session:
        first = open_ticket(session, kind="incident", actor="U1", now=NOW, description="it is down")
        second = open_ticket(session, kind="question", actor="U2", now=NOW + HOUR, missing_fields=["contact_phone"])
    assert (first.sr, second.sr) == ("SR-000001", "SR-000002")
    assert first.kind is TicketKind.INCIDENT
    assert first.status is TicketStatus.INTAKE
    assert second.missing_fields == ("contact_phone",)
    with db.read() as session:
        (event,) = audit.trail(session, first.id)
    assert (event.actor, event.action, event.at) == ("U1", "ticket.opened", NOW)
    assert event.after == {"sr": "SR-000001", "kind": "incident", "status": "intake", "description": "it is down"}


def test_a_change_audits_only_what_changed(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW, priority="P3", plan="basic")
    with db.write() as session:
        changed = change_ticket(
            session,
            ticket.id,
            {"priority": "P1", "plan": "basic", "occurred_at": NOW - HOUR},
            actor="U9",
            now=NOW + HOUR,
            action="ticket.priority_changed",
        )
        change_ticket(session, ticket.id, {"priority": "P1"}, actor="U9", now=NOW + 2 * HOUR)  # no change
    assert (changed.priority, changed.updated_at, changed.occurred_at) == ("P1", NOW + HOUR, NOW - HOUR)
    with db.read() as session:
        events = audit.trail(session, ticket.id)
    assert [event.action for event in events] == ["ticket.opened", "ticket.priority_changed"]
    assert events[1].before == {"priority": "P3", "occurred_at": None}
    assert events[1].after == {"priority": "P1", "occurred_at": "2026-11-23T08:00:00+00:00"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "complaint"}, "not a TicketKind"),
        ({"status": "done"}, "not a TicketStatus"),
        ({"sr_number": 7}, "cannot set sr_number"),
        ({"opened_at": NOW}, "cannot set opened_at"),
    ],
)
def test_a_change_outside_the_schema_is_refused_and_nothing_is_written(
    db: Database, changes: dict[str, object], message: str
) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
    with pytest.raises(InvalidValueError, match=message), db.write() as session:
        change_ticket(session, ticket.id, changes, actor="U1", now=NOW)
    with db.read() as session:
        assert len(audit.trail(session, ticket.id)) == 1


def test_a_missing_ticket_is_reported(db: Database) -> None:
    with pytest.raises(NotFoundError, match="no ticket with id 42"), db.read() as session:
        get_ticket(session, 42)


def test_requests_are_found_by_number_and_by_thread(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(
            session,
            kind="defect",
            actor="U1",
            now=NOW,
            slack_channel="C1",
            slack_thread_ts="1.2",
            email_thread_id="<a@b>",
        )
    with db.read() as session:
        assert find_ticket(session, sr_number=1) == ticket
        assert find_ticket(session, slack_thread=("C1", "1.2")) == ticket
        assert find_ticket(session, email_thread_id="<a@b>") == ticket
        assert find_ticket(session, slack_thread=("C1", "9.9")) is None


def test_a_process_killed_while_writing_leaves_no_half_written_request(database_url: str, db: Database) -> None:
    worker = start_worker("crash", database_url)
    assert worker.stdout is not None
    committed = [int(worker.stdout.readline()) for _ in range(30)]  # wait until it has written some
    os.kill(worker.pid, signal.SIGKILL)
    worker.communicate()
    with db.read() as session:
        tickets = list(session.exec(select(Ticket).order_by(col(Ticket.sr_number))))
        opened, messages, deadlines = (
            dict(session.exec(select(model.ticket_id, func.count()).group_by(col(model.ticket_id))).all())
            for model in (AuditEvent, Message, TicketDeadline)
        )
        counter = session.connection().exec_driver_sql("SELECT value FROM counter WHERE name = 'sr'").scalar()
    numbers = [ticket.sr_number for ticket in tickets]
    assert numbers[: len(committed)] == committed
    assert numbers == list(range(1, len(numbers) + 1))
    assert counter == len(numbers)
    ids = {ticket.id for ticket in tickets}
    assert opened == dict.fromkeys(ids, 3)  # opened, message added, deadlines set: all or nothing
    assert messages == dict.fromkeys(ids, 1)
    assert deadlines == dict.fromkeys(ids, 1)


def test_a_change_with_a_reason_audits_the_reason(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
        change_ticket(
            session, ticket.id, {"priority": "P2"}, actor="U2", now=NOW, action="ticket.triaged", reason="VIP"
        )
    with db.read() as session:
        last = audit.trail(session, ticket.id)[-1]
    assert (last.action, last.after) == ("ticket.triaged", {"priority": "P2", "reason": "VIP"})
