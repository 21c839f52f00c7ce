"""Requests left in intake: found by the last thing a person did on them, never once out of intake."""

from datetime import timedelta

from storage import audit
from storage.engine import Database
from storage.intake_idle import idle_intake, idle_since
from storage.messages import add_message
from storage.tickets import change_ticket, lock_ticket, open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)
BOT = "frontdesk"


def _open(db: Database, at=NOW) -> int:
    with db.write() as session:
        return open_ticket(session, kind="question", actor="U1", now=at).id


def _say(db: Database, ticket_id: int, at, author: str = "U1") -> None:
    with db.write() as session:
        add_message(
            session, ticket_id, author=author, author_role="requester", public=True, channel="slack", text="hi", at=at
        )


def _last_event(db: Database, ticket_id: int) -> int:
    with db.read() as session:
        return audit.trail(session, ticket_id)[-1].id


def _idle(db: Database, cutoff) -> list[tuple[int, object, int | None]]:
    with db.read() as session:
        found = idle_intake(session, cutoff=cutoff, bot_actor=BOT)
    return [(idle.ticket_id, idle.last_activity_at, idle.last_event_id) for idle in found]


def test_the_last_message_is_the_activity_the_longest_idle_first(db: Database) -> None:
    first, second = _open(db), _open(db)
    _say(db, first, NOW)
    _say(db, first, NOW + 2 * HOUR)
    first_event = _last_event(db, first)
    _say(db, second, NOW + HOUR)
    second_event = _last_event(db, second)
    assert _idle(db, NOW + HOUR) == [(second, NOW + HOUR, second_event)]
    assert _idle(db, NOW + 2 * HOUR) == [(second, NOW + HOUR, second_event), (first, NOW + 2 * HOUR, first_event)]


def test_a_request_nobody_touched_is_idle_since_it_was_opened(db: Database) -> None:
    ticket = _open(db)
    opened = _last_event(db, ticket)
    assert _idle(db, NOW - timedelta(seconds=1)) == []
    assert _idle(db, NOW) == [(ticket, NOW, opened)]


def test_an_answer_given_without_a_message_is_activity_and_the_bot_is_not(db: Database) -> None:
    ticket = _open(db)
    with db.write() as session:
        change_ticket(session, ticket, {"impact": "high"}, actor="U1", now=NOW + HOUR)  # a button
    pressed = _last_event(db, ticket)
    _say(db, ticket, NOW + 2 * HOUR, author=BOT)
    with db.write() as session:
        change_ticket(session, ticket, {"slack_thread_ts": "1.1"}, actor=BOT, now=NOW + 3 * HOUR)
    assert _idle(db, NOW + HOUR) == [(ticket, NOW + HOUR, pressed)]


def test_requests_out_of_intake_are_never_idle(db: Database) -> None:
    ticket, closed = _open(db), _open(db)
    with db.write() as session:
        change_ticket(session, closed, {"status": "closed"}, actor="U1", now=NOW)
    assert [found[0] for found in _idle(db, NOW + HOUR)] == [ticket]
    with db.write() as session:
        lock_ticket(session, closed)
        assert idle_since(session, closed, bot_actor=BOT) is None


def test_idle_since_reads_one_request_again(db: Database) -> None:
    ticket = _open(db)
    with db.read() as session:
        assert idle_since(session, ticket, bot_actor=BOT).last_activity_at == NOW
    _say(db, ticket, NOW + HOUR)
    with db.write() as session:
        lock_ticket(session, ticket)
        again = idle_since(session, ticket, bot_actor=BOT)
    assert (again.last_activity_at, again.last_event_id) == (NOW + HOUR, _last_event(db, ticket))
