"""Requests: opening, changing, deadlines, messages, pauses; every change audited in the same transaction."""

import os
import signal
from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from storage import audit
from storage.engine import Database
from storage.errors import InvalidValueError, NotFoundError
from storage.kinds import DeadlineState, TicketKind, TicketStatus
from storage.tables import AuditEvent, Message, Ticket, TicketDeadline
from storage.tickets import (
    DeadlineValue,
    add_attachment,
    add_message,
    change_ticket,
    deadlines_of,
    end_pause,
    find_ticket,
    get_ticket,
    messages_of,
    open_ticket,
    pauses_of,
    set_deadlines,
    start_pause,
)
from tests.storage.helpers import NOW, start_worker

HOUR = timedelta(hours=1)


def test_opening_a_request_numbers_it_and_audits_it(db: Database) -> None:
    with db.write() as session:
        first = open_ticket(session, kind="incident", actor="U1", now=NOW, description="it is down")
        second = open_ticket(session, kind="question", actor="U2", now=NOW + HOUR, missing_fields=["contact_phone"])
    assert (first.sr, second.sr) == ("SR-000001", "SR-000002")
    assert first.kind is TicketKind.INCIDENT
    assert first.status is TicketStatus.INTAKE
    assert second.missing_fields == ("contact_phone",)
    with db.read() as session:
        (event,) = audit.trail(session, first.id)
    assert (event.actor, event.action, event.at) == ("U1", "ticket.opened", NOW)
    assert event.after == {"sr": "SR-000001", "kind": "incident", "status": "intake", "description": "it is down"}


def test_a_change_audits_only_what_changed(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW, priority="P3", plan="basic")
    with db.write() as session:
        changed = change_ticket(
            session,
            ticket.id,
            {"priority": "P1", "plan": "basic", "occurred_at": NOW - HOUR},
            actor="U9",
            now=NOW + HOUR,
            action="ticket.priority_changed",
        )
        change_ticket(session, ticket.id, {"priority": "P1"}, actor="U9", now=NOW + 2 * HOUR)  # no change
    assert (changed.priority, changed.updated_at, changed.occurred_at) == ("P1", NOW + HOUR, NOW - HOUR)
    with db.read() as session:
        events = audit.trail(session, ticket.id)
    assert [event.action for event in events] == ["ticket.opened", "ticket.priority_changed"]
    assert events[1].before == {"priority": "P3", "occurred_at": None}
    assert events[1].after == {"priority": "P1", "occurred_at": "2026-11-23T08:00:00+00:00"}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "complaint"}, "not a TicketKind"),
        ({"status": "done"}, "not a TicketStatus"),
        ({"sr_number": 7}, "cannot set sr_number"),
        ({"opened_at": NOW}, "cannot set opened_at"),
    ],
)
def test_a_change_outside_the_schema_is_refused_and_nothing_is_written(
    db: Database, changes: dict[str, object], message: str
) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
    with pytest.raises(InvalidValueError, match=message), db.write() as session:
        change_ticket(session, ticket.id, changes, actor="U1", now=NOW)
    with db.read() as session:
        assert len(audit.trail(session, ticket.id)) == 1


def test_a_missing_ticket_is_reported(db: Database) -> None:
    with pytest.raises(NotFoundError, match="no ticket with id 42"), db.read() as session:
        get_ticket(session, 42)


