"""The stored deadline of every target of a request, and its next_change_at, for the sweeps' index.

Rules: the deadlines are computed by sla/ from the request's event log; storage keeps one row per ticket and
target, written in the caller's transaction with one "ticket.deadlines_set" audit event holding the targets
that changed (before and after). Targets not given are left alone; writing the same values writes nothing.
For reports each row also keeps when it was decided (met, cancelled, deferred: its stop; breached: its due
instant) and, once stopped, the working time it took. A row's state is one of sla.clocks.State's values, those of
a target that has started (`STORED`): a target not started is not stored, and one without a deadline is stored
running.

A pending deadline is a target still to be met: stored `running`, or stored `breached` without a stop (sla/ marks
a running target breached once its due instant is reached, and the milestone sweep stores that). A target met
(late or not) or paused is not pending. This is the one place the rule lives, in its two forms side by side: for
the database `PENDING` (the work list and the Home tab's queue filter on it), for a value read
`DeadlineValue.pending` (a requester's own requests); a test holds them to the same answers.

`set_deadlines` also stores the request's milestones (sla.plan, encoded; None: none stored, so the sweep
recomputes), which are not audited: they are derived from the log like the deadlines. `mark_breached` is the
milestone sweep's one change of a stored deadline from its stored milestones: running targets whose due instant
has come become breached (decided at their due instant), with the same audit event `set_deadlines` writes for
that change, for a batch of requests at once; it returns the requests it changed, which the sweep marks updated
with their reschedule (storage.sweeps), so each swept row is written once.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, update
from sqlmodel import Session, col, select

from sla.clocks import State
from storage import audit
from storage.columns import to_utc
from storage.errors import InvalidValueError
from storage.tables import TicketDeadline
from storage.tickets import lock_ticket

STORED = (State.RUNNING, State.PAUSED, State.MET, State.BREACHED, State.CANCELLED, State.DEFERRED)
PENDING = or_(
    col(TicketDeadline.state) == State.RUNNING.value,
    and_(col(TicketDeadline.state) == State.BREACHED.value, col(TicketDeadline.stopped_at).is_(None)),
)


@dataclass(frozen=True)
class DeadlineValue:
    """The stored deadline of one target; `due_at` None means no deadline ("as seen fit")."""

    target: str
    due_at: datetime | None
    state: State = State.RUNNING
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    elapsed: timedelta | None = None  # the working time it took, once stopped

    @property
    def decided_at(self) -> datetime | None:
        """When the target was decided: met, cancelled or deferred at its stop, breached at its due instant; None
        while undecided."""
        if self.state in (State.MET, State.CANCELLED, State.DEFERRED):
            return self.stopped_at
        return self.due_at if self.state == State.BREACHED else None

    @property
    def pending(self) -> bool:
        """Still to be met: running, or breached and not stopped (the same rule as `PENDING`)."""
        return self.state == State.RUNNING or (self.state == State.BREACHED and self.stopped_at is None)


def set_deadlines(
    session: Session,
    ticket_id: int,
    deadlines: Sequence[DeadlineValue],
    *,
    next_change_at: datetime | None,
    actor: str,
    now: datetime,
    milestones: str | None = None,
) -> None:
    """Stores the deadline of every given target (others are left alone), the ticket's next_change_at and its
    milestones."""
    ticket = lock_ticket(session, ticket_id)
    if ticket.milestones != milestones:
        ticket.milestones = milestones
        session.add(ticket)
    stored = {
        row.target: row
        for row in session.exec(select(TicketDeadline).where(col(TicketDeadline.ticket_id) == ticket_id))
    }
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for deadline in deadlines:
        values = {
            "due_at": None if deadline.due_at is None else to_utc(deadline.due_at),
            "state": _stored(deadline.state).value,
            "started_at": None if deadline.started_at is None else to_utc(deadline.started_at),
            "stopped_at": None if deadline.stopped_at is None else to_utc(deadline.stopped_at),
            "decided_at": None if deadline.decided_at is None else to_utc(deadline.decided_at),
            "elapsed_seconds": None if deadline.elapsed is None else int(deadline.elapsed.total_seconds()),
        }
        row = stored.get(deadline.target)
        old = None if row is None else {name: getattr(row, name) for name in values}
        if old == values:
            continue
        before[deadline.target] = old
        after[deadline.target] = values
        if row is None:
            row = TicketDeadline(ticket_id=ticket_id, target=deadline.target, state=str(values["state"]))
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
    next_at = None if next_change_at is None else to_utc(next_change_at)
    if next_at != ticket.next_change_at:
        before["next_change_at"], after["next_change_at"] = ticket.next_change_at, next_at
        ticket.next_change_at = next_at
    if after:
        ticket.updated_at = to_utc(now)
        session.add(ticket)
        session.flush()
        audit.record(
            session,
            actor=actor,
            action="ticket.deadlines_set",
            at=now,
            ticket_id=ticket_id,
            before=before,
            after=after,
        )


def mark_breached(session: Session, targets: Sequence[tuple[int, str]], *, actor: str, now: datetime) -> set[int]:
    """Each (ticket id, target) stored running is now breached, decided at its due instant (the module's rules);
    the tickets changed. One statement per target changes the rows and returns them: a running row is undecided
    (no `decided_at`, as `DeadlineValue.decided_at` says), so each one's before is its after, running and
    undecided."""
    if not targets:
        return set()
    table = TicketDeadline.__table__  # type: ignore[attr-defined]
    columns = ("due_at", "state", "started_at", "stopped_at", "decided_at", "elapsed_seconds")
    by_target: dict[str, set[int]] = {}
    for ticket_id, target in targets:
        by_target.setdefault(target, set()).add(ticket_id)
    changes: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}
    for target, ticket_ids in sorted(by_target.items()):  # a statement per target: a batch breaches one or two
        breached = (
            update(table)
            .where(
                table.c.target == target,
                table.c.ticket_id.in_(sorted(ticket_ids)),
                table.c.state == State.RUNNING.value,
                table.c.due_at.is_not(None),
            )
            .values(state=State.BREACHED.value, decided_at=table.c.due_at)  # decided at each row's own due instant
            .returning(table.c.ticket_id, *(table.c[name] for name in columns))
        )
        for row in session.connection().execute(breached):
            new = {name: getattr(row, name) for name in columns}
            before, after = changes.setdefault(row.ticket_id, ({}, {}))
            before[target], after[target] = {**new, "state": State.RUNNING.value, "decided_at": None}, new
    audit.record_all(
        session,
        [
            audit.Entry(actor=actor, action="ticket.deadlines_set", at=now, ticket_id=ticket_id, before=b, after=a)
            for ticket_id, (b, a) in sorted(changes.items())
        ],
    )
    return set(changes)


def _stored(state: str) -> State:
    """`state` as a stored deadline state, or InvalidValueError naming those a row may hold."""
    if state not in STORED:
        allowed = ", ".join(member.value for member in STORED)
        raise InvalidValueError(f"{state!r} is not a stored deadline state; expected one of: {allowed}")
    return State(state)


def deadlines_of(session: Session, ticket_id: int) -> list[DeadlineValue]:
    statement = (
        select(TicketDeadline).where(col(TicketDeadline.ticket_id) == ticket_id).order_by(col(TicketDeadline.id))
    )
    return [
        DeadlineValue(
            row.target,
            row.due_at,
            State(row.state),
            row.started_at,
            row.stopped_at,
            None if row.elapsed_seconds is None else timedelta(seconds=row.elapsed_seconds),
        )
        for row in session.exec(statement)
    ]
