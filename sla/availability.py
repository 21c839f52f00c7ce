"""Monthly availability and service credits (docs/architecture.md, "Glossary"; owkin, k0nsult, livepro).

Rules:
- availability % = (total minutes - downtime minutes) / total minutes x 100, where maintenance windows are
  excluded from both: total is the period less maintenance, downtime is the union of outages less maintenance.
  (The policies say "excluding planned maintenance"; removing it from the total as well is the common reading and
  never penalises a customer for a window they were told about.) Overlapping outages count once.
- A month runs from local midnight on its first day to local midnight on the next month's first day in the
  policy's zone, so it can hold 743 or 745 hours across DST; outages are clipped to it (an outage spanning two
  months counts in each for its part).
- All instants are compared in UTC (Python compares two datetimes of one zone by their wall readings).
- Percentages are exact fractions; rounding is for display only. With no time left after maintenance the
  service counts as fully available.
- A day is a local day (`local_day`): midnight to midnight in the zone, 23 or 25 hours across a DST change.
- Credit bands are [at_least, below) ranges of availability; the band containing the figure gives the credit,
  none gives 0.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from sla.intervals import Span, clipped, intersection, merged

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class CreditBand:
    """Availability in [at_least, below) earns `credit` percent of the monthly fee."""

    at_least: Fraction
    below: Fraction
    credit: Fraction

    def contains(self, percent: Fraction) -> bool:
        return self.at_least <= percent < self.below


@dataclass(frozen=True)
class AvailabilityTerms:
    """A plan's availability commitment: the target percentage (if any) and its credit bands."""

    target: Fraction | None = None
    credits: tuple[CreditBand, ...] = ()

    def credit_for(self, percent: Fraction) -> Fraction:
        """The credit (percent of the monthly fee) owed for an availability figure."""
        return next((band.credit for band in self.credits if band.contains(percent)), Fraction(0))

    def is_met_by(self, percent: Fraction) -> bool | None:
        """Whether the figure meets the target; None without a target."""
        return None if self.target is None else percent >= self.target


@dataclass(frozen=True)
class Availability:
    """The availability of one period."""

    start: datetime
    end: datetime
    total: timedelta
    downtime: timedelta
    maintenance: timedelta

    @property
    def percent(self) -> Fraction:
        if not self.total:
            return Fraction(100)
        return Fraction(100) * Fraction((self.total - self.downtime) // _MICROSECOND, self.total // _MICROSECOND)


def month_span(year: int, month: int, zone: ZoneInfo) -> Span[datetime]:
    """From local midnight on the month's first day to local midnight on the next month's first day."""
    following = (year + month // 12, month % 12 + 1)
    return Span(
        datetime(year, month, 1, tzinfo=zone).astimezone(UTC),
        datetime(following[0], following[1], 1, tzinfo=zone).astimezone(UTC),
    )


def local_day(day: date, zone: ZoneInfo) -> Span[datetime]:
    """From local midnight on `day` to local midnight on the next day (23 or 25 hours across a DST change)."""
    following = day + timedelta(days=1)
    return Span(
        datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC),
        datetime(following.year, following.month, following.day, tzinfo=zone).astimezone(UTC),
    )


def daily(
    days: Sequence[date], zone: ZoneInfo, outages: Sequence[Span[datetime]], maintenance: Sequence[Span[datetime]]
) -> tuple[tuple[date, Fraction], ...]:
    """Each local day's availability percentage."""
    return tuple((day, availability(local_day(day, zone), outages, maintenance).percent) for day in days)


def availability(
    period: Span[datetime], outages: Iterable[Span[datetime]], maintenance: Iterable[Span[datetime]]
) -> Availability:
    """The availability over `period` given downtime spans and maintenance windows (an outage not over yet counts
    to the end of the period)."""
    period = _in_utc(period)
    start, end = period.bounds()
    windows = merged(clipped(map(_in_utc, maintenance), period))
    down = merged(clipped(map(_in_utc, outages), period))
    downtime = _length(down) - _length(intersection(down, windows))
    maintained = _length(windows)
    return Availability(start, end, (end - start) - maintained, downtime, maintained)


def _in_utc(span: Span[datetime]) -> Span[datetime]:
    return Span(span.start.astimezone(UTC), None if span.end is None else span.end.astimezone(UTC))


def _length(spans: Iterable[Span[datetime]]) -> timedelta:
    return sum((end - start for start, end in (span.bounds() for span in spans)), timedelta(0))
