"""A brute-force business calendar for the tests: it steps minute by minute and shares nothing with the engine.

Each whole UTC minute [m, m + 1 min) is working time when its start, read on the calendar zone's clock with
zoneinfo, falls on a non-holiday local date inside one of that weekday's intervals. Every boundary the engine
knows (hours in whole minutes, offsets and their changes in whole minutes for the zones tested) is a whole
minute, so counting minutes is exact. Only the calendar's public data is read: `hours.days`, `holidays.named_in`
and `zone`. Inputs must be whole minutes; that keeps this obviously right and slow.
"""

from datetime import UTC, date, datetime, timedelta

from sla.calendar import Calendar

STEP = timedelta(minutes=1)


class Reference:
    """Answers add, between and next opening for one calendar by counting open minutes."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar
        self._holidays_by_year: dict[int, frozenset[date]] = {}

    def is_holiday(self, day: date) -> bool:
        """Whether a local date is a holiday (neighbouring years are asked too, for observed days that cross)."""
        if day.year not in self._holidays_by_year:
            named = self.calendar.holidays.named_in(day.year - 1, day.year + 1)
            self._holidays_by_year[day.year] = frozenset(named)
        return day in self._holidays_by_year[day.year]

    def is_open_minute(self, start: datetime) -> bool:
        """Whether the minute that starts at the whole-minute instant `start` is working time."""
        local = start.astimezone(self.calendar.zone)
        if self.is_holiday(local.date()):
            return False
        minute_of_day = local.hour * 60 + local.minute
        return any(begin <= minute_of_day < end for begin, end in self.calendar.hours.days[local.weekday()])

    def add(self, duration: timedelta, to: datetime) -> datetime:
        """The earliest T >= `to` with `duration` of working time in [to, T), in UTC."""
        left = _whole_minutes(duration)
        instant = _utc_minute(to)
        while left > 0:
            if self.is_open_minute(instant):
                left -= 1
            instant += STEP
        return instant

    def between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in [start, end), negative when end is before start."""
        first, last = _utc_minute(start), _utc_minute(end)
        if last < first:
            return -self.between(last, first)
        open_minutes = 0
        instant = first
        while instant < last:
            open_minutes += self.is_open_minute(instant)
            instant += STEP
        return open_minutes * STEP

    def next_opening(self, instant: datetime) -> datetime:
        """The first whole-minute instant at or after `instant` that is working time, in UTC."""
        current = _utc_minute(instant)
        while not self.is_open_minute(current):
            current += STEP
        return current


def _whole_minutes(duration: timedelta) -> int:
    minutes, rest = divmod(duration, STEP)
    assert not rest, f"the reference takes whole minutes, not {duration}"
    assert minutes >= 0, f"the reference takes no negative duration ({duration})"
    return minutes


def _utc_minute(instant: datetime) -> datetime:
    assert instant.tzinfo is not None, "the reference takes aware instants"
    utc = instant.astimezone(UTC)
    assert utc == utc.replace(second=0, microsecond=0), f"the reference takes whole minutes, not {instant}"
    return utc
