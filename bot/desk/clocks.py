"""A request's deadlines, always what sla/ computes from its event log (docs/architecture.md, "Time").

Rules:
- Whatever changes a clock (completion, a priority, plan or kind change, a defect confirmed, a public reply, a
  pause, a resolution...) is recorded as an event (storage.ticket_events), and then `recompute` reads the whole
  log, runs sla.clocks on it at `now`, and stores every started target's deadline in the same transaction. The
  request's next change is set to `now`: a change can make milestones due at once (an escalation as soon as a
  target starts, for a priority just set), so the next sweep looks at it, says what is due (once: the reminder
  ledger) and stores its real next change (bot.desk.reminders).
- The same recompute stores the request's milestones (sla.plan, for the log's length and the policy), so the
  milestone sweep reads them until the log changes instead of recomputing (bot.desk.reminders); a log holding
  an event after `now` stores none, and the sweep recomputes.
- No deadline is ever computed anywhere else, so what the card, the home tab and the sweeps show is what
  `frontdesk sla due` gives for the same inputs.
- The same recompute stores the request's decided update cycles (sla.cycles, storage.cycles), met or missed,
  for the reports' update compliance. It is incremental: the cycles stored are kept up to SKEW before the
  latest one (events are recorded at the instant they happen, so none can fall before what an earlier
  recompute decided, give or take the clocks of several workers), and the walk resumes after each target's
  last kept cycle: a P1 left open for a month costs the periods since the last recompute, not the month's
  (tests/perf/bench_cycles.py, docs/performance.md).
- `backfill_cycles` gives the requests that have no stored cycle (those older than the cycles' table,
  migration 0014) theirs, from their log, in batches; it is run once at start, and again it finds only
  requests whose first period is still open, which it leaves as they are.
- A target that has not started is not stored; a target without a deadline ("as seen fit") is stored as
  running with no due instant.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sla import plan
from sla.clocks import Clocks, State, TargetState, clocks
from sla.cycles import cycles
from sla.log import Event
from sla.policy import Policy
from storage import cycles as stored_cycles
from storage import deadlines, ticket_events
from storage.engine import Database, Session

SKEW = timedelta(minutes=5)  # how far the clocks of two workers may disagree


def record(session: Session, ticket_id: int, events: Iterable[tuple[str, str]], *, at: datetime, actor: str) -> None:
    """Adds events `(kind, value)` at `at` to the request's log, in the order given."""
    for kind, value in events:
        ticket_events.record_event(session, ticket_id, kind, at=at, actor=actor, value=value)


def current(session: Session, policy: Policy, ticket_id: int, *, now: datetime) -> Clocks:
    """The request's clocks from its log at `now`, without storing anything."""
    return clocks(policy, _log(session, ticket_id), now)


def recompute(session: Session, policy: Policy, ticket_id: int, *, now: datetime, actor: str) -> Clocks:
    """The request's clocks from its log at `now`, stored as its deadlines."""
    log = _log(session, ticket_id)
    state = clocks(policy, log, now)
    started = [_stored(target) for target in state.targets if target.state is not State.PENDING]
    planned = plan.plan_of(state, log)
    milestones = None if planned is None else plan.encode(planned, policy, events=len(log))
    deadlines.set_deadlines(
        session, ticket_id, started, next_change_at=now, actor=actor, now=now, milestones=milestones
    )
    store_cycles(session, policy, ticket_id, log, now)
    return state


def store_cycles(session: Session, policy: Policy, ticket_id: int, log: list[Event], now: datetime) -> None:
    """The request's decided update cycles, stored: those decided from SKEW before the latest one stored on,
    the walk resumed after each target's last cycle before that (the module's rules)."""
    latest = stored_cycles.latest_decided(session, ticket_id)
    since = None if latest is None else latest - SKEW
    resume = {} if since is None else stored_cycles.last_before(session, ticket_id, since)
    decided = cycles(policy, log, now, since=since, resume=resume)
    stored_cycles.set_cycles(session, ticket_id, decided, since=since)


def backfill_cycles(database: Database, policy: Policy, now: datetime, *, batch: int = 200) -> int:
    """Stores the update cycles of every request past intake that has none yet (the module's rules); how many
    requests got some."""
    if not any(target.definition.recurs for plan in policy.plans.values() for target in plan.all_targets()):
        return 0
    filled, after = 0, 0
    while True:
        with database.write() as session:
            ids = stored_cycles.tickets_without_cycles(session, after=after, limit=batch)
            for ticket_id in ids:
                store_cycles(session, policy, ticket_id, _log(session, ticket_id), now)
                filled += stored_cycles.latest_decided(session, ticket_id) is not None
        if len(ids) < batch:
            return filled
        after = ids[-1]


def _log(session: Session, ticket_id: int) -> list[Event]:
    return [Event(event.at, event.kind, event.value) for event in ticket_events.events_of(session, ticket_id)]


def _stored(target: TargetState) -> deadlines.DeadlineValue:
    """A target's state as storage keeps it; a target without deadline is running with no due instant."""
    state = State.RUNNING if target.state is State.NO_DEADLINE else target.state
    elapsed = target.elapsed if target.stopped_at is not None else None
    return deadlines.DeadlineValue(target.name, target.due_at, state, target.started_at, target.stopped_at, elapsed)
