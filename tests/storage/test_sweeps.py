"""Claiming due tickets for the sweeps: due ones only, earliest first, leased, rescheduled, never twice."""

from datetime import timedelta

import pytest

from storage.engine import Database
from storage.errors import LeaseLostError
from storage.sweeps import DueTicket, claim_due_tickets, reschedule
from storage.tickets import get_ticket, open_ticket
from tests.storage.helpers import NOW, run_in_threads

LEASE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def _open(db: Database, *next_changes: object) -> list[int]:
    with db.write() as session:
        return [
            open_ticket(session, kind="incident", actor="U1", now=NOW, next_change_at=at).id  # type: ignore[arg-type]
            for at in next_changes
        ]


def _reschedule(db: Database, due: DueTicket, at: object) -> None:
    with db.write() as session:
        reschedule(session, due, next_change_at=at)  # type: ignore[arg-type]


def test_due_tickets_are_claimed_earliest_first(db: Database) -> None:
    ids = _open(db, NOW, NOW - HOUR, NOW + HOUR, None)
    due = claim_due_tickets(db, now=NOW, lease_for=LEASE)
    assert [ticket.id for ticket in due] == [ids[1], ids[0]]
    assert [ticket.sr_number for ticket in due] == [2, 1]
    assert due[0].next_change_at == NOW - HOUR
    assert claim_due_tickets(db, now=NOW, lease_for=LEASE) == []  # leased


def test_rescheduling_ends_the_lease_and_sets_the_next_instant(db: Database) -> None:
    (ticket_id,) = _open(db, NOW)
    (due,) = claim_due_tickets(db, now=NOW, lease_for=LEASE)
    _reschedule(db, due, NOW + HOUR)
    assert claim_due_tickets(db, now=NOW + HOUR - timedelta(seconds=1), lease_for=LEASE) == []
    (again,) = claim_due_tickets(db, now=NOW + HOUR, lease_for=LEASE)
    _reschedule(db, again, None)
    with db.read() as session:
        assert get_ticket(session, ticket_id).next_change_at is None
    assert claim_due_tickets(db, now=NOW + 1000 * HOUR, lease_for=LEASE) == []


def test_a_ticket_whose_sweep_died_is_claimed_again_after_the_lease(db: Database) -> None:
    _open(db, NOW)
    (first,) = claim_due_tickets(db, now=NOW, lease_for=LEASE)
    (second,) = claim_due_tickets(db, now=NOW + LEASE, lease_for=LEASE)
    assert second.id == first.id
    with pytest.raises(LeaseLostError):
        _reschedule(db, first, NOW + HOUR)
    _reschedule(db, second, NOW + HOUR)


def test_concurrent_sweeps_never_claim_one_ticket_twice(db: Database) -> None:
    _open(db, *[NOW - timedelta(seconds=number) for number in range(90)])

    def sweep() -> list[int]:
        handled = []
        while batch := claim_due_tickets(db, now=NOW, lease_for=LEASE, limit=7):
            for due in batch:
                _reschedule(db, due, NOW + HOUR)
                handled.append(due.id)
        return handled

    per_sweep = run_in_threads([sweep] * 4)
    handled = [ticket for tickets in per_sweep for ticket in tickets]
    assert len(handled) == len(set(handled)) == 90
