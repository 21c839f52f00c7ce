"""The figures of a period's report, as SQL aggregates: the database counts, sorts and ranks; Python gets one row
per group, so memory does not grow with the number of requests.

Rules:
- A target counts in the period in which it was decided (ticket_deadline.decided_at in [start, end)): met at its
  stop, breached at its due instant, cancelled or deferred at its stop. Running targets count nowhere yet; a
  breach counts once, when it happened.
- Compliance is met of decided, where decided (`count`) is met + breached: a target a resolution cancelled or a
  deferral stopped is neither, and is counted apart (`cancelled`, `deferred`), outside the denominator and the
  times.
- Groups are the target and the request's priority, plan and kind (or the target and the assignee). Times are the
  working time each stopped target took on its own calendar (pauses left out); targets decided before the
  figure was kept (migration 0009) count in `count` but not in the times.
- Percentiles are nearest-rank: the value at rank ceil(p x n) of the sorted times (window functions on both
  SQLite and PostgreSQL). The mean is SQL's AVG.
- Drill-down: the SR numbers of breached targets, the first DRILL_DOWN of each group in SR order (the count is
  exact); `frontdesk export` has every request for whoever needs all of them.
- Backlog at the end: requests completed before `end` and neither resolved nor closed before it.
- Satisfaction: the ratings of requests closed in the period.
- The desk's first request: the earliest opening of any request (the scope's plan and customer apply).
- A scope may be narrowed to a plan and to a customer: then nothing of another plan or customer is read.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlmodel import Session, col

from sla.clocks import State
from storage.columns import to_utc
from storage.tables import Agent, Ticket, TicketDeadline

DRILL_DOWN = 100
PERCENTILES = (50, 90)


@dataclass(frozen=True)
class Scope:
    """The period [start, end) in UTC, optionally narrowed to one plan and one customer."""

    start: datetime
    end: datetime
    plan: str | None = None
    customer_id: int | None = None

    def tickets(self) -> list[ColumnElement[bool]]:
        """The conditions on the request itself."""
        conditions: list[ColumnElement[bool]] = []
        if self.plan is not None:
            conditions.append(col(Ticket.plan) == self.plan)
        if self.customer_id is not None:
            conditions.append(col(Ticket.customer_id) == self.customer_id)
        return conditions

    def decided(self) -> list[ColumnElement[bool]]:
        return [
            col(TicketDeadline.decided_at) >= to_utc(self.start),
            col(TicketDeadline.decided_at) < to_utc(self.end),
            *self.tickets(),
        ]


@dataclass(frozen=True)
class TargetFigures:
    """One group's figures: `group` is (target, priority, plan, kind) or (target, assignee)."""

    group: tuple[str | None, ...]
    count: int  # decided: met + breached
    met: int
    breached: int
    timed: int  # how many have a time
    mean_seconds: float | None
    percentiles: dict[int, int] = field(default_factory=dict)  # seconds at each of PERCENTILES
    breached_srs: tuple[int, ...] = ()
    cancelled: int = 0  # stopped by a resolution that cancels the target: outside `count`
    deferred: int = 0  # stopped by a deferral: outside `count`

    @property
    def met_percent(self) -> float | None:
        return None if not self.count else 100.0 * self.met / self.count


@dataclass(frozen=True)
class Satisfaction:
    group: tuple[str | None, ...]
    count: int
    mean: float | None
    scores: dict[int, int]  # how many of each score 1 to 5


def by_terms() -> list[Any]:
    """Target, priority, plan and kind."""
    return [col(TicketDeadline.target), col(Ticket.priority), col(Ticket.plan), col(Ticket.kind)]


def by_agent() -> list[Any]:
    """Target and the assignee's name (or Slack id); unassigned requests have None."""
    return [col(TicketDeadline.target), agent_column()]


def target_figures(session: Session, scope: Scope, keys: Sequence[Any]) -> list[TargetFigures]:
    """Every group's counts, times and drill-down, by group."""
    counts = _counts(session, scope, keys)
    ranks = _percentiles(session, scope, keys)
    breached = _breached(session, scope, keys)
    return [
        TargetFigures(
            group, met + hit, met, hit, timed, mean, ranks.get(group, {}), tuple(breached.get(group, ())), off, later
        )
        for group, (met, hit, off, later, timed, mean) in sorted(counts.items(), key=_sort_key)
    ]


def backlog(session: Session, scope: Scope) -> dict[str | None, int]:
    """Requests open at `scope.end`, by priority."""
    end = to_utc(scope.end)
    statement = (
        select(col(Ticket.priority), func.count())
        .where(
            col(Ticket.completed_at) < end,
            or_(col(Ticket.resolved_at).is_(None), col(Ticket.resolved_at) >= end),
            or_(col(Ticket.closed_at).is_(None), col(Ticket.closed_at) >= end),
            *scope.tickets(),
        )
        .group_by(col(Ticket.priority))
    )
    return {priority: int(count) for priority, count in session.execute(statement)}


def first_request_at(session: Session, scope: Scope) -> datetime | None:
    """When the first request in the scope's plan and customer was opened (the period itself aside); None: none."""
    statement = select(func.min(col(Ticket.opened_at))).where(*scope.tickets())
    first = session.execute(statement).scalar_one_or_none()
    return None if first is None else to_utc(first)


