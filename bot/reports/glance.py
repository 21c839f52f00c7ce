"""What a manager reads at a glance on the HTML report: the headline (the text report opens with it too), each
priority's compliance with its counts, and the uptime charts, one per distinct run of days (docs/reports.md, "The
HTML report").

Rules:
- The headline: the share of decided targets met in the month (met of decided, over every target of the report),
  the breaches (how many targets were breached, and the requests that breached them, each once, in SR order, the
  first SHOWN of them named), the availability (the lowest of the report's scopes, which scope that is, and the
  scopes under their plan's target) and the credits owed (each scope whose availability earns a credit above 0%,
  the largest first).
- Compliance per priority: met and decided beside the share, every target of the priority summed.
- Uptime charts: scopes whose days are the same (the plans under the outages that apply to everyone, and the
  customers with no outage or window of their own) share one chart named after all of them; a scope whose days
  differ has its own. Charts come in the order of their first scope. Each chart's scale runs from `floor` to
  100%: the nearest multiple of 5 at least one point below its lowest day, at most 95%, so that a day at 98% is
  told apart from a day at 100%.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from bot.reports.monthly import Report, Uptime

SHOWN = 5  # requests named in the headline's breaches


@dataclass(frozen=True)
class PriorityBar:
    """One priority's targets in the month: `met` of `decided`, `percent` met."""

    priority: str
    percent: float
    met: int
    decided: int


@dataclass(frozen=True)
class Headline:
    """The report's first lines (the module's rules)."""

    met: int
    decided: int
    breaches: int
    breached_srs: tuple[int, ...]  # the first SHOWN requests that breached a target, in SR order
    more_srs: int  # how many more requests breached one
    lowest: Uptime | None
    below_target: tuple[str, ...]
    credits: tuple[tuple[str, Fraction], ...]  # (scope, credit %), the largest first

    @property
    def percent(self) -> float | None:
        return None if not self.decided else 100.0 * self.met / self.decided


@dataclass(frozen=True)
class UptimeChart:
    """One chart of uptime per day, shared by the scopes whose days are the same."""

    names: tuple[str, ...]
    daily: tuple[tuple[date, Fraction], ...]
    floor: int  # the scale's bottom, in percent


def headline(report: Report) -> Headline:
    """The headline of `report` (the module's rules)."""
    srs = sorted({number for figures in report.targets for number in figures.breached_srs})
    scopes = report.uptime
    lowest = min(scopes, key=lambda line: line.figures.percent, default=None)
    owed = sorted(((line.name, line.credit) for line in scopes if line.credit > 0), key=lambda pair: -pair[1])
    return Headline(
        met=sum(figures.met for figures in report.targets),
        decided=sum(figures.count for figures in report.targets),
        breaches=sum(figures.breached for figures in report.targets),
        breached_srs=tuple(srs[:SHOWN]),
        more_srs=max(0, len(srs) - SHOWN),
        lowest=lowest,
        below_target=tuple(line.name for line in scopes if line.met is False),
        credits=tuple(owed),
    )


def priority_bars(report: Report) -> list[PriorityBar]:
    """Each priority's met share with its counts, in the order of bot.reports.formats.compliance_by_priority."""
    met: dict[str, int] = defaultdict(int)
    decided: dict[str, int] = defaultdict(int)
    for figures in report.targets:
        priority = str(figures.group[1])
        met[priority] += figures.met
        decided[priority] += figures.count
    return [PriorityBar(p, 100.0 * met[p] / decided[p], met[p], decided[p]) for p in decided if decided[p]]


def uptime_charts(report: Report) -> list[UptimeChart]:
    """One chart per distinct run of days, named after every scope that has it (the module's rules)."""
    groups: dict[tuple[tuple[date, Fraction], ...], list[str]] = {}
    for line in report.uptime:
        groups.setdefault(line.daily, []).append(line.name)
    return [UptimeChart(tuple(names), daily, _floor(daily)) for daily, names in groups.items()]


def _floor(daily: tuple[tuple[date, Fraction], ...]) -> int:
    lowest = min((percent for _, percent in daily), default=Fraction(100))
    return max(0, min(95, int((lowest - 1) // 5) * 5))
