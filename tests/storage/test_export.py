"""The export: one JSON object per request with timestamps, deadlines, pauses and audit trail."""

import io
import json
from datetime import timedelta

from storage.deadlines import DeadlineValue, set_deadlines
from storage.engine import Database
from storage.export import export_requests, write_export
from storage.pauses import end_pause, start_pause
from storage.people import save_customer
from storage.tickets import change_ticket, open_ticket
from tests.storage.helpers import NOW

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def _history(db: Database) -> None:
    with db.write() as session:
        acme = save_customer(session, name="Acme", plan="plus", actor="config", now=NOW - 10 * DAY)
        old = open_ticket(session, kind="question", actor="U1", now=NOW - 10 * DAY)
        ticket = open_ticket(
            session, kind="incident", actor="U1", now=NOW, customer_id=acme.id, priority="P2", plan="plus"
        )
        deadline = DeadlineValue("response", NOW + HOUR, started_at=NOW)
        set_deadlines(session, ticket.id, [deadline], next_change_at=NOW + HOUR / 2, actor="system", now=NOW)
        start_pause(session, ticket.id, actor="U9", now=NOW + HOUR / 4, reason="logs")
        end_pause(session, ticket.id, actor="U1", now=NOW + HOUR / 2)
        change_ticket(session, ticket.id, {"status": "resolved", "resolved_at": NOW + HOUR}, actor="U9", now=NOW + HOUR)
        assert old.sr_number == 1


def test_requests_changed_since_the_date_are_exported_with_their_history(db: Database) -> None:
    _history(db)
    with db.read() as session:
        (request,) = list(export_requests(session, NOW - DAY))
    assert request["sr"] == "SR-000002"
    assert (request["kind"], request["status"], request["priority"], request["plan"]) == (
        "incident", "resolved", "P2", "plus",
    )  # fmt: skip
    assert request["customer"] == "Acme"
    assert request["opened_at"] == "2026-11-23T09:00:00+00:00"
    assert request["resolved_at"] == "2026-11-23T10:00:00+00:00"
    assert request["deadlines"] == [
        {
            "target": "response",
            "started_at": "2026-11-23T09:00:00+00:00",
            "due_at": "2026-11-23T10:00:00+00:00",
            "state": "running",
            "stopped_at": None,
        }
    ]
    assert request["pauses"] == [
        {"started_at": "2026-11-23T09:15:00+00:00", "ended_at": "2026-11-23T09:30:00+00:00", "reason": "logs"}
    ]
    assert [event["action"] for event in request["audit"]] == [
        "ticket.opened", "ticket.deadlines_set", "ticket.paused", "ticket.resumed", "ticket.changed",
    ]  # fmt: skip
    assert request["audit"][-1]["before"] == {"status": "intake", "resolved_at": None}


def test_the_export_is_json_lines_in_sr_order(db: Database) -> None:
    _history(db)
    output = io.StringIO()
    assert write_export(db, NOW - 30 * DAY, output) == 2
    lines = output.getvalue().splitlines()
    assert [json.loads(line)["sr"] for line in lines] == ["SR-000001", "SR-000002"]


def test_many_requests_are_exported_in_batches(db: Database) -> None:
    with db.write() as session:
        for _ in range(1203):
            open_ticket(session, kind="question", actor="U1", now=NOW)
    with db.read() as session:
        numbers = [request["sr_number"] for request in export_requests(session, NOW)]
    assert numbers == list(range(1, 1204))
