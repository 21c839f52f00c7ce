"""Clocks: from a request's event log and "now", the state of each of its targets (docs/architecture.md, "Time").

Rules:
- The log is a list of events; only those at or before `now` count, and events at the same instant keep the
  order given (the order they were recorded). Plan, kind and priority are the latest `plan`, `kind` and
  `priority` events (the policy's defaults without one). A change recomputes every open target from its start
  event; a target that had already stopped keeps the rule in force when it stopped (docs/architecture.md,
  "Time").
- A target starts at the first of its start events (`complete`, or `defect_confirmed`) and stops at the first
  of its stop events after that. `reopened` undoes a `resolved` or `closed` stop, and `fix_reopened` (the
  defect's tracker issue reopened) a `fix` stop; the time between the stop and the reopening does not count.
- A `resolved` event also stops the targets the policy's resolution satisfies (met at that instant, unless
  already past due) and those it cancels (state `cancelled`, unless already past due) (sla.policy.Resolution).
- A `deferred` event (its value the instant the defect is deferred to, ISO 8601) stops every target the policy's
  deferral does not keep (state `deferred`, unless already past due); a kept target runs on, due at that instant,
  and its only milestone is that deadline (the breach): no warnings or escalation steps, which would be fractions
  of a span from its first start to a date an agent chose. A later `reopened` undoes the deferral: the stopped
  targets restart and the kept one gets its own deadline and milestones back.
- `pause`/`resume` events bound pauses; a pausable target's deadline is add(duration + paused working time)
  on its own calendar. A pause with no resume yet leaves the deadline open (state `paused`).
- A recurring target (`update`) restarts at each of its restart events before it stops (and at a reopening):
  its deadline is measured from the latest one, and once overdue it falls due again every further period.
- `next_release` targets are due at the first release on or after their start; neither pauses nor reopen gaps
  move a release, nor count for its warnings. A `release` event (its value an instant, ISO 8601: the release
  the defect's tracker issue is planned for) sets the request's own release instead: the latest one counts, and
  one with an empty value gives the policy's releases back.
  `none` targets have no deadline.
- Milestones are the instants at which something about a target happens: warnings at the policy's fractions,
  the breach, and the escalation steps (at a fraction of the target, or as soon as it starts). A recurring
  target past its breach also has an `overdue` milestone at the end of each further period on its calendar
  (fraction: the count of periods since its restart): the latest one at or before `now` and the next one.
  Milestones after the target stopped are dropped. `next_change` (in UTC) is the earliest future milestone of
  any running target: the instant a scheduler must look at the request again. `paused` counts pauses and reopen
  gaps; `elapsed` is the working time counted from the target's start to its stop (or now), pauses and reopen
  gaps left out.
- Times come back in each target's calendar zone; internally everything is compared in UTC.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from functools import partial
from zoneinfo import ZoneInfo

from sla.durations import NextRelease, NoDeadline
from sla.intervals import Span
from sla.log import Event, Progress, excluded, pauses, stop, stops_on, terms_at, utc
from sla.policy import Escalation, Policy
from sla.targets import Target
from sla.timeline import MICROSECOND


class State(StrEnum):
    PENDING = "pending"  # not started yet
    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"
    NO_DEADLINE = "no deadline"
    CANCELLED = "cancelled"  # stopped by a resolution that cancels it (sla.policy.Resolution)
    DEFERRED = "deferred"  # stopped by a deferral (sla.policy.Deferral)


@dataclass(frozen=True)
class Milestone:
    """A moment in a target's life: a warning, the breach, an escalation step, or an overdue reminder."""

    at: datetime
    what: str  # "warning", "breach", "escalation" or "overdue"
    fraction: Fraction
    escalation: Escalation | None = None


@dataclass(frozen=True)
class TargetState:
    """Where one target stands at `now`."""

    name: str
    label: str
    calendar: str
    state: State
    started_at: datetime | None = None
    due_at: datetime | None = None
    remaining: timedelta | None = None  # working time left; negative once overdue
    paused: timedelta = timedelta(0)  # working time spent in pauses so far
    elapsed: timedelta = timedelta(0)  # counted working time from the start to the stop (or now): what reports use
    stopped_at: datetime | None = None
    breached_at: datetime | None = None
    milestones: tuple[Milestone, ...] = ()
    recurs: bool = False  # a cadence (its definition has restart events, like `update`): it falls due each period


@dataclass(frozen=True)
class Clocks:
    """Every target of a request at `now`, and when anything about it next changes."""

    now: datetime
    plan: str
    kind: str
    priority: str
    targets: tuple[TargetState, ...]
    next_change: datetime | None

    def target(self, name: str) -> TargetState:
        return next(target for target in self.targets if target.name == name)


