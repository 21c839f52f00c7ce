"""Clock events: added to a request's log, read back in the order they happened."""

from datetime import timedelta

import pytest

from storage.engine import Database
from storage.errors import InvalidValueError, NotFoundError
from storage.ticket_events import TicketEventRecord, events_of, record_event
from storage.tickets import open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)


def test_events_come_back_by_instant_then_in_the_order_they_were_recorded(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
        other = open_ticket(session, kind="question", actor="U1", now=NOW)
        record_event(session, ticket.id, "public_reply", at=NOW + HOUR, actor="U2")
        record_event(session, ticket.id, "complete", at=NOW, actor="frontdesk")
        record_event(session, ticket.id, "priority", at=NOW, actor="frontdesk", value="P2")
        record_event(session, other.id, "complete", at=NOW, actor="frontdesk")
    with db.read() as session:
        assert events_of(session, ticket.id) == [
            TicketEventRecord(NOW, "complete", "", "frontdesk"),
            TicketEventRecord(NOW, "priority", "P2", "frontdesk"),
            TicketEventRecord(NOW + HOUR, "public_reply", "", "U2"),
        ]
        assert [event.kind for event in events_of(session, other.id)] == ["complete"]


def test_bad_events_are_refused(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
        with pytest.raises(InvalidValueError):
            record_event(session, ticket.id, "", at=NOW, actor="U1")
        with pytest.raises(InvalidValueError):
            record_event(session, ticket.id, "priority", at=NOW, actor="U1", value="x" * 101)
        with pytest.raises(NotFoundError):
            record_event(session, ticket.id + 99, "complete", at=NOW, actor="U1")
