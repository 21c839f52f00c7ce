"""The agents' queue: breached first, then nearest deadline, undated last; the counts; the limit."""

from datetime import timedelta

from sla.clocks import State
from storage.deadlines import DeadlineValue, set_deadlines
from storage.engine import Database
from storage.queue import QueueCounts, queue_counts, queue_lines
from storage.tickets import open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)
RUNNING, BREACHED, MET, PAUSED = State.RUNNING, State.BREACHED, State.MET, State.PAUSED


def _ticket(session, *deadlines, status="open", priority="P3", plan="basic"):
    """A request with deadlines `(target, due, state)`, `state` stopped when MET or given as ("breached", stopped)."""
    ticket = open_ticket(session, kind="incident", actor="U1", now=NOW, status=status, priority=priority, plan=plan)
    values = []
    for target, due, state in deadlines:
        stopped = NOW - 2 * HOUR if state in (MET, "late") else None
        values.append(DeadlineValue(target, due, BREACHED if state == "late" else state, NOW - 9 * HOUR, stopped))
    set_deadlines(session, ticket.id, values, next_change_at=None, actor="U1", now=NOW)
    return ticket.sr


def _lines(db, limit=50):
    with db.read() as session:
        return [
            (line.ticket.sr, line.target, line.due_at, line.breached)
            for line in queue_lines(session, now=NOW, limit=limit)
        ]


def test_breached_first_then_the_nearest_deadline_then_requests_without_one(db: Database) -> None:
    with db.write() as session:
        later = _ticket(session, ("response", NOW + 5 * HOUR, RUNNING))
        undated = _ticket(session, ("resolution", None, RUNNING))  # "as seen fit"
        swept = _ticket(session, ("response", NOW - 3 * HOUR, BREACHED), ("update", NOW + HOUR, RUNNING))
        due_now = _ticket(session, ("update", NOW, RUNNING))
        late = _ticket(session, ("response", NOW - 4 * HOUR, "late"), ("resolution", NOW + 2 * HOUR, RUNNING))
        paused = _ticket(session, ("resolution", None, PAUSED), ("response", NOW - 5 * HOUR, MET))
        resolved = _ticket(
            session, ("workaround", NOW - HOUR, RUNNING), ("fix", NOW - HOUR, RUNNING), status="resolved"
        )
        waiting = _ticket(session, ("update", NOW + HOUR / 2, RUNNING), status="waiting")
        _ticket(session, ("response", NOW - 6 * HOUR, RUNNING), status="intake")
        _ticket(session, ("response", NOW - 6 * HOUR, BREACHED), status="closed")
    assert _lines(db) == [
        (swept, "response", NOW - 3 * HOUR, True),  # stored breached by the sweep, still running
        (resolved, "fix", NOW - HOUR, True),  # equal instants: by target name
        (due_now, "update", NOW, True),  # breached at its due instant, as sla/ counts it
        (waiting, "update", NOW + HOUR / 2, False),
        (late, "resolution", NOW + 2 * HOUR, False),  # a target met late is no longer pending
        (later, "response", NOW + 5 * HOUR, False),
        (undated, None, None, False),
        (paused, None, None, False),
    ]


def test_the_limit_keeps_the_first_lines(db: Database) -> None:
    with db.write() as session:
        srs = [_ticket(session, ("response", NOW + hours * HOUR, RUNNING)) for hours in (4, 3, 2, 1)]
        _ticket(session)
    assert [sr for sr, *_ in _lines(db, limit=2)] == [srs[3], srs[2]]


def test_counts_per_priority_and_per_plan_of_queued_requests_only(db: Database) -> None:
    with db.write() as session:
        _ticket(session, priority="P1", plan="plus")
        _ticket(session, priority="P1", plan="basic", status="waiting")
        _ticket(session, priority="P3", plan="basic", status="resolved")
        _ticket(session, priority=None, plan=None)
        _ticket(session, priority="P2", plan="plus", status="intake")
        _ticket(session, priority="P2", plan="plus", status="closed")
    with db.read() as session:
        counts = queue_counts(session)
    assert counts == QueueCounts(
        total=4,
        per_priority=(("P1", 2), ("P3", 1), (None, 1)),
        per_plan=(("basic", 2), ("plus", 1), (None, 1)),
    )


def test_an_empty_queue(db: Database) -> None:
    with db.read() as session:
        assert queue_lines(session, now=NOW, limit=50) == []
        assert queue_counts(session) == QueueCounts(0, (), ())
