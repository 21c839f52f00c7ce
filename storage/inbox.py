"""The inbox: every received event, stored before it is acknowledged, processed exactly once in effect.

Rules:
- `receive` stores a row under its unique key and tells whether it was new; a duplicate key is dropped.
- `receive_all` stores several arrivals in one transaction of its own, rows identical to `receive`'s and in the
  given order; within the list, as across transactions, only the first arrival of a key is new. All or nothing: it
  raises (a StorageError when the database fails) and stores none. It is the receiver's hot path, so its INSERT
  ... ON CONFLICT DO NOTHING is compiled once per dialect with the columns' own bind processors (the same JSON and
  UTC conversions as the ORM) and run on the driver's cursor: a transaction costs a third of a Core one.
- `claim_inbox` leases pending rows (and rows whose lease expired) in id order, never a row while an earlier
  row of the same conversation is pending or being processed, so a conversation is handled in order.
- The worker does its work and `complete_inbox` in one transaction: the effects and "done" commit together,
  and a worker that lost its lease gets LeaseLostError, which rolls its effects back.
- A pending row is claimed only once its `next_try_at` has come: `retry_inbox` puts a failed row back until then
  (attempts were counted at claim time), so a row Slack refused waits without blocking other conversations (an
  earlier row of its own conversation still keeps the later ones waiting: order first). `kill_inbox` marks a
  row dead, so one poisonous event never blocks the queue for good.
- `claim_inbox(prefixes=...)` takes only rows whose key starts with one of `prefixes` (the worker's way of taking
  what holds a Slack trigger first). `renew_inbox` extends the lease of rows still being worked on, so a lease
  can be short (a crashed worker's rows are taken again within seconds) and never run out under live work.
"""

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, or_, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.columns import to_utc
from storage.engine import Database
from storage.kinds import InboxState
from storage.leases import Lease, claim_rows, finish_row, renew_rows, state_counts
from storage.tables import InboxItem
from storage.upsert import insert_unless_present

ACTIVE = (InboxState.PENDING.value, InboxState.PROCESSING.value)


@dataclass(frozen=True)
class InboxClaim:
    id: int
    key: str
    source: str
    conversation: str
    payload: dict[str, Any]
    attempts: int  # including this one
    received_at: datetime
    lease: Lease


@dataclass(frozen=True)
class Arrival:
    """One received event to store: what `receive` takes, as a value."""

    key: str
    source: str
    conversation: str
    payload: dict[str, Any]
    now: datetime


def receive(
    session: Session, *, key: str, source: str, conversation: str, payload: dict[str, Any], now: datetime
) -> bool:
    """Stores a received event; False when its key was already stored (a duplicate delivery)."""
    values = _row(Arrival(key, source, conversation, payload, now))
    return insert_unless_present(session, InboxItem, values, ["key"])


def receive_all(database: Database, arrivals: Sequence[Arrival]) -> list[bool]:
    """Stores `arrivals` in one transaction; for each, whether it was new (a stored or earlier key is not)."""
    first: dict[str, int] = {}
    for index, arrival in enumerate(arrivals):
        first.setdefault(arrival.key, index)
    rows = [_row(arrivals[index]) for index in first.values()]
    inserted: set[str] = set()
    if rows:
        with database.reporting_errors(), database.engine.connect() as connection:
            inserted = _insert_new(connection, rows)
    return [first[arrival.key] == index and arrival.key in inserted for index, arrival in enumerate(arrivals)]


_ROW_COLUMNS = ("key", "source", "conversation", "payload", "state", "attempts", "received_at")  # what _row sets


def _row(arrival: Arrival) -> dict[str, Any]:
    return {
        "key": arrival.key,
        "source": arrival.source,
        "conversation": arrival.conversation,
        "payload": arrival.payload,
        "state": InboxState.PENDING.value,
        "attempts": 0,
        "received_at": to_utc(arrival.now),
    }


