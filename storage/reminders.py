"""The reminder ledger: which reminders were said, so each is said once.

Rules: `record_new` adds the keys not recorded yet and returns those, in the caller's transaction, in one
statement (storage.upsert `insert_new`): the database tells which keys are new, never a read before the write,
so a key being recorded by a concurrent transaction is waited for and then skipped (or recorded, if that one
rolled back), and a key is never returned twice. Keys are at most 255 characters.
`forget` removes keys, so what they name may be said again (a dead letter retried by hand that dies again is
alerted again).
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.tables import ReminderSent
from storage.upsert import insert_new


def was_recorded(session: Session, key: str) -> bool:
    """Whether `key` was recorded already."""
    return session.exec(select(ReminderSent.key).where(col(ReminderSent.key) == key)).first() is not None


def record_new(session: Session, reminders: Iterable[tuple[str, int | None]], *, now: datetime) -> list[str]:
    """Records the `(key, ticket id)` pairs not recorded yet; their keys, in the order given."""
    given = list(dict(reminders).items())
    if not given:
        return []
    rows = [{"key": key, "ticket_id": ticket, "at": to_utc(now)} for key, ticket in given]
    stored = insert_new(session, ReminderSent, rows, "key")
    return [key for key, _ in given if key in stored]


def forget(session: Session, keys: Iterable[str]) -> None:
    """The `keys` are no longer recorded: what they name is said again when it happens again."""
    session.exec(delete(ReminderSent).where(col(ReminderSent.key).in_(list(keys))))
