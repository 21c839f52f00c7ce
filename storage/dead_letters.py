"""What a person does with dead letters (outbox rows that could not be delivered): try them again, or dismiss them.

Rules:
- `retry` puts a dead row back to pending, due at `now`, its attempts reset to zero and its lease cleared, so the
  delivery worker tries it afresh; `retry_all` does so with every dead row, oldest first.
- The agents are alerted once per death of a row: `alert_key(id)` is the reminder-ledger key of that alert, and
  `retry` forgets it, so a row retried by hand that dies again is alerted again.
- `dismiss` keeps a dead row as dismissed: not sent, no longer counted as dead (`frontdesk status` exits 0 for it),
  still there to read.
- Each change is audited in its transaction (`outbox.retried`, `outbox.dismissed`, subject `outbox:<id>`), with
  the state, attempts and error it had before.
- A row that does not exist raises NotFoundError; a row that is not dead raises InvalidValueError naming its state.
"""

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage import audit, reminders
from storage.columns import to_utc
from storage.errors import InvalidValueError, NotFoundError
from storage.kinds import OutboxState
from storage.tables import OutboxItem

DEAD = OutboxState.DEAD.value


def alert_key(row_id: int) -> str:
    """The reminder-ledger key of the agents' alert about dead letter `row_id`."""
    return f"dead:{row_id}"


def retry(session: Session, row_id: int, *, actor: str, now: datetime) -> None:
    """Dead letter `row_id` is pending again, with its attempts reset."""
    row = _dead(session, row_id)
    values = {"state": OutboxState.PENDING.value, "attempts": 0, "next_try_at": to_utc(now), "lease_until": None,
              "lease_token": None, "last_error": None}  # fmt: skip
    _change(session, row, values, actor=actor, action="outbox.retried", now=now)
    reminders.forget(session, [alert_key(row_id)])


def retry_all(session: Session, *, actor: str, now: datetime) -> list[int]:
    """Every dead letter is pending again, oldest first; their ids."""
    statement = select(OutboxItem.id).where(col(OutboxItem.state) == DEAD).order_by(col(OutboxItem.id))
    ids = [row_id for row_id in session.exec(statement) if row_id is not None]
    for row_id in ids:
        retry(session, row_id, actor=actor, now=now)
    return ids


def dismiss(session: Session, row_id: int, *, actor: str, now: datetime) -> None:
    """Dead letter `row_id` is kept as dismissed: never sent, no longer counted as dead."""
    row = _dead(session, row_id)
    _change(session, row, {"state": OutboxState.DISMISSED.value}, actor=actor, action="outbox.dismissed", now=now)


def _dead(session: Session, row_id: int) -> OutboxItem:
    row = session.get(OutboxItem, row_id)
    if row is None:
        raise NotFoundError(f"there is no outbox message #{row_id}")
    if row.state != DEAD:
        raise InvalidValueError(f"outbox message #{row_id} is {row.state}, not a dead letter")
    return row


def _change(
    session: Session, row: OutboxItem, values: dict[str, object], *, actor: str, action: str, now: datetime
) -> None:
    before = {"state": row.state, "attempts": row.attempts, "last_error": row.last_error}
    session.exec(update(OutboxItem).where(col(OutboxItem.id) == row.id, col(OutboxItem.state) == DEAD).values(**values))
    after: dict[str, object] = {name: values[name] for name in ("state", "attempts") if name in values}
    audit.record(session, actor=actor, action=action, at=now, subject=f"outbox:{row.id}", before=before, after=after)
