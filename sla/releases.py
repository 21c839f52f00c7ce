"""The release schedule behind `next_release` targets.

Rules:
- Releases are listed instants (with UTC offsets) and/or a recurrence: a first release in local wall-clock time
  of the policy's zone, repeated every N weeks at the same local time (so it stays at 10:00 across DST).
- Releases are compared and returned in UTC (the caller shows them in a calendar's zone).
- Named releases (`[releases.named]`: a name and its instant) are releases too; `named(name)` finds one by its
  name, case-insensitively, so an agent can defer a fix to it (`/frontdesk defer SR until NAME`).
- `next_on_or_after(t)` is the first release at or after t; None when the schedule has none, which makes a
  `next_release` target have no deadline until a release is scheduled.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ReleaseSchedule:
    """Listed release instants and an optional weekly recurrence in `zone`."""

    dates: tuple[datetime, ...] = ()
    first: datetime | None = None  # naive: local wall time in `zone`
    every_weeks: int = 0
    zone: ZoneInfo | None = None
    names: tuple[tuple[str, datetime], ...] = ()  # named releases, in the order of their instants

    @property
    def is_empty(self) -> bool:
        return not self.dates and self.first is None and not self.names

    def named(self, name: str) -> datetime | None:
        """The instant of the release called `name` (any case), in UTC; None when no release has that name."""
        wanted = name.casefold()
        return next((at.astimezone(UTC) for known, at in self.names if known.casefold() == wanted), None)

    def name_of(self, instant: datetime) -> str | None:
        """The name of the release at `instant`, if one is named."""
        return next((known for known, at in self.names if at == instant), None)

    def next_on_or_after(self, instant: datetime) -> datetime | None:
        """The first release at or after `instant`, or None."""
        instant = instant.astimezone(UTC)
        listed = [*self.dates, *(at for _, at in self.names)]
        candidates = [date.astimezone(UTC) for date in listed if date >= instant]
        recurring = self._recurring_on_or_after(instant)
        if recurring is not None:
            candidates.append(recurring)
        return min(candidates, default=None)

    def describe(self) -> str:
        parts = []
        if self.first is not None and self.zone is not None:
            parts.append(f"every {self.every_weeks} week(s) from {self.first:%Y-%m-%d %H:%M} {self.zone.key}")
        if self.dates:
            parts.append(", ".join(date.isoformat() for date in self.dates))
        if self.names:
            parts.append(", ".join(f"{name} {at.isoformat()}" for name, at in self.names))
        return "; ".join(parts) or "no releases scheduled"

    def _recurring_on_or_after(self, instant: datetime) -> datetime | None:
        if self.first is None or self.zone is None:
            return None
        local = instant.astimezone(self.zone).replace(tzinfo=None)
        period = 7 * self.every_weeks
        periods = max(0, -(-(local - self.first).days // period))
        while True:
            candidate = (self.first + periods * period * _DAY).replace(tzinfo=self.zone).astimezone(UTC)
            if candidate >= instant:
                return candidate
            periods += 1
