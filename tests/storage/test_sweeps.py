"""Locking due tickets for the milestone sweep: due ones only, earliest first, rescheduled, never twice, and
nothing left held by a sweep that died."""

import os
import signal
from datetime import timedelta

from sqlalchemy import text

from storage.engine import Database
from storage.sweeps import Rescheduled, lock_due, put_off, reschedule_all
from storage.tickets import get_ticket, open_ticket
from tests.storage.helpers import NOW, run_in_threads, start_worker

HOUR = timedelta(hours=1)


def _open(db: Database, *next_changes: object) -> list[int]:
    with db.write() as session:
        return [
            open_ticket(session, kind="incident", actor="U1", now=NOW, next_change_at=at).id  # type: ignore[arg-type]
            for at in next_changes
        ]


def _due(db: Database, at: object, limit: int = 100) -> list[int]:
    with db.write() as session:
        return [due.ticket.id for due in lock_due(session, now=at, limit=limit)]  # type: ignore[arg-type]


def test_due_tickets_are_locked_earliest_first_then_by_id(db: Database) -> None:
    ids = _open(db, NOW, NOW - HOUR, NOW + HOUR, None, NOW)
    assert _due(db, NOW) == [ids[1], ids[0], ids[4]]
    assert _due(db, NOW, limit=2) == [ids[1], ids[0]]
    with db.write() as session:
        (first,) = lock_due(session, now=NOW, limit=1)
    assert first.ticket.sr_number == 2
    assert first.ticket.next_change_at == NOW - HOUR


def test_rescheduling_sets_the_next_instant_and_marks_only_touched_tickets_updated(db: Database) -> None:
    ids = _open(db, NOW, NOW)
    later = NOW + timedelta(minutes=5)
    with db.write() as session:
        reschedule_all(session, [Rescheduled(ids[0], NOW + HOUR, touched=True), Rescheduled(ids[1], None)], now=later)
    assert _due(db, NOW + HOUR - timedelta(seconds=1)) == []
    assert _due(db, NOW + HOUR) == [ids[0]]
    with db.read() as session:
        touched, untouched = get_ticket(session, ids[0]), get_ticket(session, ids[1])
    assert (touched.updated_at, touched.next_change_at) == (later, NOW + HOUR)
    assert (untouched.updated_at, untouched.next_change_at) == (NOW, None)
    assert _due(db, NOW + 1000 * HOUR) == [ids[0]]


def test_a_sweep_that_died_leaves_nothing_held(db: Database) -> None:
    (ticket_id,) = _open(db, NOW)

    class Died(Exception):
        pass

    try:
        with db.write() as session:
            assert [due.ticket.id for due in lock_due(session, now=NOW, limit=10)] == [ticket_id]
            raise Died  # the process ends in the middle of its batch: the transaction is rolled back
    except Died:
        pass
    assert _due(db, NOW) == [ticket_id]  # the next sweep takes it at once


def test_a_sweep_process_killed_holding_its_batch_leaves_it_to_the_next_sweep_at_once(
    database_url: str, db: Database
) -> None:
    ids = _open(db, NOW, NOW, NOW)
    worker = start_worker("hold", database_url)
    assert worker.stdout is not None
    held = [int(word) for word in worker.stdout.readline().split()]
    assert held == ids
    if db.backend == "postgresql":  # SQLite: the holder has the write lock, and the next sweep waits for it
        assert _due(db, NOW) == []  # held: skipped, not waited for
    os.kill(worker.pid, signal.SIGKILL)
    worker.communicate()
    if db.backend == "postgresql":  # the server ends the killed client's session as soon as it reads its end
        _wait_until_released(db, ids)
    assert _due(db, NOW) == ids  # no lease to wait out


def _wait_until_released(db: Database, ids: list[int], within: str = "10s") -> None:
    """Waits, in the database's own lock queue, for the killed sweep's row locks to go (its session ended by the
    server), at most `within`: a plain FOR UPDATE returns as soon as they are released."""
    with db.write() as session:
        connection = session.connection()
        connection.exec_driver_sql(f"SET LOCAL lock_timeout = '{within}'")
        connection.execute(text("SELECT id FROM ticket WHERE id = ANY(:ids) FOR UPDATE"), {"ids": ids})


def test_a_ticket_put_off_is_due_again_then(db: Database) -> None:
    (ticket_id,) = _open(db, NOW)
    with db.write() as session:
        put_off(session, ticket_id, until=NOW + HOUR)
    assert _due(db, NOW) == []
    assert _due(db, NOW + HOUR) == [ticket_id]


def test_concurrent_sweeps_never_lock_one_ticket_twice(db: Database) -> None:
    _open(db, *[NOW - timedelta(seconds=number) for number in range(90)])

    def sweep() -> list[int]:
        handled = []
        while True:
            with db.write() as session:
                batch = lock_due(session, now=NOW, limit=7)
                reschedule_all(session, [Rescheduled(due.ticket.id, NOW + HOUR) for due in batch], now=NOW)
            if not batch:
                return handled
            handled += [due.ticket.id for due in batch]

    per_sweep = run_in_threads([sweep] * 4)
    handled = [ticket for tickets in per_sweep for ticket in tickets]
    assert len(handled) == len(set(handled)) == 90