def clocks(policy: Policy, events: Iterable[Event], now: datetime) -> Clocks:
    """The state of every target of the request whose log is `events`, at `now`."""
    now = utc(now)
    log = sorted((Event(utc(event.at), event.kind, event.value) for event in events), key=lambda e: e.at)
    log = [event for event in log if event.at <= now]
    plan, kind, priority = terms_at(policy, log, now)
    states = tuple(_target_state(policy, target, log, now) for target in policy.targets(plan, kind, priority))
    upcoming = [
        milestone.at.astimezone(UTC)
        for state in states
        if state.state in (State.RUNNING, State.BREACHED)
        for milestone in state.milestones
        if milestone.at > now
    ]
    return Clocks(now, plan, kind, priority, states, min(upcoming, default=None))


def _target_state(policy: Policy, target: Target, log: Sequence[Event], now: datetime) -> TargetState:
    definition = target.definition
    first_start = next((event.at for event in log if event.kind == definition.starts_on), None)
    if first_start is None:
        return TargetState(target.name, definition.label, target.calendar.name, State.PENDING, recurs=definition.recurs)
    stopped_at, stopped_by, gaps = stop(log, first_start, stops_on(policy, target))
    plan, kind, priority = terms_at(policy, log, stopped_at or now)
    target = _same_target(policy.targets(plan, kind, priority), target)
    steps = [step for step in policy.escalations_for(plan, priority) if step.target == target.name]
    start = _restart(log, first_start, stopped_at, gaps, definition.restarts_on) if definition.recurs else first_start
    until = _deferred_until(log, first_start) if target.name in policy.deferral.keeps else None
    if until is not None or isinstance(target.duration, NextRelease):
        exclusions: list[Span[datetime]] = []  # a release or a date deferred to does not move
    else:
        exclusions = excluded([*gaps, *(pauses(log) if target.pausable else [])], start)
    ended = _ended_as(policy, target.name, stopped_by)
    progress = Progress(target.calendar, start, exclusions)
    release = _release_of(log)
    return _evaluate(policy, target, progress, steps, stopped_at, now, ended=ended, until=until, release=release)


def _ended_as(policy: Policy, name: str, stopped_by: str | None) -> State:
    """The state a stopped target ends in when it was not past due: cancelled, deferred, or met."""
    if stopped_by == "resolved" and name in policy.resolution.cancels:
        return State.CANCELLED
    if stopped_by == "deferred":
        return State.DEFERRED
    return State.MET


def _deferred_until(log: Sequence[Event], start: datetime) -> datetime | None:
    """The instant the request is deferred to: the latest `deferred` event's, unless a reopening followed."""
    until: datetime | None = None
    for event in log:
        if event.kind == "deferred" and event.at >= start:
            until = _instant(event.value)
        elif event.kind == "reopened":
            until = None
    return until


def _release_of(log: Sequence[Event]) -> datetime | None:
    """The request's own release: the latest `release` event's instant (None, or a value that is no instant: the
    policy's releases again)."""
    return next((_instant(event.value) for event in reversed(log) if event.kind == "release"), None)


