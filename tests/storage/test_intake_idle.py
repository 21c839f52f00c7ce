"""Requests left in intake: found by the requester's last message (or the opening), never once out of intake."""

from datetime import timedelta

from storage.engine import Database
from storage.intake_idle import idle_intake, idle_since
from storage.messages import add_message
from storage.tickets import change_ticket, lock_ticket, open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)


def _open(db: Database, at=NOW) -> int:
    with db.write() as session:
        return open_ticket(session, kind="question", actor="U1", now=at).id


def _say(db: Database, ticket_id: int, at, role: str = "requester", ts: str | None = None) -> int:
    with db.write() as session:
        return add_message(
            session,
            ticket_id,
            author="U1",
            author_role=role,
            public=True,
            channel="slack",
            text="hi",
            at=at,
            slack_ts=ts,
        ).id


def _idle(db: Database, cutoff) -> list[tuple[int, object, int | None, str | None]]:
    with db.read() as session:
        found = idle_intake(session, cutoff=cutoff)
    return [(idle.ticket_id, idle.last_activity_at, idle.last_message_id, idle.last_message_ts) for idle in found]


def test_the_last_requester_message_is_the_activity_the_longest_idle_first(db: Database) -> None:
    first, second = _open(db), _open(db)
    _say(db, first, NOW, ts="1.1")
    message = _say(db, first, NOW + 2 * HOUR, ts="1.2")
    _say(db, second, NOW + HOUR, ts="2.1")
    assert _idle(db, NOW + HOUR) == [(second, NOW + HOUR, 3, "2.1")]
    assert _idle(db, NOW + 2 * HOUR) == [(second, NOW + HOUR, 3, "2.1"), (first, NOW + 2 * HOUR, message, "1.2")]


def test_a_request_without_messages_is_idle_since_it_was_opened(db: Database) -> None:
    ticket = _open(db)
    assert _idle(db, NOW - timedelta(seconds=1)) == []
    assert _idle(db, NOW) == [(ticket, NOW, None, None)]


def test_messages_by_agents_and_the_bot_are_no_requester_activity(db: Database) -> None:
    ticket = _open(db)
    _say(db, ticket, NOW + HOUR, role="agent")
    _say(db, ticket, NOW + HOUR, role="bot")
    assert _idle(db, NOW) == [(ticket, NOW, None, None)]


def test_requests_out_of_intake_are_never_idle(db: Database) -> None:
    ticket, closed = _open(db), _open(db)
    with db.write() as session:
        change_ticket(session, closed, {"status": "closed"}, actor="U1", now=NOW)
    assert [found[0] for found in _idle(db, NOW + HOUR)] == [ticket]
    with db.write() as session:
        lock_ticket(session, closed)
        assert idle_since(session, closed) is None


def test_idle_since_reads_one_request_again(db: Database) -> None:
    ticket = _open(db)
    with db.read() as session:
        assert idle_since(session, ticket).last_activity_at == NOW
    message = _say(db, ticket, NOW + HOUR, ts="9.9")
    with db.write() as session:
        lock_ticket(session, ticket)
        again = idle_since(session, ticket)
    assert (again.last_activity_at, again.last_message_id, again.last_message_ts) == (NOW + HOUR, message, "9.9")
