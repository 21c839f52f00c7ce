"""Which local dates are holidays: python-holidays for a country (and subdivision), plus extra and removed dates.

Rules:
- Holidays are local dates, never instants (storing them as instants is how helpdesks get them off by one day).
- A date in `removed` is never a holiday; a date in `extra` always is; otherwise python-holidays decides,
  for any year asked (there is no "last known year").
- An unknown country or subdivision raises HolidayRulesError at construction, not at first use.
- python-holidays knows each country for a range of years (e.g. France 1803-2100) and is silent outside it;
  `known_years` says which, so a calendar can refuse to answer rather than treat unknown years as holiday-free.
"""

from dataclasses import dataclass, field
from datetime import date

import holidays


class HolidayRulesError(ValueError):
    """A country or subdivision python-holidays does not know."""


@dataclass(frozen=True)
class HolidayRules:
    """The holiday dates of a calendar."""

    country: str | None = None
    subdivision: str | None = None
    extra: frozenset[date] = field(default_factory=frozenset)
    removed: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.subdivision and not self.country:
            raise HolidayRulesError(f'subdivision "{self.subdivision}" needs a country')
        if self.country:
            try:
                holidays.country_holidays(self.country, subdiv=self.subdivision, years=())
            except NotImplementedError as error:
                raise HolidayRulesError(
                    f'python-holidays knows no country "{self.country}"'
                    + (f' with subdivision "{self.subdivision}"' if self.subdivision else "")
                ) from error

    @property
    def known_years(self) -> tuple[int, int] | None:
        """The years python-holidays knows for this country; None without a country (any year)."""
        if not self.country:
            return None
        calendar = holidays.country_holidays(self.country, subdiv=self.subdivision, years=())
        return int(calendar.start_year), int(calendar.end_year)

    def named_in(self, first_year: int, last_year: int) -> dict[date, str]:
        """Every holiday in the years first_year..last_year with its name."""
        found: dict[date, str] = {}
        if self.country:
            calendar = holidays.country_holidays(
                self.country, subdiv=self.subdivision, years=range(first_year, last_year + 1)
            )
            found.update({day: str(name) for day, name in calendar.items()})
        found.update({day: "Extra holiday" for day in self.extra if first_year <= day.year <= last_year})
        for day in self.removed:
            found.pop(day, None)
        return found

    def describe(self) -> str:
        """A short readable summary, e.g. "FR holidays, 1 extra, 1 removed"."""
        parts = []
        if self.country:
            region = f"{self.country}-{self.subdivision}" if self.subdivision else self.country
            parts.append(f"{region} public holidays")
        if self.extra:
            parts.append(f"{len(self.extra)} extra")
        if self.removed:
            parts.append(f"{len(self.removed)} removed")
        return ", ".join(parts) or "no holidays"
