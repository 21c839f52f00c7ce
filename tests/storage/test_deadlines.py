"""Deadlines per target and next_change_at: stored, changed, audited only when they change."""

from datetime import timedelta

import pytest
from sqlmodel import select

from sla.clocks import State
from storage import audit
from storage.deadlines import PENDING, STORED, DeadlineValue, deadlines_of, set_deadlines
from storage.engine import Database
from storage.errors import InvalidValueError
from storage.tables import TicketDeadline
from storage.tickets import get_ticket, open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)


def test_deadlines_are_stored_per_target_and_changes_audited(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="defect", actor="U1", now=NOW)
        response = DeadlineValue("response", NOW + HOUR, started_at=NOW)
        fix = DeadlineValue("fix", None, started_at=NOW)  # "as seen fit": no deadline
        set_deadlines(session, ticket.id, [response, fix], next_change_at=NOW + HOUR / 2, actor="system", now=NOW)
    with db.write() as session:  # the first reply: response met, nothing else changes
        met = DeadlineValue("response", NOW + HOUR, State.MET, NOW, NOW + HOUR / 4, HOUR / 4)
        set_deadlines(session, ticket.id, [met, fix], next_change_at=None, actor="U9", now=NOW + HOUR / 4)
        set_deadlines(session, ticket.id, [met], next_change_at=None, actor="U9", now=NOW + HOUR)  # nothing new
    with db.read() as session:
        assert deadlines_of(session, ticket.id) == [met, fix]
        assert get_ticket(session, ticket.id).next_change_at is None
        events = audit.trail(session, ticket.id)
    assert [event.action for event in events] == ["ticket.opened", "ticket.deadlines_set", "ticket.deadlines_set"]
    assert events[2].before == {
        "response": {
            "due_at": "2026-11-23T10:00:00+00:00",
            "state": "running",
            "started_at": "2026-11-23T09:00:00+00:00",
            "stopped_at": None,
            "decided_at": None,
            "elapsed_seconds": None,
        },
        "next_change_at": "2026-11-23T09:30:00+00:00",
    }
    assert events[2].after is not None
    assert events[2].after["response"]["state"] == "met"
    assert events[2].after["response"]["decided_at"] == "2026-11-23T09:15:00+00:00"  # met: decided at its stop
    assert events[2].after["response"]["elapsed_seconds"] == 15 * 60


def test_a_pending_deadline_is_the_same_in_the_database_and_in_a_value(db: Database) -> None:
    # every state, stopped or not: the SQL rule (PENDING) and DeadlineValue.pending pick the same targets
    values = [
        DeadlineValue(f"{state.value}_{'stopped' if stopped else 'open'}", NOW + HOUR, state, NOW, stopped)
        for state in STORED
        for stopped in (None, NOW + HOUR / 2)
    ]
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
        set_deadlines(session, ticket.id, values, next_change_at=None, actor="system", now=NOW)
    with db.read() as session:
        stored = deadlines_of(session, ticket.id)
        in_sql = session.exec(select(TicketDeadline.target).where(PENDING, TicketDeadline.ticket_id == ticket.id))
        assert sorted(in_sql) == sorted(value.target for value in stored if value.pending)
    pending = sorted(value.target for value in stored if value.pending)
    assert pending == ["breached_open", "running_open", "running_stopped"]  # a running row never has a stop


def test_only_the_states_of_a_started_target_are_stored(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
        for state in (State.PENDING, State.NO_DEADLINE):
            with pytest.raises(InvalidValueError, match="expected one of: running, paused, met, breached"):
                set_deadlines(
                    session, ticket.id, [DeadlineValue("response", None, state)], next_change_at=None, actor="system",
                    now=NOW,
                )  # fmt: skip
