"""Helpers for the clock tests: a request's event log written one event per line, and what clocks() says of it."""

from datetime import datetime
from fractions import Fraction

from sla.clocks import Clocks, TargetState, clocks
from sla.log import Event
from sla.policy import Policy
from tests.sla.policy_helpers import at, preset


def log(*lines: str) -> list[Event]:
    """Events written "INSTANT KIND [VALUE]", e.g. "2026-11-23T10:30+01:00 priority P1"."""
    events = []
    for line in lines:
        when, kind, *value = line.split(maxsplit=2)
        events.append(Event(at(when), kind, *value))
    return events


def policy_of(policy: Policy | str) -> Policy:
    return preset(policy) if isinstance(policy, str) else policy


def clocks_at(policy: Policy | str, lines: list[str] | tuple[str, ...], now: str) -> Clocks:
    """clocks() of the request whose log is `lines` (see `log`), at the instant `now` (ISO 8601 with offset)."""
    return clocks(policy_of(policy), log(*lines), at(now))


def target_at(policy: Policy | str, lines: list[str] | tuple[str, ...], now: str, name: str) -> TargetState:
    """The state of the target `name` at `now`."""
    return clocks_at(policy, lines, now).target(name)


def timeline(state: TargetState) -> list[tuple[datetime, str, Fraction, str]]:
    """A target's milestones as (instant, what, fraction, escalation level or "")."""
    return [
        (milestone.at, milestone.what, milestone.fraction, milestone.escalation.to if milestone.escalation else "")
        for milestone in state.milestones
    ]


def instants(result: Clocks) -> list[datetime]:
    """Every instant a result reports about its targets (not `now`)."""
    found: list[datetime | None] = [result.next_change]
    for state in result.targets:
        found += [state.started_at, state.due_at, state.stopped_at, state.breached_at]
        found += [milestone.at for milestone in state.milestones]
    return [instant for instant in found if instant is not None]
