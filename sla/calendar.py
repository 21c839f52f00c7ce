"""Business calendars: when work happens, and exact arithmetic on working time.

Rules (docs/architecture.md, "Time"):
- Working time is the set of instants whose local time lies in a working interval on a non-holiday local date.
  Across a daylight-saving change an interval holds the real elapsed time (00:00-24:00 can be 23 or 25 hours).
- `add(d, to=t)` is the earliest instant T >= t such that the working time in [t, T) equals d: Mon 09:00 + 8h on
  09:00-17:00 is Mon 17:00, and a 1h target opened on Saturday is due Monday 10:00.
- `working_time_between(a, b)` is the working time in [a, b); it is negative when b is before a.
- `1d` is the day length (set explicitly, or the longest daily working time of the week); `1w` is the number of
  working weekdays times `1d`.
- Results are exact to the microsecond and come back in the calendar's zone.

How, and why it is fast: F(u), the working time from an origin to instant u, is N(wall(u)) plus a correction for
each offset change before u. N counts working time on the wall clock in closed form: whole weeks, a prefix within
the week, minus a prefix sum over the sorted holidays (found by bisection). A spring-forward change skips wall time,
so its working part is subtracted; a fall-back change repeats wall time, so its working part is added. F is
continuous and never decreases, so between(a, b) = F(b) - F(a) and add(d, t) = the earliest u with
F(u) = F(t) + d, found by bisection over the offset changes and a short fixed-point iteration over the holidays.
Nothing walks day by day; tables cover a range of years and grow when a question leaves them.
"""

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from sla.durations import WorkingDuration
from sla.holiday_rules import HolidayRules
from sla.hours import WeeklyHours
from sla.timeline import (
    DAY,
    MICROSECOND,
    MINUTE,
    day_number,
    from_micros,
    to_micros,
    zone_offsets,
)

FIRST_YEAR, LAST_YEAR = 1900, 2200
_MARGIN_DAYS = 7


class CalendarError(ValueError):
    """A calendar that cannot work, or a question it cannot answer."""


@dataclass(frozen=True)
class _Week:
    """The weekly hours in microseconds, with prefix sums; weekday 0 is Monday."""

    intervals: tuple[tuple[tuple[int, int], ...], ...]
    day_totals: tuple[int, ...]
    prefix: tuple[int, ...]  # prefix[i] = working time of weekdays 0..i-1; prefix[7] is the week's total

    @classmethod
    def of(cls, hours: WeeklyHours) -> "_Week":
        intervals = tuple(tuple((s * MINUTE, e * MINUTE) for s, e in day) for day in hours.days)
        totals = tuple(sum(e - s for s, e in day) for day in intervals)
        prefix = [0]
        for total in totals:
            prefix.append(prefix[-1] + total)
        return cls(intervals, totals, tuple(prefix))

    @property
    def total(self) -> int:
        return self.prefix[7]

    def before(self, weekday: int, time_of_day: int) -> int:
        """Working time on `weekday` before `time_of_day`."""
        done = 0
        for start, end in self.intervals[weekday]:
            if time_of_day <= start:
                break
            done += min(time_of_day, end) - start
        return done

    def position(self, weekday: int, amount: int) -> int:
        """The earliest time of day by which `amount` (0 < amount <= day total) of `weekday` has been worked."""
        for start, end in self.intervals[weekday]:
            if amount <= end - start:
                return start + amount
            amount -= end - start
        raise AssertionError("amount exceeds the day's working time")

    def days_reaching(self, amount: int) -> int:
        """The least number of whole days from a Monday whose working time is at least `amount` (> 0)."""
        weeks = (amount - 1) // self.total
        for day in range(1, 8):
            if weeks * self.total + self.prefix[day] >= amount:
                return 7 * weeks + day
        raise AssertionError("a week always reaches")


