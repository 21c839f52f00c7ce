"""Cycles of a recurring target (`update`): every period it was due, met or missed, from a request's event log.

Rules (the same reading of the log as sla.clocks, docs/architecture.md, "Time"):
- A recurring target runs from its start event; each restart event (a public update) before it stops begins a
  new run, and so does a reopening. A run's k-th period ends k lengths of counted working time after the run
  began, on the target's calendar, pauses (if pausable) and reopen gaps left out; the length is the rule in
  force at the run's start (plan, kind and priority then).
- A period that ends before the run does is `missed` (at its end); the period in which the run ends by a
  restart or a stop is `met` at that instant. A period still open at `now` is not a cycle yet, and no period is
  counted while a pause with no resume leaves it open.
- Every cycle keeps the priority and plan in force when it was decided, for reports per priority and plan.
- Targets without a working duration (`none`, `next_release`) have no cycles.
- Incremental (`since`, `resume`): only the cycles decided at or after `since` are returned, and each target's
  walk through the periods of the run that holds its `resume` cycle (the latest decided before `since`, as
  computed earlier) starts right after that cycle instead of at the run's start. Periods follow each other
  (each begins where the previous ended), so this gives exactly the cycles a full walk gives from `since` on,
  as long as the log before `since` is the one the resumed cycle was computed from; a request left open for a
  month then costs the periods since the last recompute, not the month's.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sla.durations import WorkingDuration
from sla.intervals import Span
from sla.log import Event, Progress, excluded, pauses, stop, stops_on, terms_at, utc
from sla.policy import Policy
from sla.targets import Target

MAX_CYCLES = 10_000  # per run: a request left open for years still gives a bounded answer


@dataclass(frozen=True)
class Cycle:
    """One period of a recurring target: due at `due_at`, met at `met_at` or missed (then `met_at` is None)."""

    target: str
    started_at: datetime  # the period's start (UTC)
    due_at: datetime  # its end (UTC)
    met_at: datetime | None
    priority: str
    plan: str

    @property
    def met(self) -> bool:
        return self.met_at is not None

    @property
    def decided_at(self) -> datetime:
        """When the cycle was decided: met at the update, missed at its end."""
        return self.met_at or self.due_at


def cycles(
    policy: Policy,
    events: Iterable[Event],
    now: datetime,
    *,
    since: datetime | None = None,
    resume: Mapping[str, Cycle] | None = None,
) -> tuple[Cycle, ...]:
    """Every decided cycle of every recurring target of the request whose log is `events`, at `now`, in order;
    with `since`, only those decided at or after it, each target's walk resumed after its `resume` cycle."""
    now = utc(now)
    log = sorted((Event(utc(event.at), event.kind, event.value) for event in events), key=lambda e: e.at)
    log = [event for event in log if event.at <= now]
    plan, kind, priority = terms_at(policy, log, now)
    found: list[Cycle] = []
    for target in policy.targets(plan, kind, priority):
        if target.definition.recurs:
            found += _target_cycles(policy, target.name, log, now, (resume or {}).get(target.name))
    if since is not None:
        found = [cycle for cycle in found if cycle.decided_at >= utc(since)]
    return tuple(sorted(found, key=lambda cycle: (cycle.due_at, cycle.target)))


def _target_cycles(
    policy: Policy, name: str, log: Sequence[Event], now: datetime, resume: Cycle | None = None
) -> list[Cycle]:
    current = next(t for t in policy.targets(*terms_at(policy, log, now)) if t.name == name)
    definition = current.definition
    first = next((event.at for event in log if event.kind == definition.starts_on), None)
    if first is None:
        return []
    stopped = stop(log, first, stops_on(policy, current))
    stopped_at, gaps = stopped[0], stopped[-1]
    found: list[Cycle] = []
    for start, end, ended in _runs(log, first, stopped_at, gaps, definition.restarts_on, now):
        if resume is not None and end <= utc(resume.decided_at):
            continue  # decided before the resumed cycle: known already
        target = next((t for t in policy.targets(*terms_at(policy, log, start)) if t.name == name), None)
        if target is not None and isinstance(target.duration, WorkingDuration):
            after = _resumed_at(resume, start, end)
            found += _run_cycles(policy, target, log, gaps, (start, end, ended), after)
    return found


def _resumed_at(resume: Cycle | None, start: datetime, end: datetime) -> datetime | None:
    """Where the walk of the run [start, end) resumes: after the resumed cycle when it is a missed period of it."""
    if resume is None or resume.met_at is not None:
        return None
    due = utc(resume.due_at)
    return due if utc(resume.started_at) >= start and due < end else None


def _runs(
    log: Sequence[Event],
    first: datetime,
    stopped_at: datetime | None,
    gaps: list[Span[datetime]],
    restarts_on: frozenset[str],
    now: datetime,
) -> list[tuple[datetime, datetime, bool]]:
    """(start, end, ended by a restart or stop) for each run: from the start, each restart, each reopening."""
    starts = sorted(
        {first}
        | {
            event.at
            for event in log
            if event.kind in restarts_on
            and event.at > first
            and (stopped_at is None or event.at < stopped_at)
            and not any(gap.contains(event.at) for gap in gaps)
        }
        | {gap.end for gap in gaps if gap.end is not None}
    )
    runs = []
    for index, start in enumerate(starts):
        following = starts[index + 1] if index + 1 < len(starts) else None
        stop = next(
            (gap.start for gap in gaps if start <= gap.start and (following is None or gap.start < following)), None
        )
        if stop is None and following is None:
            stop = stopped_at
        end = stop or following
        runs.append((start, end or now, end is not None))
    return runs


def _run_cycles(
    policy: Policy,
    target: Target,
    log: Sequence[Event],
    gaps: list[Span[datetime]],
    run: tuple[datetime, datetime, bool],
    after: datetime | None = None,
) -> list[Cycle]:
    start, end, ended = run
    if not isinstance(target.duration, WorkingDuration):
        return []
    spans = [*gaps, *(pauses(log) if target.pausable else [])]
    amount = target.calendar.length_of(target.duration)
    found: list[Cycle] = []
    previous = after or start
    for _ in range(MAX_CYCLES):  # each period measured from the previous one's end: linear in the periods
        due = Progress(target.calendar, previous, excluded(spans, previous)).reach(amount) if amount else None
        if due is None:
            break
        due = due.astimezone(UTC)
        if due < end:
            found.append(_cycle(policy, target.name, log, previous, due, None))
        else:
            if ended:
                found.append(_cycle(policy, target.name, log, previous, due, end))
            break
        previous = due
    return found


def _cycle(
    policy: Policy, name: str, log: Sequence[Event], start: datetime, due: datetime, met_at: datetime | None
) -> Cycle:
    plan, _, priority = terms_at(policy, log, met_at or due)
    return Cycle(name, start, due, met_at, priority, plan)
