"""The update cycles of a request (sla.cycles), stored for reports, and their figures for a period.

Rules: `set_cycles` makes the ticket's stored cycles exactly the ones given, in the caller's transaction: new ones
added, changed ones updated, ones no longer decided (a log rewritten by a reopening) removed; writing the same
cycles writes nothing. With `since`, only the stored cycles decided at or after it are compared and replaced
(an incremental recompute, sla.cycles), and the older ones are left as they are. `latest_decided` and
`last_before` give what such a recompute resumes from. A cycle counts in the period in which it was decided
(`decided_at` in [start, end): met at its update, missed at its end), grouped by target, priority and plan; the
scope's plan and customer apply.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlmodel import Session, col

from sla.cycles import Cycle
from storage.columns import to_utc
from storage.reports import Scope
from storage.tables import Ticket, UpdateCycle


@dataclass(frozen=True)
class CycleFigures:
    """A period's cycles of one group (target, priority, plan): how many were decided and how many met."""

    group: tuple[str, str, str]
    count: int
    met: int

    @property
    def percent(self) -> float:
        return 100.0 * self.met / self.count if self.count else 100.0


def latest_decided(session: Session, ticket_id: int) -> datetime | None:
    """When the ticket's latest stored cycle was decided; None without any."""
    statement = select(func.max(col(UpdateCycle.decided_at))).where(col(UpdateCycle.ticket_id) == ticket_id)
    found = session.execute(statement).scalar_one_or_none()
    return None if found is None else to_utc(found)


def last_before(session: Session, ticket_id: int, before: datetime) -> dict[str, Cycle]:
    """Each target's latest stored cycle decided before `before` (one indexed row per target)."""
    earlier = [col(UpdateCycle.ticket_id) == ticket_id, col(UpdateCycle.decided_at) < to_utc(before)]
    targets = session.execute(select(col(UpdateCycle.target)).where(*earlier).distinct()).scalars().all()
    found: dict[str, Cycle] = {}
    for target in targets:
        statement = (
            select(UpdateCycle)
            .where(*earlier, col(UpdateCycle.target) == target)
            .order_by(col(UpdateCycle.decided_at).desc(), col(UpdateCycle.due_at).desc())
            .limit(1)
        )
        row = session.execute(statement).scalars().one()
        met_at = None if row.met_at is None else to_utc(row.met_at)
        found[target] = Cycle(target, to_utc(row.started_at), to_utc(row.due_at), met_at, row.priority, row.plan)
    return found


def tickets_without_cycles(session: Session, *, after: int, limit: int) -> list[int]:
    """The ids of requests past intake (completed) that have no stored cycle, above `after`, in id order."""
    stored = select(col(UpdateCycle.id)).where(col(UpdateCycle.ticket_id) == col(Ticket.id)).exists()
    statement = (
        select(col(Ticket.id))
        .where(col(Ticket.completed_at).is_not(None), col(Ticket.id) > after, ~stored)
        .order_by(col(Ticket.id))
        .limit(limit)
    )
    return [int(ticket_id) for ticket_id in session.execute(statement).scalars()]


def set_cycles(session: Session, ticket_id: int, cycles: Sequence[Cycle], *, since: datetime | None = None) -> None:
    """Stores exactly `cycles` as the ticket's decided cycles (with `since`: those decided at or after it)."""
    conditions = [col(UpdateCycle.ticket_id) == ticket_id]
    if since is not None:
        conditions.append(col(UpdateCycle.decided_at) >= to_utc(since))
    stored = {
        (row.target, to_utc(row.due_at)): row
        for row in session.execute(select(UpdateCycle).where(*conditions)).scalars()
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
