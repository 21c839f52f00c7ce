"""The figures /metrics reads at scrape time: queue depths and oldest rows, open requests, breached and at risk."""

from datetime import timedelta

from sla.clocks import State
from storage import inbox, outbox
from storage.deadlines import DeadlineValue, set_deadlines
from storage.engine import Database
from storage.kinds import InboxState, OutboxState, TicketStatus
from storage.metrics import DeadlineCount, RequestCount, deadline_counts, open_requests, queue_figures
from storage.tickets import open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)


def _ticket(session, *deadlines, status="open", priority="P2", plan="gold"):
    """A request with deadlines `(target, due, state)`; a MET one stopped two hours ago."""
    ticket = open_ticket(session, kind="incident", actor="U1", now=NOW, status=status, priority=priority, plan=plan)
    values = [
        DeadlineValue(target, due, state, NOW - 9 * HOUR, NOW - 2 * HOUR if state == State.MET else None)
        for target, due, state in deadlines
    ]
    set_deadlines(session, ticket.id, values, next_change_at=None, actor="U1", now=NOW)


def test_an_empty_database_has_empty_queues_and_no_requests(db: Database) -> None:
    with db.read() as session:
        figures = queue_figures(session)
        assert figures.inbox == dict.fromkeys([InboxState.PENDING, InboxState.PROCESSING, InboxState.DEAD], 0)
        assert set(figures.outbox) == {OutboxState.PENDING, OutboxState.SENDING, OutboxState.PARKED, OutboxState.DEAD}
        assert (figures.oldest_inbox, figures.oldest_outbox) == (None, None)
        assert open_requests(session) == []
        assert deadline_counts(session, now=NOW) == []


def test_queue_depths_count_the_rows_in_play_and_the_oldest_pending_one(db: Database) -> None:
    with db.write() as session:
        for number in range(3):
            inbox.receive(session, key=f"e{number}", source="slack", conversation="c", payload={},
                          now=NOW + number * HOUR)  # fmt: skip
        for number in range(2):
            outbox.enqueue(session, key=f"m{number}", destination_kind="slack", destination="C1", payload={},
                           now=NOW - number * HOUR)  # fmt: skip
    claims = inbox.claim_inbox(db, now=NOW + 3 * HOUR, lease_for=HOUR, limit=1)
    with db.write() as session:
        inbox.complete_inbox(session, claims[0], now=NOW + 3 * HOUR)
        figures = queue_figures(session)
    assert figures.inbox[InboxState.PENDING] == 2
    assert figures.inbox[InboxState.PROCESSING] == 0
    assert InboxState.DONE not in figures.inbox  # done rows grow for ever: never counted
    assert figures.oldest_inbox == NOW + HOUR  # e0 is done; e1 is the oldest still waiting
    assert figures.outbox[OutboxState.PENDING] == 2
    assert figures.oldest_outbox == NOW - HOUR


def test_open_requests_are_counted_per_status_priority_and_plan(db: Database) -> None:
    with db.write() as session:
        _ticket(session)
        _ticket(session)
        _ticket(session, status="waiting", plan="silver")
        _ticket(session, status="intake", priority=None, plan=None)
        _ticket(session, status="closed")
        _ticket(session, status="deferred")
        found = sorted(open_requests(session), key=lambda count: (count.status, str(count.plan)))
    assert found == [
        RequestCount(TicketStatus.INTAKE, None, None, 1),
        RequestCount(TicketStatus.OPEN, "P2", "gold", 2),
        RequestCount(TicketStatus.WAITING, "P2", "silver", 1),
    ]


def test_a_request_is_breached_or_at_risk_by_its_pending_deadlines_once_each(db: Database) -> None:
    running, breached, met = State.RUNNING, State.BREACHED, State.MET
    with db.write() as session:
        _ticket(session, ("response", NOW - HOUR, breached), ("resolution", NOW - 2 * HOUR, running))  # breached once
        _ticket(session, ("response", NOW, running), ("update", NOW + HOUR / 2, running))  # due now: both
        _ticket(session, ("response", NOW + HOUR / 4, running), ("update", NOW + HOUR / 2, running))  # at risk once
        _ticket(session, ("response", NOW + 2 * HOUR, running))  # not yet at risk
        _ticket(session, ("response", NOW - HOUR, met), ("resolution", None, running))  # met; no deadline
        _ticket(session, ("response", NOW - HOUR, running), status="closed")  # closed: not counted
        _ticket(session, ("response", NOW - HOUR, running), priority="P1", plan="silver")
        found = sorted(deadline_counts(session, now=NOW), key=lambda count: str(count.priority))
    assert found == [DeadlineCount("P1", "silver", 1, 0), DeadlineCount("P2", "gold", 2, 2)]
