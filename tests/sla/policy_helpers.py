"""Small helpers shared by the policy, preset and availability tests."""

from datetime import datetime
from functools import cache

from sla import presets
from sla.calendar import Calendar
from sla.durations import NextRelease, NoDeadline, WorkingDuration
from sla.policy import Policy


def at(text: str) -> datetime:
    """A fixed aware instant written as ISO 8601 with its UTC offset, e.g. 2026-11-24T17:30+01:00."""
    instant = datetime.fromisoformat(text)
    assert instant.utcoffset() is not None, f"{text} needs a UTC offset"
    return instant


@cache
def preset(name: str) -> Policy:
    """A preset, loaded once per test session (policies are frozen)."""
    return presets.load(name)


def written_targets(policy: Policy, plan: str | None, kind: str | None, priority: str) -> dict[str, tuple[str, str]]:
    """{target name: (duration as written, calendar name)} for a request of this plan, kind and priority."""
    return {
        target.name: (str(target.duration), target.calendar.name) for target in policy.targets(plan, kind, priority)
    }


def calendar_facts(calendar: Calendar) -> tuple[str, object, str | None, str | None]:
    """A calendar's zone, weekly hours (WeeklyHours.days, minutes per weekday), holiday country and subdivision."""
    return calendar.zone.key, calendar.hours.days, calendar.holidays.country, calendar.holidays.subdivision


def due(
    policy: Policy, plan: str | None, kind: str | None, priority: str, name: str, start: datetime
) -> datetime | None:
    """When the named target of a request falls due if it starts at `start` (no pauses); None for no deadline."""
    target = policy.target(plan, kind, priority, name)
    duration = target.duration
    if isinstance(duration, WorkingDuration):
        return target.calendar.add(target.calendar.length_of(duration), to=start)
    if isinstance(duration, NextRelease):
        return policy.releases.next_on_or_after(start)
    assert isinstance(duration, NoDeadline)
    return None
