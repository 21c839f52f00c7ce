"""The update cycles of a request (sla.cycles), stored for reports, and their figures for a period.

Rules: `set_cycles` makes the ticket's stored cycles exactly the ones given, in the caller's transaction: new ones
added, changed ones updated, ones no longer decided (a log rewritten by a reopening) removed; writing the same
cycles writes nothing. A cycle counts in the period in which it was decided (`decided_at` in [start, end): met at
its update, missed at its end), grouped by target, priority and plan; the scope's plan and customer apply.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlmodel import Session, col

from storage.columns import to_utc
from storage.reports import Scope
from storage.tables import Ticket, UpdateCycle


@dataclass(frozen=True)
class CycleValue:
    """One decided period: due at `due_at`, met at `met_at` (None: missed), under `priority` and `plan`."""

    target: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    priority: str
    plan: str


@dataclass(frozen=True)
class CycleFigures:
    """A period's cycles of one group (target, priority, plan): how many were decided and how many met."""

    group: tuple[str, str, str]
    count: int
    met: int

    @property
    def percent(self) -> float:
        return 100.0 * self.met / self.count if self.count else 100.0


def set_cycles(session: Session, ticket_id: int, cycles: Sequence[CycleValue]) -> None:
    """Stores exactly `cycles` as the ticket's decided cycles."""
    stored = {
        (row.target, to_utc(row.due_at)): row
        for row in session.execute(select(UpdateCycle).where(col(UpdateCycle.ticket_id) == ticket_id)).scalars()
    }
    wanted = {(cycle.target, to_utc(cycle.due_at)): cycle for cycle in cycles}
    for key, row in stored.items():
        if key not in wanted:
            session.delete(row)
    for key, cycle in wanted.items():
        values = {
            "started_at": to_utc(cycle.started_at),
            "met_at": None if cycle.met_at is None else to_utc(cycle.met_at),
            "decided_at": to_utc(cycle.met_at or cycle.due_at),
            "priority": cycle.priority,
            "plan": cycle.plan,
        }
        row = stored.get(key)
        if row is not None and all(getattr(row, name) == value for name, value in values.items()):
            continue
        if row is None:
            row = UpdateCycle(
                ticket_id=ticket_id, target=cycle.target, due_at=key[1], started_at=to_utc(cycle.started_at),
                decided_at=to_utc(cycle.met_at or cycle.due_at), priority=cycle.priority, plan=cycle.plan,
            )  # fmt: skip
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
    session.flush()


def cycle_figures(session: Session, scope: Scope) -> list[CycleFigures]:
    """The cycles decided in the scope's period, by target, priority and plan, in that order."""
    met = func.sum(case((col(UpdateCycle.met_at).is_not(None), 1), else_=0))
    statement = (
        select(col(UpdateCycle.target), col(UpdateCycle.priority), col(UpdateCycle.plan), func.count(), met)
        .join(Ticket, col(Ticket.id) == col(UpdateCycle.ticket_id))
        .where(
            col(UpdateCycle.decided_at) >= to_utc(scope.start),
            col(UpdateCycle.decided_at) < to_utc(scope.end),
            *_scoped(scope),
        )
        .group_by(col(UpdateCycle.target), col(UpdateCycle.priority), col(UpdateCycle.plan))
        .order_by(col(UpdateCycle.target), col(UpdateCycle.priority), col(UpdateCycle.plan))
    )
    return [
        CycleFigures((str(target), str(priority), str(plan)), int(count), int(hit or 0))
        for target, priority, plan, count, hit in session.execute(statement)
    ]


def _scoped(scope: Scope) -> list[ColumnElement[bool]]:
    """The scope's plan (the cycle's own) and customer (the request's)."""
    conditions: list[ColumnElement[bool]] = []
    if scope.plan is not None:
        conditions.append(col(UpdateCycle.plan) == scope.plan)
    if scope.customer_id is not None:
        conditions.append(col(Ticket.customer_id) == scope.customer_id)
    return conditions
