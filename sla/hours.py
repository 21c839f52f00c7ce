"""Weekly working hours, as policies write them.

Rules:
- Hours are given per day key: `mon` .. `sun`, or a range such as `mon-fri`; each day may list several intervals
  `HH:MM-HH:MM`. `24:00` is allowed as an end. An interval whose end is before its start crosses midnight:
  `fri = ["22:00-06:00"]` works Friday 22:00-24:00 and Saturday 00:00-06:00.
- Working time belongs to the local date it lies on (docs/architecture.md, "Time"): after splitting at midnight,
  each weekday holds sorted, merged intervals of minutes in [0, 1440] (sla.intervals). Overlaps are merged, not
  refused.
- A day named twice, a bad day key, a malformed time or an empty interval raises HoursError naming the text.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sla.intervals import Span, merged

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


class HoursError(ValueError):
    """Working hours that cannot be understood; the message quotes the offending text."""


@dataclass(frozen=True)
class WeeklyHours:
    """For each weekday, Monday first, the sorted disjoint working intervals as (start, end) minutes."""

    days: tuple[tuple[tuple[int, int], ...], ...]

    @classmethod
    def around_the_clock(cls) -> "WeeklyHours":
        """Every minute of every day."""
        return cls(tuple(((0, MINUTES_PER_DAY),) for _ in DAY_KEYS))

    @classmethod
    def parse(cls, spec: Mapping[str, Sequence[str]]) -> "WeeklyHours":
        """Hours from `{day key: [interval, ...]}`."""
        pieces: list[list[Span[int]]] = [[] for _ in DAY_KEYS]
        named: set[int] = set()
        for key, intervals in spec.items():
            for weekday in _weekdays(key):
                if weekday in named:
                    raise HoursError(f'"{DAY_KEYS[weekday]}" is given more than once (in "{key}")')
                named.add(weekday)
                for text in intervals:
                    for day, start, end in _split_at_midnight(weekday, text):
                        pieces[day].append(Span(start, end))
        return cls(tuple(tuple(span.bounds() for span in merged(day)) for day in pieces))

    def minutes_on(self, weekday: int) -> int:
        """Working minutes on a weekday (0 is Monday)."""
        return sum(end - start for start, end in self.days[weekday])

    def describe(self) -> tuple[str, ...]:
        """One readable line per run of days with the same hours, e.g. "Mon-Fri 09:00-18:00", "Sat-Sun closed"."""
        lines = []
        start = 0
        for day in range(1, 8):
            if day == 7 or self.days[day] != self.days[start]:
                names = DAY_KEYS[start].capitalize()
                if day - 1 > start:
                    names += f"-{DAY_KEYS[day - 1].capitalize()}"
                text = ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in self.days[start]) or "closed"
                lines.append(f"{names} {text}")
                start = day
        return tuple(lines)


def _weekdays(key: str) -> list[int]:
    lowered = key.strip().lower()
    first, _, last = lowered.partition("-")
    if first not in DAY_KEYS or (last and last not in DAY_KEYS):
        raise HoursError(f'unknown day "{key}": use mon..sun or a range such as mon-fri')
    start = DAY_KEYS.index(first)
    stop = DAY_KEYS.index(last) if last else start
    if stop < start:
        raise HoursError(f'day range "{key}" runs backwards')
    return list(range(start, stop + 1))


def _split_at_midnight(weekday: int, text: str) -> list[tuple[int, int, int]]:
    start_text, separator, end_text = text.partition("-")
    if not separator:
        raise HoursError(f'interval "{text}" must look like 09:00-17:00')
    start, end = _minute(start_text, text, allow_end=False), _minute(end_text, text, allow_end=True)
    if start == end:
        raise HoursError(f'interval "{text}" is empty; use 00:00-24:00 for a whole day')
    if start < end:
        return [(weekday, start, end)]
    following = (weekday + 1) % 7
    parts = [(weekday, start, MINUTES_PER_DAY)]
    if end:
        parts.append((following, 0, end))
    return parts


def _minute(value: str, text: str, *, allow_end: bool) -> int:
    match = _TIME.match(value)
    if not match:
        raise HoursError(f'"{value.strip()}" in "{text}" is not a time of day (HH:MM)')
    hour, minute = int(match.group(1)), int(match.group(2))
    total = hour * 60 + minute
    if minute > 59 or total > MINUTES_PER_DAY or (total == MINUTES_PER_DAY and not allow_end):
        raise HoursError(f'"{value.strip()}" in "{text}" is not a time of day (00:00 to 24:00)')
    return total


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"
