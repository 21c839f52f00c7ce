"""The agents' work list: nearest running deadline first, those without last; the filters."""

from datetime import timedelta

import pytest

from sla.clocks import State
from storage.deadlines import DeadlineValue, set_deadlines
from storage.engine import Database
from storage.errors import InvalidValueError
from storage.people import save_agent
from storage.tickets import change_ticket, open_ticket
from storage.worklist import worklist
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)


def _ticket(session, status="open", due=None, met=None):
    ticket = open_ticket(session, kind="incident", actor="U1", now=NOW, status=status)
    values = [DeadlineValue("response", due, started_at=NOW)] if due else []
    values += [DeadlineValue("resolution", met, State.MET, NOW, NOW)] if met else []
    set_deadlines(session, ticket.id, values, next_change_at=None, actor="U1", now=NOW)
    return ticket.id


def test_nearest_first_breached_before_and_undated_last(db: Database) -> None:
    with db.write() as session:
        later = _ticket(session, due=NOW + 5 * HOUR)
        undated = _ticket(session)
        breached = _ticket(session, due=NOW - HOUR, met=NOW - 3 * HOUR)  # a met target does not count
        _ticket(session, status="intake", due=NOW)
        _ticket(session, status="closed", due=NOW)
        waiting = _ticket(session, status="waiting", due=NOW + HOUR)
    with db.read() as session:
        items, total = worklist(session, "open", now=NOW)
        assert [item.ticket.id for item in items] == [breached, waiting, later, undated]
        assert (items[0].next_target, items[0].next_due, total) == ("response", NOW - HOUR, 4)
        assert [i.ticket.id for i in worklist(session, "breaching", now=NOW)[0]] == [breached]
        assert [i.ticket.id for i in worklist(session, "waiting", now=NOW)[0]] == [waiting]
        assert worklist(session, "open", now=NOW, limit=2)[1] == 4
        with pytest.raises(InvalidValueError):
            worklist(session, "everything", now=NOW)


def test_mine_is_what_is_assigned_to_the_agent(db: Database) -> None:
    with db.write() as session:
        agent = save_agent(session, level="L1", actor="U0", now=NOW, slack_user_id="U0CAROL")
        mine = _ticket(session, due=NOW + HOUR)
        _ticket(session, due=NOW)
        change_ticket(session, mine, {"assignee_id": agent.id}, actor="U0", now=NOW)
    with db.read() as session:
        assert [i.ticket.id for i in worklist(session, "mine", now=NOW, agent_user="U0CAROL")[0]] == [mine]


def test_a_breached_target_not_yet_met_still_counts(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW, status="open").id
        late = DeadlineValue("response", NOW - HOUR, State.BREACHED, NOW - 2 * HOUR)
        met_late = DeadlineValue("resolution", NOW - 3 * HOUR, State.BREACHED, NOW - 4 * HOUR, NOW)
        set_deadlines(session, ticket, [late, met_late], next_change_at=None, actor="U1", now=NOW)
    with db.read() as session:
        (item,) = worklist(session, "breaching", now=NOW)[0]
    assert (item.next_target, item.next_due) == ("response", NOW - HOUR)