@dataclass(frozen=True)
class _Table:
    """Closed-form working time for the instants of a range of years; built once, then read by any thread."""

    week: _Week
    first_year: int
    last_year: int
    origin_day: int  # a Monday; working time is counted from its start
    first_instant: int
    last_instant: int
    holidays: tuple[int, ...]  # day numbers of holidays that fall on working weekdays, sorted
    holiday_set: frozenset[int]
    removed_before: tuple[int, ...]  # removed_before[i]: working time taken by holidays[:i]
    changes: tuple[int, ...]  # instants of offset changes, sorted
    offsets_after: tuple[int, ...]
    start_offset: int
    corrections_before: tuple[int, ...]  # corrections_before[j]: sum of the first j changes' corrections
    working_at_changes: tuple[int, ...]  # F at each change

    def covers(self, instant: int) -> bool:
        return self.first_instant <= instant <= self.last_instant

    def working_until(self, instant: int) -> int:
        """F: working time from the origin to `instant`."""
        return (
            self.wall_working_until(instant + self.offset_at(instant))
            + self.corrections_before[bisect_right(self.changes, instant)]
        )

    def earliest_instant_with(self, amount: int) -> int:
        """The earliest instant u with F(u) == amount, for amount above F at the first instant."""
        segment = bisect_left(self.working_at_changes, amount)
        offset = self.offsets_after[segment - 1] if segment else self.start_offset
        return self.earliest_wall_with(amount - self.corrections_before[segment]) - offset

    def wall_working_until(self, wall: int) -> int:
        """N: working time on the wall clock from the origin to the wall reading `wall`."""
        day, time_of_day = divmod(wall, DAY)
        weekday = (day - self.origin_day) % 7
        index = bisect_left(self.holidays, day)
        before_today = self._nominal_before(day - self.origin_day) - self.removed_before[index]
        if index < len(self.holidays) and self.holidays[index] == day:
            return before_today
        return before_today + self.week.before(weekday, time_of_day)

    def earliest_wall_with(self, amount: int) -> int:
        """The earliest wall reading w with N(w) == amount (> 0): the least day whose end reaches it, then the time."""
        removed, days = 0, 0
        while True:
            days = self.week.days_reaching(amount + removed)
            now_removed = self.removed_before[bisect_left(self.holidays, self.origin_day + days)]
            if now_removed == removed:
                break
            removed = now_removed
        day = self.origin_day + days - 1
        before_day = self._nominal_before(days - 1) - self.removed_before[bisect_left(self.holidays, day)]
        return day * DAY + self.week.position((days - 1) % 7, amount - before_day)

    def is_open_at_wall(self, wall: int) -> bool:
        day, time_of_day = divmod(wall, DAY)
        if day in self.holiday_set:
            return False
        intervals = self.week.intervals[(day - self.origin_day) % 7]
        return any(start <= time_of_day < end for start, end in intervals)

    def offset_at(self, instant: int) -> int:
        index = bisect_right(self.changes, instant)
        return self.offsets_after[index - 1] if index else self.start_offset

    def _nominal_before(self, days: int) -> int:
        weeks, rest = divmod(days, 7)
        return weeks * self.week.total + self.week.prefix[rest]


class _TableCache:
    """Holds the newest table; replacing it is one reference assignment, so readers never see half a table."""

    table: _Table | None = None


