"""The reminder ledger: each key recorded once, whatever the batches."""

from storage.engine import Database
from storage.reminders import record_new
from storage.tickets import open_ticket
from tests.storage.helpers import NOW


def test_a_key_is_new_once(db: Database) -> None:
    with db.write() as session:
        ticket = open_ticket(session, kind="incident", actor="U1", now=NOW).id
        assert record_new(session, [("a", ticket), ("b", ticket)], now=NOW) == ["a", "b"]
    with db.write() as session:
        assert record_new(session, [("b", ticket), ("c", None), ("c", None)], now=NOW) == ["c"]
        assert record_new(session, [], now=NOW) == []