def _instant(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo is not None else None


def _evaluate(
    policy: Policy,
    target: Target,
    progress: "Progress",
    steps: Sequence[Escalation],
    stopped_at: datetime | None,
    now: datetime,
    *,
    ended: State = State.MET,
    until: datetime | None = None,
    release: datetime | None = None,
) -> TargetState:
    zone, start = target.calendar.zone, progress.start
    definition = target.definition
    state_of = partial(TargetState, definition.name, definition.label, target.calendar.name, recurs=definition.recurs)
    amount: timedelta | None
    due: datetime | None
    if until is not None:  # deferred to a date: due then, its length the working time until then
        amount, due = target.calendar.working_time_between(start, until), until
    else:
        amount, due = _deadline(policy, target, start, progress, release)
    end = stopped_at or now
    elapsed, paused = progress.consumed(end), progress.paused(end)
    if amount is None:
        state = ended if stopped_at else State.NO_DEADLINE
        started, stopped = start.astimezone(zone), _local(stopped_at, zone)
        return state_of(state, started, paused=paused, elapsed=elapsed, stopped_at=stopped)
    breached = due is not None and (due < stopped_at if stopped_at else due <= now)
    if breached:
        state = State.BREACHED
    elif stopped_at:
        state = ended
    else:
        state = State.RUNNING if due is not None else State.PAUSED
    milestones = _milestones(policy, progress, amount, due, steps, target.definition.recurs, now)
    if until is not None:  # deferred: only the date given is news
        milestones = [milestone for milestone in milestones if milestone.what == "breach"]
    return state_of(
        state,
        start.astimezone(zone),
        due_at=_local(due, zone),
        remaining=amount - elapsed,
        paused=paused,
        elapsed=elapsed,
        stopped_at=_local(stopped_at, zone),
        breached_at=_local(due, zone) if breached else None,
        milestones=tuple(
            replace(milestone, at=milestone.at.astimezone(zone))
            for milestone in milestones
            if stopped_at is None or milestone.at < stopped_at
        ),
    )


def _same_target(targets: Sequence[Target], target: Target) -> Target:
    """The rule of the same name among `targets` (those in force when a target stopped), else `target`."""
    return next((candidate for candidate in targets if candidate.name == target.name), target)


def _restart(
    log: Sequence[Event],
    start: datetime,
    stopped_at: datetime | None,
    gaps: list[Span[datetime]],
    restarts_on: frozenset[str],
) -> datetime:
    """A recurring target's current period start: the latest restart event before it stopped and outside a
    resolved-reopened gap, or the latest reopening."""
    restarts = [
        event.at
        for event in log
        if event.kind in restarts_on
        and event.at >= start
        and (stopped_at is None or event.at < stopped_at)
        and not any(gap.contains(event.at) for gap in gaps)
    ]
    return max([start, *restarts, *(gap.end for gap in gaps if gap.end is not None)])


def due_at(policy: Policy, target: Target, start: datetime, pauses: Sequence[Span[datetime]] = ()) -> datetime | None:
    """The deadline of `target` started at `start`, with these pauses if it is pausable; None: no deadline."""
    start = utc(start)
    spans = [Span(utc(p.start), None if p.end is None else utc(p.end)) for p in pauses] if target.pausable else []
    return _deadline(policy, target, start, Progress(target.calendar, start, excluded(spans, start)))[1]


def _deadline(
    policy: Policy, target: Target, start: datetime, progress: "Progress", release: datetime | None = None
) -> tuple[timedelta | None, datetime | None]:
    """The target's length in working time and its due instant (None, None without a deadline).

    A release is due at the release itself (the request's own `release`, else the policy's next), not moved by
    pauses; its length is the working time until then (none for a release planned before the start).
    """
    calendar = target.calendar
    if isinstance(target.duration, NoDeadline):
        return None, None
    if isinstance(target.duration, NextRelease):
        release = release or policy.releases.next_on_or_after(start)
        if release is None:
            return None, None
        return calendar.working_time_between(start, max(start, release)), release.astimezone(calendar.zone)
    amount = calendar.length_of(target.duration)
    return amount, progress.reach(amount)


def _milestones(
    policy: Policy,
    progress: "Progress",
    amount: timedelta,
    due: datetime | None,
    steps: Sequence[Escalation],
    recurs: bool,
    now: datetime,
) -> list[Milestone]:
    """Warnings, breach and escalations (in UTC), then for an overdue recurring target its next period."""
    found: list[tuple[Fraction, str, Escalation | None]] = [(f, "warning", None) for f in policy.warnings]
    found.append((Fraction(1), "breach", None))
    found.extend((step.at if step.at is not None else Fraction(0), "escalation", step) for step in steps)
    milestones = []
    for fraction, what, step in found:
        if what == "breach":
            at = due
        elif step is not None and step.at is None:
            at = progress.start  # "as soon as it starts", even inside a pause
        else:
            at = progress.reach(_scaled(amount, fraction))
        if at is not None:
            milestones.append(Milestone(at.astimezone(UTC), what, fraction, step))
    if recurs and amount:
        milestones.extend(_overdue(progress, amount, now))
    return sorted(milestones, key=lambda milestone: milestone.at)


def _overdue(progress: "Progress", amount: timedelta, now: datetime) -> list[Milestone]:
    """An overdue recurring target's period ends after the first (the breach): the latest one at or before `now`
    (what is due now) and the next one (when to look again), in UTC, each with its count of periods as fraction."""
    periods = progress.consumed(now) // amount
    found = []
    for count in (periods, periods + 1):
        at = progress.reach(amount * count) if periods >= 1 and count >= 2 else None
        if at is not None:
            found.append(Milestone(at.astimezone(UTC), "overdue", Fraction(count)))
    return found


def _scaled(amount: timedelta, fraction: Fraction) -> timedelta:
    return round(amount // MICROSECOND * fraction) * MICROSECOND


def _local(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if instant is None else instant.astimezone(zone)
