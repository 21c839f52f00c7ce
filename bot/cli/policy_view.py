"""What `frontdesk policy show` and `policy check` print: a policy as rows and cells for the templates.

Rules:
- Durations are shown as the policy wrote them; a target on a calendar other than the policy's default says
  which one in brackets, e.g. `30m (always)`.
- The next holidays are those from `today` on, so the table reads as of the day it is printed.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sla.durations import WorkingDuration
from sla.policy import Plan, Policy
from sla.targets import Target

UPCOMING_HOLIDAYS = 6


@dataclass(frozen=True)
class TargetTable:
    """Targets of one plan (or one kind within it): a header row and one row per priority."""

    kind: str | None
    starts_on: str | None
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @property
    def grid(self) -> list[tuple[str, ...]]:
        return [self.header, *self.rows]


def priority_rows(policy: Policy) -> list[tuple[str, str, str]]:
    """Name, label and description of each priority."""
    return [(priority.name, priority.label, priority.description) for priority in policy.priorities]


def matrix_rows(policy: Policy) -> list[tuple[str, ...]]:
    """The impact x urgency matrix as a header of urgencies and one row per impact."""
    if policy.matrix is None:
        return []
    matrix = policy.matrix
    header = ("impact \\ urgency", *(choice.name for choice in matrix.urgencies))
    return [header, *((impact.name, *row) for impact, row in zip(matrix.impacts, matrix.cells, strict=True))]


def target_tables(policy: Policy, plan: Plan) -> list[TargetTable]:
    """The plan's general targets, then each kind with its own targets."""
    tables = [_table(policy, plan.targets, None)] if plan.targets else []
    tables.extend(_table(policy, rows, kind) for kind, rows in plan.kind_targets.items())
    return tables


def upcoming_holidays(policy: Policy, today: date) -> dict[str, list[tuple[date, str]]]:
    """For each calendar with holidays, its next few holidays from `today`."""
    found = {}
    for name, calendar in policy.calendars.items():
        days = calendar.holidays_between(today, today + timedelta(days=400))[:UPCOMING_HOLIDAYS]
        if days:
            found[name] = days
    return found


def _table(policy: Policy, rows: dict[str, tuple[Target, ...]], kind: str | None) -> TargetTable:
    names: list[str] = []
    for targets in rows.values():
        names.extend(target.name for target in targets if target.name not in names)
    labels = {target.name: target.definition.label for targets in rows.values() for target in targets}
    starts = {target.definition.starts_on for targets in rows.values() for target in targets}
    body = []
    for priority in policy.priorities:
        by_name = {target.name: target for target in rows.get(priority.name, ())}
        body.append((priority.name, *(_cell(policy, by_name.get(name)) for name in names)))
    return TargetTable(
        kind=kind,
        starts_on=starts.pop() if kind and len(starts) == 1 else None,
        header=("", *(labels[name] for name in names)),
        rows=tuple(body),
    )


def _cell(policy: Policy, target: Target | None) -> str:
    if target is None:
        return "-"
    text = str(target.duration)
    if isinstance(target.duration, WorkingDuration) and target.calendar.name != policy.calendar.name:
        text += f" ({target.calendar.name})"
    return text