@dataclass(frozen=True)
class Calendar:
    """A business calendar: a zone, weekly hours and holidays. Methods take and give aware datetimes."""

    zone: ZoneInfo
    hours: WeeklyHours
    holidays: HolidayRules = field(default_factory=HolidayRules)
    day_length: timedelta | None = None
    name: str = "business"
    _week: _Week = field(init=False, repr=False, compare=False)
    _cache: _TableCache = field(init=False, repr=False, compare=False, default_factory=_TableCache)

    def __post_init__(self) -> None:
        week = _Week.of(self.hours)
        if week.total == 0:
            raise CalendarError(f'calendar "{self.name}" has no working hours')
        if self.day_length is not None and self.day_length <= timedelta(0):
            raise CalendarError(f'calendar "{self.name}": day_length must be positive')
        object.__setattr__(self, "_week", week)

    @classmethod
    def always(cls, zone: ZoneInfo, name: str = "always") -> "Calendar":
        """24x7 without holidays."""
        return cls(zone=zone, hours=WeeklyHours.around_the_clock(), name=name)

    @property
    def is_always(self) -> bool:
        """Open every minute of every day, no holidays."""
        return self.hours == WeeklyHours.around_the_clock() and self.holidays == HolidayRules()

    @property
    def working_days_per_week(self) -> int:
        return sum(1 for total in self._week.day_totals if total)

    @property
    def length_of_day(self) -> timedelta:
        """What `1d` means here: the explicit day length, or the longest daily working time in the week."""
        if self.day_length is not None:
            return self.day_length
        return max(self._week.day_totals) * MICROSECOND

    def length_of(self, duration: WorkingDuration) -> timedelta:
        """The working time a duration stands for on this calendar (to the nearest microsecond)."""
        day = Fraction(self.length_of_day // MICROSECOND)
        amount = duration.weeks * self.working_days_per_week * day + duration.days * day + duration.minutes * MINUTE
        return round(amount) * MICROSECOND

    def add(self, duration: timedelta | WorkingDuration, to: datetime) -> datetime:
        """The earliest instant T >= `to` with exactly `duration` of working time in [to, T)."""
        amount = self._micros(duration)
        if amount < 0:
            raise CalendarError(f"cannot add a negative duration ({duration})")
        start = to_micros(to)
        if amount == 0:
            return from_micros(start, self.zone)
        table = self._table_covering(start, start)
        while True:
            target = table.working_until(start) + amount
            if target <= table.working_until(table.last_instant):
                return from_micros(table.earliest_instant_with(target), self.zone)
            table = self._table_reaching_further(table)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """The working time in [start, end), negative if end is before start."""
        first, last = to_micros(start), to_micros(end)
        table = self._table_covering(min(first, last), max(first, last))
        return (table.working_until(last) - table.working_until(first)) * MICROSECOND

    def is_open_at(self, instant: datetime) -> bool:
        """Whether `instant` is working time."""
        micros = to_micros(instant)
        table = self._table_covering(micros, micros)
        return table.is_open_at_wall(micros + table.offset_at(micros))

    def next_opening(self, instant: datetime) -> datetime:
        """The earliest instant at or after `instant` that is working time."""
        if self.is_open_at(instant):
            return instant.astimezone(self.zone)
        return from_micros(to_micros(self.add(MICROSECOND, to=instant)) - 1, self.zone)

    def holidays_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """The holidays from `first` to `last` inclusive, with their names, in date order."""
        named = self.holidays.named_in(first.year, last.year)
        return sorted((day, name) for day, name in named.items() if first <= day <= last)

    def describe(self) -> tuple[str, ...]:
        """Readable lines: zone, hours per weekday, holidays, day length."""
        if self.is_always:
            return (f"{self.zone.key}, always open (24x7, no holidays)",)
        return (
            self.zone.key,
            *self.hours.describe(),
            self.holidays.describe(),
            f"1d = {_hours_text(self.length_of_day)}, 1w = {self.working_days_per_week}d",
        )

    def _micros(self, duration: timedelta | WorkingDuration) -> int:
        if isinstance(duration, WorkingDuration):
            duration = self.length_of(duration)
        return duration // MICROSECOND

    def _table_covering(self, first: int, last: int) -> _Table:
        """A table answering for the instants `first` and `last`, built (with a margin of years) if need be."""
        table = self._cache.table
        if table is not None and table.covers(first) and table.covers(last):
            return table
        lowest, highest = self._answerable_years()
        first_year = from_micros(max(first, _FIRST_INSTANT), self.zone).year - 1
        last_year = from_micros(min(last, _LAST_INSTANT), self.zone).year + 2
        if table is not None:
            first_year, last_year = min(first_year, table.first_year), max(last_year, table.last_year)
        table = self._store(max(first_year, lowest), min(last_year, highest))
        if not (table.covers(first) and table.covers(last)):
            raise self._out_of_range(lowest, highest)
        return table

    def _table_reaching_further(self, table: _Table) -> _Table:
        """A table with at least twice as many years after its first, up to the last answerable year."""
        lowest, highest = self._answerable_years()
        if table.last_year >= highest:
            raise self._out_of_range(lowest, highest)
        span = table.last_year - table.first_year + 1
        return self._store(table.first_year, min(highest, table.last_year + span))

    def _store(self, first_year: int, last_year: int) -> _Table:
        table = _build_table(self, self._week, first_year, last_year)
        self._cache.table = table
        return table

    def _answerable_years(self) -> tuple[int, int]:
        """The years this calendar answers for: those python-holidays knows for its holidays, within limits."""
        lowest, highest = self.holidays.known_years or (FIRST_YEAR, LAST_YEAR)
        return max(lowest, FIRST_YEAR), min(highest, LAST_YEAR)

    def _out_of_range(self, lowest: int, highest: int) -> CalendarError:
        known = " (the years python-holidays knows for its holidays)" if self.holidays.known_years else ""
        return CalendarError(f'calendar "{self.name}" answers for the years {lowest} to {highest} only{known}')


_FIRST_INSTANT = to_micros(datetime.fromisoformat(f"{FIRST_YEAR}-01-01T00:00:00+00:00"))
_LAST_INSTANT = to_micros(datetime.fromisoformat(f"{LAST_YEAR}-12-31T00:00:00+00:00"))


def _build_table(calendar: Calendar, week: _Week, first_year: int, last_year: int) -> _Table:
    first_day = day_number(date(first_year, 1, 1)) - _MARGIN_DAYS
    origin_day = first_day - (first_day + 3) % 7  # day 0 (1970-01-01) was a Thursday
    end_day = day_number(date(last_year, 12, 31)) + _MARGIN_DAYS
    holidays = sorted(
        number
        for number in map(day_number, calendar.holidays.named_in(first_year - 1, last_year + 1))
        if origin_day <= number < end_day and week.day_totals[(number - origin_day) % 7]
    )
    removed = [0]
    for number in holidays:
        removed.append(removed[-1] + week.day_totals[(number - origin_day) % 7])
    offsets = zone_offsets(calendar.zone, (origin_day - 2) * DAY, (end_day + 2) * DAY)
    table = _Table(
        week=week,
        first_year=first_year,
        last_year=last_year,
        origin_day=origin_day,
        first_instant=to_micros(datetime(first_year, 1, 1, tzinfo=calendar.zone)),
        last_instant=to_micros(datetime(last_year + 1, 1, 1, tzinfo=calendar.zone)) - 1,
        holidays=tuple(holidays),
        holiday_set=frozenset(holidays),
        removed_before=tuple(removed),
        changes=tuple(change.at for change in offsets.changes),
        offsets_after=tuple(change.after for change in offsets.changes),
        start_offset=offsets.start_offset,
        corrections_before=(),
        working_at_changes=(),
    )
    corrections = [0]
    for change in offsets.changes:
        skipped_or_repeated = table.wall_working_until(change.at + change.before) - table.wall_working_until(
            change.at + change.after
        )
        corrections.append(corrections[-1] + skipped_or_repeated)
    working_at_changes = tuple(
        table.wall_working_until(change.at + change.after) + corrections[index + 1]
        for index, change in enumerate(offsets.changes)
    )
    return replace(table, corrections_before=tuple(corrections), working_at_changes=working_at_changes)


def _hours_text(length: timedelta) -> str:
    minutes = int(length.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest:02d}m" if rest else f"{hours}h"