@dataclass(frozen=True)
class _CompiledInsert:
    """INSERT ... ON CONFLICT (key) DO NOTHING RETURNING key, compiled for one dialect with its bind processors."""

    sql: str
    names: tuple[str, ...]  # the parameters in the order a positional driver takes them
    processors: dict[str, Callable[[Any], Any]]
    positional: bool
    begin: str | None  # SQLite's driver runs without transactions of its own (storage.engine): BEGIN IMMEDIATE

    def parameters(self, row: dict[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        values = {
            name: self.processors[name](value) if name in self.processors else value for name, value in row.items()
        }
        return tuple(values[name] for name in self.names) if self.positional else values


@lru_cache(maxsize=8)  # one per engine in use: a few
def _compiled_insert(dialect: Dialect) -> _CompiledInsert:
    table = InboxItem.__table__  # type: ignore[attr-defined]
    names = _ROW_COLUMNS
    insert = (postgresql if dialect.name == "postgresql" else sqlite).insert
    statement = insert(table).values({name: bindparam(name) for name in names})
    compiled = statement.on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key).compile(dialect=dialect)
    processors = {}
    for name in names:
        processor = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if processor is not None:
            processors[name] = processor
    order = tuple(compiled.positiontup or names)
    begin = "BEGIN IMMEDIATE" if dialect.name == "sqlite" else None
    return _CompiledInsert(compiled.string, order, processors, dialect.positional, begin)


def _insert_new(connection: Connection, rows: list[dict[str, Any]]) -> set[str]:
    """Inserts `rows` in one transaction on the driver's connection; the keys it stored. A driver error is raised
    as SQLAlchemy's (so `Database.reporting_errors` names it) after a rollback."""
    insert = _compiled_insert(connection.dialect)
    driver = connection.connection.dbapi_connection
    assert driver is not None
    cursor = driver.cursor()
    try:
        if insert.begin is not None:
            cursor.execute(insert.begin)
        stored: set[str] = set()
        for row in rows:
            cursor.execute(insert.sql, insert.parameters(row))
            stored.update(key for (key,) in cursor.fetchall())
        driver.commit()
        return stored
    except BaseException as error:
        with suppress(Exception):  # a connection too broken to roll back is dropped by the pool on its return
            driver.rollback()
        base = connection.dialect.loaded_dbapi.Error
        if isinstance(error, base):
            raise DBAPIError.instance(insert.sql, None, error, base, dialect=connection.dialect) from error
        raise
    finally:
        cursor.close()


def claim_inbox(
    database: Database,
    *,
    now: datetime,
    lease_for: timedelta,
    limit: int = 20,
    source: str | None = None,
    prefixes: Sequence[str] = (),
) -> list[InboxClaim]:
    """Leases up to `limit` rows that may be processed now (whose key starts with one of `prefixes`, if given),
    oldest first."""
    state, row_id = col(InboxItem.state), col(InboxItem.id)
    earlier = aliased(InboxItem)
    blocked = exists().where(
        col(earlier.conversation) == col(InboxItem.conversation),
        col(earlier.state).in_(ACTIVE),
        col(earlier.id) < row_id,
    )
    due = or_(col(InboxItem.next_try_at).is_(None), col(InboxItem.next_try_at) <= to_utc(now))
    ready = or_(
        and_(state == InboxState.PENDING.value, due),
        and_(state == InboxState.PROCESSING.value, col(InboxItem.lease_until) <= to_utc(now)),
    )
    keys = or_(*(col(InboxItem.key).startswith(prefix, autoescape=True) for prefix in prefixes)) if prefixes else true()
    eligible = and_(ready, ~blocked, keys, true() if source is None else col(InboxItem.source) == source)
    rows, lease = claim_rows(
        database,
        InboxItem,
        eligible=eligible,
        order_by=[row_id],
        limit=limit,
        now=now,
        lease_for=lease_for,
        also_set={"state": InboxState.PROCESSING.value, "attempts": col(InboxItem.attempts) + 1},
        returning=[
            row_id,
            col(InboxItem.key),
            col(InboxItem.source),
            col(InboxItem.conversation),
            col(InboxItem.payload),
            col(InboxItem.attempts),
            col(InboxItem.received_at),
        ],
        sort_key=lambda row: row.id,
    )
    return [InboxClaim(**row._asdict(), lease=lease) for row in rows]


def complete_inbox(session: Session, claim: InboxClaim, *, now: datetime) -> None:
    """Marks a claimed row done, in the caller's transaction; LeaseLostError if the lease was lost."""
    values = {"state": InboxState.DONE.value, "processed_at": to_utc(now), "last_error": None}
    finish_row(session, InboxItem, claim.id, claim.lease, values)


def retry_inbox(session: Session, claim: InboxClaim, *, error: str, at: datetime) -> None:
    """Gives a row back after a failure, to be claimed again at `at` (not before)."""
    values = {"state": InboxState.PENDING.value, "last_error": error[:2000], "next_try_at": to_utc(at)}
    finish_row(session, InboxItem, claim.id, claim.lease, values)


def kill_inbox(session: Session, claim: InboxClaim, *, error: str) -> None:
    """Marks a row that failed for good dead (it stays visible in `frontdesk status`)."""
    finish_row(session, InboxItem, claim.id, claim.lease, {"state": InboxState.DEAD.value, "last_error": error[:2000]})


def renew_inbox(database: Database, claims: Sequence[InboxClaim], *, until: datetime) -> int:
    """Extends the lease of `claims` still held (same token, still processing) to `until`; how many were."""
    held = [(claim.id, claim.lease) for claim in claims]
    return renew_rows(database, InboxItem, held, state=InboxState.PROCESSING.value, until=until)


def inbox_counts(session: Session) -> dict[InboxState, int]:
    """How many rows are in each state (for `frontdesk status`)."""
    return state_counts(session, InboxItem, InboxState)


@dataclass(frozen=True)
class InboxRecord:
    """A stored row as `frontdesk status` and the tests read it."""

    id: int
    key: str
    conversation: str
    state: InboxState
    payload: dict[str, Any]
    received_at: datetime


def inbox_rows(session: Session, *, limit: int = 100) -> list[InboxRecord]:
    """The oldest `limit` rows, in the order they were received."""
    statement = select(InboxItem).order_by(col(InboxItem.id)).limit(limit)
    return [
        InboxRecord(row.id, row.key, row.conversation, InboxState(row.state), row.payload, row.received_at)  # type: ignore[arg-type]
        for row in session.exec(statement)
    ]


def oldest_pending(session: Session) -> datetime | None:
    """When the oldest row still waiting to be processed was received (for `frontdesk status`)."""
    statement = select(func.min(InboxItem.received_at)).where(col(InboxItem.state) == InboxState.PENDING.value)
    return session.exec(statement).one()
