"""Claiming rows for a worker, with a lease; shared by the inbox, the outbox and the ticket sweeps.

Rules:
- A claim is its own short transaction of one statement, committed before the claimed rows are returned:
  the rows are then leased to the caller until `now + lease_for`, and the lease's token is written on them.
- PostgreSQL: the candidate rows are selected `FOR UPDATE SKIP LOCKED`, so concurrent claimers never wait for
  or get each other's rows. SQLite: the write transaction begins IMMEDIATE, so claimers run one at a time.
- `renew_rows` extends the leases a worker still holds while it works, so leases can be short.
- A claimed row whose lease expired is eligible again (the eligibility condition of each queue says so); only
  the holder of the token on the row may finish it, anyone else gets LeaseLostError.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from uuid import uuid4

from sqlalchemy import ColumnElement, and_, func, or_, update
from sqlmodel import Session, SQLModel, col, select

from storage.columns import to_utc
from storage.engine import Database
from storage.errors import LeaseLostError

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Lease:
    """A worker's hold on claimed rows: its token, and the instant after which others may claim them."""

    token: str
    until: datetime


def claim_rows(
    database: Database,
    model: type[SQLModel],
    *,
    eligible: ColumnElement[bool],
    order_by: list[Any],
    limit: int,
    now: datetime,
    lease_for: timedelta,
    returning: list[Any],
    sort_key: Callable[[Any], Any],
    lease_columns: tuple[str, str] = ("lease_until", "lease_token"),
    also_set: dict[str, Any] | None = None,
) -> tuple[list[Any], Lease]:
    """Leases up to `limit` eligible rows of `model` to the caller; returns the `returning` columns of each
    (sorted by `sort_key`) and the lease.

    One statement: UPDATE ... WHERE id IN (SELECT id ... ORDER BY ... LIMIT n FOR UPDATE SKIP LOCKED)
    RETURNING ..., so a claim costs one round trip and one commit.
    """
    until_column, token_column = lease_columns
    lease = Lease(token=uuid4().hex, until=to_utc(now) + lease_for)
    row_id = col(model.id)  # type: ignore[attr-defined]
    candidates = (
        select(row_id)
        .where(eligible)
        .order_by(*order_by)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .correlate(None)  # the subquery reads the table itself, not the row being updated
    )
    values = {until_column: lease.until, token_column: lease.token, **(also_set or {})}
    statement = update(model).where(row_id.in_(candidates)).values(**values).returning(*returning)
    with database.write() as session:
        rows = list(session.connection().execute(statement))
    return sorted(rows, key=sort_key), lease


def renew_rows(
    database: Database, model: type[SQLModel], held: Sequence[tuple[int, Lease]], *, state: str, until: datetime
) -> int:
    """Extends to `until` the lease of each (row id, lease) in `held` still held: the same token, still in
    `state`. Returns how many were; a row claimed again by another worker keeps that worker's lease."""
    if not held:
        return 0
    mine = [and_(col(model.id) == row_id, col(model.lease_token) == lease.token) for row_id, lease in held]  # type: ignore[attr-defined]
    statement = (
        update(model)
        .where(col(model.state) == state, or_(*mine))  # type: ignore[attr-defined]
        .values(lease_until=to_utc(until))
    )
    with database.write() as session:
        return int(session.exec(statement).rowcount)


def state_counts(session: Session, model: type[SQLModel], states: type[S]) -> dict[S, int]:
    """How many rows of a queue are in each state (every state present, zero when none)."""
    state = col(model.state)  # type: ignore[attr-defined]
    counts = dict.fromkeys(states, 0)
    counts.update(
        {states(value): number for value, number in session.exec(select(state, func.count()).group_by(state))}
    )
    return counts


def finish_row(
    session: Session,
    model: type[SQLModel],
    row_id: int,
    lease: Lease,
    values: dict[str, Any],
    lease_columns: tuple[str, str] = ("lease_until", "lease_token"),
) -> None:
    """Writes `values` on a claimed row and ends the lease; LeaseLostError if another worker holds it now."""
    until_column, token_column = lease_columns
    statement = (
        update(model)
        .where(col(model.id) == row_id, getattr(model, token_column) == lease.token)  # type: ignore[attr-defined]
        .values(**{until_column: None, token_column: None, **values})
    )
    if session.exec(statement).rowcount != 1:
        raise LeaseLostError(f"{model.__tablename__} row {row_id} was claimed again after its lease expired")
