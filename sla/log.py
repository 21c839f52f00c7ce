"""Reading a request's event log: the events, the terms in force, when a target stopped, its pauses, and working
time counted on a calendar with spans left out (docs/architecture.md, "Time"). Shared by sla.clocks (deadlines
and milestones) and sla.cycles (the periods of a recurring target).

Rules: only what sla.clocks' docstring states, read the same way by both: events at the same instant keep their
order; plan, kind and priority are the latest of each at an instant (else the policy's defaults); a target stops at
the first of its stop events after its start (`resolved` where the resolution names it, `deferred` unless the
deferral keeps it), and a `reopened` after a reopenable stop (or a `fix_reopened` after a `fix`) leaves a gap
that does not count; a pause with no
resume is open; instants are compared in UTC and naive ones are refused.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sla.calendar import Calendar
from sla.intervals import Span, clipped, merged
from sla.policy import Policy
from sla.targets import Target
from sla.timeline import to_micros

REOPENABLE_STOPS = frozenset({"resolved", "closed", "deferred"})
FIX_REOPENED = "fix_reopened"  # the defect's tracker issue reopened: undoes a `fix` stop, and nothing else


@dataclass(frozen=True)
class Event:
    """Something that happened to a request: `kind` at `at`, with a value for plan/kind/priority changes."""

    at: datetime
    kind: str
    value: str = ""


def terms_at(policy: Policy, log: Sequence[Event], instant: datetime) -> tuple[str, str, str]:
    """Plan, kind and priority in force at `instant`: the latest change at or before it, else the defaults."""
    before = [event for event in log if event.at <= instant]
    return (
        latest(before, "plan", policy.default_plan),
        latest(before, "kind", policy.default_kind),
        latest(before, "priority", policy.default_priority),
    )


def stops_on(policy: Policy, target: Target) -> frozenset[str]:
    """A target's stop events: its definition's, `resolved` where the resolution rule names it, and `deferred`
    unless the deferral keeps it."""
    stops = set(target.definition.stops_on)
    if target.name in policy.resolution.satisfies | policy.resolution.cancels:
        stops.add("resolved")
    if target.name not in policy.deferral.keeps:
        stops.add("deferred")
    return frozenset(stops)


def stop(
    log: Sequence[Event], start: datetime, stops_on: frozenset[str]
) -> tuple[datetime | None, str | None, list[Span[datetime]]]:
    """When the target stopped (if it did), by which event, and the gaps between reopenable stops and their
    reopening."""
    stopped: Event | None = None
    gaps: list[Span[datetime]] = []
    for event in log:
        if event.at < start:
            continue
        if stopped is None and event.kind in stops_on:
            stopped = event
        elif stopped is not None and _reopens(event.kind, stopped.kind):
            gaps.append(Span(stopped.at, event.at))
            stopped = None
    return (stopped.at if stopped else None), (stopped.kind if stopped else None), gaps


def _reopens(kind: str, stopped_by: str) -> bool:
    return (kind == "reopened" and stopped_by in REOPENABLE_STOPS) or (kind == FIX_REOPENED and stopped_by == "fix")


def pauses(log: Sequence[Event]) -> list[Span[datetime]]:
    spans: list[Span[datetime]] = []
    opened: datetime | None = None
    for event in log:
        if event.kind == "pause" and opened is None:
            opened = event.at
        elif event.kind == "resume" and opened is not None:
            spans.append(Span(opened, event.at))
            opened = None
    if opened is not None:
        spans.append(Span(opened))
    return spans


def excluded(spans: list[Span[datetime]], start: datetime) -> list[Span[datetime]]:
    """Spans cut to begin at `start`, sorted and merged (sla.intervals); an open one absorbs everything after it."""
    return merged(clipped(spans, Span(start)))


class Progress:
    """Working time on a calendar from `start`, skipping excluded spans (pauses and reopen gaps)."""

    def __init__(self, calendar: Calendar, start: datetime, exclusions: list[Span[datetime]]) -> None:
        self.calendar, self.start, self.exclusions = calendar, start, exclusions

    def reach(self, amount: timedelta) -> datetime | None:
        """The instant at which `amount` of counted working time has passed; None inside an open pause."""
        cursor, left = self.start, amount
        for excluded in self.exclusions:
            if excluded.start > cursor:
                worked = self.calendar.working_time_between(cursor, excluded.start)
                if worked >= left:
                    break
                left -= worked
            if excluded.end is None:
                return None
            cursor = max(cursor, excluded.end)
        return self.calendar.add(left, to=cursor)

    def consumed(self, until: datetime) -> timedelta:
        """Counted working time in [start, until)."""
        return self._split(until)[0]

    def paused(self, until: datetime) -> timedelta:
        """Working time inside excluded spans in [start, until)."""
        return self._split(until)[1]

    def _split(self, until: datetime) -> tuple[timedelta, timedelta]:
        counted, excluded, cursor = timedelta(0), timedelta(0), self.start
        for span in self.exclusions:
            if span.start >= until:
                break
            counted += self._between(cursor, span.start)
            end = until if span.end is None else min(span.end, until)
            excluded += self._between(span.start, end)
            cursor = max(cursor, end)
        return counted + self._between(cursor, until), excluded

    def _between(self, first: datetime, last: datetime) -> timedelta:
        return self.calendar.working_time_between(first, last) if last > first else timedelta(0)


def latest(log: Sequence[Event], kind: str, default: str) -> str:
    return next((event.value for event in reversed(log) if event.kind == kind), default)


def utc(instant: datetime) -> datetime:
    to_micros(instant)  # refuses naive instants
    return instant.astimezone(UTC)
