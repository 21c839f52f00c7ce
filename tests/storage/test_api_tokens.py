"""The read API's tokens in storage, on SQLite and PostgreSQL: found by hash alone, names unique for ever, revoking
audited once, last use written at most once a minute; and the read queries: fields, deadlines, events, filters,
pages."""

from datetime import timedelta

import pytest
from sqlmodel import col, select

from sla.clocks import State
from storage import api_reads, api_tokens
from storage.deadlines import DeadlineValue, set_deadlines
from storage.engine import Database
from storage.errors import InvalidValueError, NotFoundError
from storage.people import save_customer
from storage.tables import AuditEvent
from storage.ticket_events import record_event
from storage.tickets import change_ticket, open_ticket
from tests.storage.helpers import NOW

HASH_A, HASH_B = "a" * 64, "b" * 64


def _create(db: Database, name: str, token_hash: str = HASH_A) -> api_tokens.TokenRecord:
    with db.write() as session:
        return api_tokens.create_token(session, name=name, token_hash=token_hash, actor="cli", now=NOW)


def test_a_token_is_found_by_its_hash_and_revoked_once(db: Database) -> None:
    created = _create(db, "dashboard")
    assert (created.name, created.created_at, created.last_used_at, created.active) == ("dashboard", NOW, None, True)
    with db.read() as session:
        assert api_tokens.find_token(session, HASH_A) == created
        assert api_tokens.find_token(session, HASH_B) is None
    with db.write() as session:
        revoked = api_tokens.revoke_token(session, "dashboard", actor="cli", now=NOW + timedelta(hours=1))
        again = api_tokens.revoke_token(session, "dashboard", actor="cli", now=NOW + timedelta(hours=2))
    assert revoked.revoked_at == again.revoked_at == NOW + timedelta(hours=1)
    with db.read() as session:
        found = api_tokens.find_token(session, HASH_A)
        actions = [(row.action, row.subject) for row in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]
    assert found is not None
    assert not found.active
    assert actions == [("api_token.created", "api_token:dashboard"), ("api_token.revoked", "api_token:dashboard")]


def test_names_are_unique_for_ever_and_checked(db: Database) -> None:
    _create(db, "dashboard")
    with db.write() as session:
        api_tokens.revoke_token(session, "dashboard", actor="cli", now=NOW)
    with pytest.raises(InvalidValueError, match="exists already"):
        _create(db, "dashboard", HASH_B)
    for bad in ("", "a b", "x" * 65, "naïve", "a/b"):
        with pytest.raises(InvalidValueError, match="not a token name"):
            _create(db, bad, HASH_B)
    with pytest.raises(InvalidValueError, match="64 lower-case hex"):
        _create(db, "other", "A" * 64)
    with db.write() as session, pytest.raises(NotFoundError):
        api_tokens.revoke_token(session, "nobody", actor="cli", now=NOW)
    with db.read() as session:
        assert [token.name for token in api_tokens.tokens(session)] == ["dashboard"]


def test_last_use_is_written_at_most_once_a_minute(db: Database) -> None:
    _create(db, "dashboard")
    with db.write() as session:
        assert api_tokens.mark_used(session, "dashboard", NOW)
        assert not api_tokens.mark_used(session, "dashboard", NOW + timedelta(seconds=59))
        assert api_tokens.mark_used(session, "dashboard", NOW + timedelta(minutes=1))
    with db.read() as session:
        found = api_tokens.find_token(session, HASH_A)
    assert found is not None
    assert found.last_used_at == NOW + timedelta(minutes=1)


def test_a_request_reads_with_its_customer_deadlines_and_events(db: Database) -> None:
    due = NOW + timedelta(hours=4, microseconds=123)
    with db.write() as session:
        acme = save_customer(session, name="Acme", plan="plus", actor="config", now=NOW)
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW, status="open", customer_id=acme.id,
                             priority="P2", plan="plus", contact_email="ann@acme.example",
                             description="Export")  # fmt: skip
        record_event(session, ticket.id, "complete", at=NOW, actor="frontdesk")
        record_event(session, ticket.id, "priority", at=NOW, actor="U9", value="P2")
        set_deadlines(session, ticket.id, [DeadlineValue("response", due, State.RUNNING, NOW),
                                          DeadlineValue("resolution", None, State.RUNNING, NOW)],
                      next_change_at=None, actor="frontdesk", now=NOW)  # fmt: skip
    with db.read() as session:
        detail = api_reads.request_detail(session, ticket.sr_number)
        assert api_reads.request_detail(session, ticket.sr_number + 1) is None
    assert detail is not None
    request = detail.request
    assert (request.sr_number, request.customer, request.priority, request.description) == (1, "Acme", "P2", "Export")
    assert request.deadlines == (
        api_reads.DeadlineRead("response", NOW, due, "running", None),
        api_reads.DeadlineRead("resolution", NOW, None, "running", None),
    )
    assert detail.events == (api_reads.EventRead(NOW, "complete", ""), api_reads.EventRead(NOW, "priority", "P2"))
    assert "contact_email" not in request.__dataclass_fields__


def test_pages_and_filters(db: Database) -> None:
    with db.write() as session:
        for index in range(7):
            opened = open_ticket(session, kind="question", actor="U1", now=NOW + timedelta(hours=index),
                                 status="open", priority="P1" if index % 2 else "P3")  # fmt: skip
        change_ticket(session, 1, {"status": "closed"}, actor="U9", now=NOW + timedelta(days=1))
    assert opened.sr_number == 7
    with db.read() as session:

        def numbers(**query: object) -> list[int]:
            return [request.sr_number for request in api_reads.list_requests(session, **query)]  # type: ignore[arg-type]

        assert numbers() == [1, 2, 3, 4, 5, 6, 7]
        assert numbers(limit=3) == [1, 2, 3]
        assert numbers(after=3, limit=3) == [4, 5, 6]
        assert numbers(after=7) == []
        assert numbers(status="closed") == [1]
        assert numbers(priority="P1") == [2, 4, 6]
        assert numbers(since=NOW + timedelta(hours=5)) == [1, 6, 7]  # SR-000001 changed a day later
        assert numbers(since=NOW + timedelta(hours=5), priority="P3", status="open") == [7]
