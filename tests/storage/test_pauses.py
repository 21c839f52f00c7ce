"""Pauses: one at a time per request, started and ended with their audit events."""

from datetime import timedelta

import pytest

from storage import audit
from storage.engine import Database
from storage.errors import InvalidValueError
from storage.pauses import end_pause, pauses_of, start_pause
from storage.tickets import open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)


def test_pauses_start_and_end_once(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
        start_pause(session, ticket.id, actor="U9", now=NOW, reason="waiting for logs")
    with pytest.raises(InvalidValueError, match="already paused"), db.write() as session:
        start_pause(session, ticket.id, actor="U9", now=NOW + HOUR)
    with db.write() as session:
        assert end_pause(session, ticket.id, actor="U1", now=NOW + 2 * HOUR) is not None
        assert end_pause(session, ticket.id, actor="U1", now=NOW + 3 * HOUR) is None
        (pause,) = pauses_of(session, ticket.id)
        actions = [event.action for event in audit.trail(session, ticket.id)]
    assert (pause.started_at, pause.ended_at, pause.reason) == (NOW, NOW + 2 * HOUR, "waiting for logs")
    assert actions == ["ticket.opened", "ticket.paused", "ticket.resumed"]