def test_requests_are_found_by_number_and_by_thread(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(
            session,
            kind="defect",
            actor="U1",
            now=NOW,
            slack_channel="C1",
            slack_thread_ts="1.2",
            email_thread_id="<a@b>",
        )
    with db.read() as session:
        assert find_ticket(session, sr_number=1) == ticket
        assert find_ticket(session, slack_thread=("C1", "1.2")) == ticket
        assert find_ticket(session, email_thread_id="<a@b>") == ticket
        assert find_ticket(session, slack_thread=("C1", "9.9")) is None


def test_deadlines_are_stored_per_target_and_changes_audited(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="defect", actor="U1", now=NOW)
        response = DeadlineValue("response", NOW + HOUR, started_at=NOW)
        fix = DeadlineValue("fix", None, started_at=NOW)  # "as seen fit": no deadline
        set_deadlines(session, ticket.id, [response, fix], next_change_at=NOW + HOUR / 2, actor="system", now=NOW)
    with db.write() as session:  # the first reply: response met, nothing else changes
        met = DeadlineValue("response", NOW + HOUR, DeadlineState.MET, NOW, NOW + HOUR / 4)
        set_deadlines(session, ticket.id, [met, fix], next_change_at=None, actor="U9", now=NOW + HOUR / 4)
        set_deadlines(session, ticket.id, [met], next_change_at=None, actor="U9", now=NOW + HOUR)  # nothing new
    with db.read() as session:
        assert deadlines_of(session, ticket.id) == [met, fix]
        assert get_ticket(session, ticket.id).next_change_at is None
        events = audit.trail(session, ticket.id)
    assert [event.action for event in events] == ["ticket.opened", "ticket.deadlines_set", "ticket.deadlines_set"]
    assert events[2].before == {
        "response": {
            "due_at": "2026-11-23T10:00:00+00:00",
            "state": "running",
            "started_at": "2026-11-23T09:00:00+00:00",
            "stopped_at": None,
        },
        "next_change_at": "2026-11-23T09:30:00+00:00",
    }
    assert events[2].after is not None
    assert events[2].after["response"]["state"] == "met"


def test_messages_are_kept_in_order_and_audited_without_their_text(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="question", actor="U1", now=NOW)
        add_message(
            session,
            ticket.id,
            author="U9",
            author_role="agent",
            public=False,
            channel="slack",
            text="note",
            at=NOW + HOUR,
        )
        add_message(
            session, ticket.id, author="U1", author_role="requester", public=True, channel="email", text="hi", at=NOW
        )
    with db.read() as session:
        messages = messages_of(session, ticket.id)
        events = audit.trail(session, ticket.id)
    assert [(m.text, m.public, m.at) for m in messages] == [("hi", True, NOW), ("note", False, NOW + HOUR)]
    assert all("note" not in str(event.after) for event in events)


def test_an_unknown_author_role_is_refused(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="question", actor="U1", now=NOW)
    with pytest.raises(InvalidValueError, match="AuthorRole"), db.write() as session:
        add_message(session, ticket.id, author="U1", author_role="boss", public=True, channel="slack", text="x", at=NOW)


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


def test_an_attachment_is_recorded_and_audited(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW)
        add_attachment(
            session, ticket.id, name="a.png", size=3, content_type="image/png", sha256="0" * 64,
            stored_path="00/" + "0" * 64, actor="U1", now=NOW,
        )  # fmt: skip
        (_, event) = audit.trail(session, ticket.id)
    assert event.action == "ticket.attachment_added"
    assert event.after is not None
    assert event.after["name"] == "a.png"


def test_a_process_killed_while_writing_leaves_no_half_written_request(database_url: str, db: Database) -> None:
    worker = start_worker("crash", database_url)
    assert worker.stdout is not None
    committed = [int(worker.stdout.readline()) for _ in range(30)]  # wait until it has written some
    os.kill(worker.pid, signal.SIGKILL)
    worker.communicate()
    with db.read() as session:
        tickets = list(session.exec(select(Ticket).order_by(col(Ticket.sr_number))))
        opened, messages, deadlines = (
            dict(session.exec(select(model.ticket_id, func.count()).group_by(col(model.ticket_id))).all())
            for model in (AuditEvent, Message, TicketDeadline)
        )
        counter = session.connection().exec_driver_sql("SELECT value FROM counter WHERE name = 'sr'").scalar()
    numbers = [ticket.sr_number for ticket in tickets]
    assert numbers[: len(committed)] == committed
    assert numbers == list(range(1, len(numbers) + 1))
    assert counter == len(numbers)
    ids = {ticket.id for ticket in tickets}
    assert opened == dict.fromkeys(ids, 3)  # opened, message added, deadlines set: all or nothing
    assert messages == dict.fromkeys(ids, 1)
    assert deadlines == dict.fromkeys(ids, 1)
