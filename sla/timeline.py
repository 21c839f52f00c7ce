"""Instants, wall-clock readings and a zone's offset changes: the one place where time zones are converted.

Rules:
- An instant is an aware datetime outside this package and, inside it, a whole number of microseconds since
  1970-01-01 00:00 UTC. A naive datetime is refused: without a UTC offset an instant is ambiguous.
- A wall reading is what a zone's clock shows, counted in microseconds since 1970-01-01 00:00 on that clock, so
  that whole local days are multiples of DAY.
- A zone's offset changes (daylight saving and every other transition) are found by reading the zone's offset
  once a day and bisecting each change to the second, the resolution of the tz database.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

MICROSECOND = timedelta(microseconds=1)
SECOND = 1_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


class NaiveInstantError(ValueError):
    """An instant was given without a UTC offset."""

    def __init__(self, value: datetime) -> None:
        super().__init__(f"instant {value.isoformat()} has no UTC offset; give one, e.g. {value.isoformat()}+00:00")


def to_micros(instant: datetime) -> int:
    """The instant as microseconds since the epoch; refuses naive datetimes."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveInstantError(instant)
    return (instant - EPOCH) // MICROSECOND


def from_micros(micros: int, zone: tzinfo) -> datetime:
    """The instant `micros` as an aware datetime in `zone`."""
    return (EPOCH + micros * MICROSECOND).astimezone(zone)


def day_number(day: date) -> int:
    """Days from 1970-01-01 to `day`; wall readings of that day start at day_number(day) * DAY."""
    return day.toordinal() - EPOCH_ORDINAL


def day_of(number: int) -> date:
    """The date of a day number."""
    return date.fromordinal(number + EPOCH_ORDINAL)


def offset_at(zone: tzinfo, micros: int) -> int:
    """The zone's UTC offset, in microseconds, at an instant."""
    offset = from_micros(micros, zone).utcoffset()
    assert offset is not None
    return offset // MICROSECOND


@dataclass(frozen=True)
class OffsetChange:
    """At instant `at` the zone's offset goes from `before` to `after` (all in microseconds)."""

    at: int
    before: int
    after: int


@dataclass(frozen=True)
class ZoneOffsets:
    """A zone's offsets over a span of instants: the offset at the start and every change inside."""

    start_offset: int
    changes: tuple[OffsetChange, ...]


def zone_offsets(zone: tzinfo, start: int, end: int) -> ZoneOffsets:
    """The zone's offset at `start` and every change in (start, end], found by daily reads and bisection."""
    first_second, last_second = start // SECOND, -(-end // SECOND)
    changes: list[OffsetChange] = []
    previous_second, previous = first_second, offset_at(zone, first_second * SECOND)
    start_offset = previous
    second = first_second
    while second < last_second:
        second = min(second + 86_400, last_second)
        current = offset_at(zone, second * SECOND)
        if current != previous:
            changes.append(_locate_change(zone, previous_second, second, previous, current))
        previous_second, previous = second, current
    return ZoneOffsets(start_offset, tuple(changes))


def _locate_change(zone: tzinfo, low: int, high: int, before: int, after: int) -> OffsetChange:
    """Bisect (low, high] in whole seconds for the first second whose offset is no longer `before`."""
    while high - low > 1:
        middle = (low + high) // 2
        if offset_at(zone, middle * SECOND) == before:
            low = middle
        else:
            high = middle
    return OffsetChange(at=high * SECOND, before=before, after=after)