def satisfaction(session: Session, scope: Scope, keys: Sequence[Any] = ()) -> list[Satisfaction]:
    """The ratings of requests closed in the period, by `keys` (none: one group)."""
    statement = (
        select(*keys, col(Ticket.satisfaction_score), func.count())
        .select_from(Ticket)
        .outerjoin(Agent, col(Agent.id) == col(Ticket.assignee_id))
        .where(
            col(Ticket.closed_at) >= to_utc(scope.start),
            col(Ticket.closed_at) < to_utc(scope.end),
            col(Ticket.satisfaction_score).is_not(None),
            *scope.tickets(),
        )
        .group_by(*keys, col(Ticket.satisfaction_score))
    )
    scores: dict[tuple[str | None, ...], dict[int, int]] = defaultdict(dict)
    for row in session.execute(statement):
        *group, score, count = row
        scores[tuple(group)][int(score)] = int(count)
    return [
        Satisfaction(group, sum(each.values()), sum(s * n for s, n in each.items()) / sum(each.values()), each)
        for group, each in sorted(scores.items(), key=lambda item: tuple(str(v) for v in item[0]))
    ]


def agent_column() -> Any:
    """The assignee's name (or Slack id, or email)."""
    return func.coalesce(col(Agent.name), col(Agent.slack_user_id), col(Agent.email)).label("agent")


def _decided_rows(scope: Scope, keys: Sequence[Any], *columns: Any) -> Any:
    return (
        select(*keys, *columns)
        .select_from(TicketDeadline)
        .join(Ticket, col(Ticket.id) == col(TicketDeadline.ticket_id))
        .outerjoin(Agent, col(Agent.id) == col(Ticket.assignee_id))
        .where(and_(*scope.decided()))
    )


def _counts(session: Session, scope: Scope, keys: Sequence[Any]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    state = col(TicketDeadline.state)
    timed = case((_compliance(), col(TicketDeadline.elapsed_seconds)), else_=None)
    statement = _decided_rows(
        scope,
        keys,
        func.sum(_flag(state == State.MET.value)),
        func.sum(_flag(state == State.BREACHED.value)),
        func.sum(_flag(state == State.CANCELLED.value)),
        func.sum(_flag(state == State.DEFERRED.value)),
        func.count(timed),
        func.avg(timed),
    ).group_by(*keys)
    result: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    for row in session.execute(statement):
        *group, met, breached, cancelled, deferred, count_timed, mean = row
        counts = (int(met or 0), int(breached or 0), int(cancelled or 0), int(deferred or 0), int(count_timed))
        result[tuple(group)] = (*counts, _float(mean))
    return result


def _compliance() -> ColumnElement[bool]:
    """The decided targets compliance counts: met or breached (not cancelled, not deferred)."""
    return col(TicketDeadline.state).in_([State.MET.value, State.BREACHED.value])


def _percentiles(session: Session, scope: Scope, keys: Sequence[Any]) -> dict[tuple[Any, ...], dict[int, int]]:
    elapsed = col(TicketDeadline.elapsed_seconds)
    counted = and_(elapsed.is_not(None), _compliance())
    ranked, group = _ranked(scope, keys, elapsed, counted, elapsed.label("elapsed"))
    n = ranked.c.n
    statement = select(*group, ranked.c.elapsed, ranked.c.rank, n).where(
        or_(*(ranked.c.rank == _nearest_rank(n, p) for p in PERCENTILES))
    )
    found: dict[tuple[Any, ...], dict[int, int]] = defaultdict(dict)
    for row in session.execute(statement):
        *values, value, rank, count = row
        for p in PERCENTILES:
            if rank == _nearest_rank(count, p):
                found[tuple(values)][p] = int(value)
    return found


def _breached(session: Session, scope: Scope, keys: Sequence[Any]) -> dict[tuple[Any, ...], list[int]]:
    sr = col(Ticket.sr_number)
    breached = col(TicketDeadline.state) == State.BREACHED.value
    numbered, group = _ranked(scope, keys, sr, breached, sr.label("sr"))
    statement = select(*group, numbered.c.sr).where(numbered.c.rank <= DRILL_DOWN).order_by(numbered.c.sr)
    found: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for row in session.execute(statement):
        *values, number = row
        found[tuple(values)].append(int(number))
    return found


def _ranked(
    scope: Scope, keys: Sequence[Any], order_by: Any, condition: ColumnElement[bool], *columns: Any
) -> tuple[Any, list[Any]]:
    """The decided rows meeting `condition`, numbered within their group by `order_by` (`rank`) and counted (`n`),
    as a subquery; and its group columns."""
    names = [f"k{index}" for index in range(len(keys))]
    subquery = (
        _decided_rows(
            scope,
            [key.label(name) for key, name in zip(keys, names, strict=True)],
            *columns,
            func.row_number().over(partition_by=list(keys), order_by=order_by).label("rank"),
            func.count().over(partition_by=list(keys)).label("n"),
        )
        .where(condition)
        .subquery()
    )
    return subquery, [subquery.c[name] for name in names]


def _nearest_rank(n: Any, p: int) -> Any:
    """ceil(p% x n) in integers: for a count in Python or a column in SQL."""
    return (n * p + 99) // 100


def _flag(condition: ColumnElement[bool]) -> Any:
    return case((condition, 1), else_=0)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _sort_key(item: tuple[tuple[Any, ...], Any]) -> tuple[str, ...]:
    return tuple("" if value is None else str(value) for value in item[0])
