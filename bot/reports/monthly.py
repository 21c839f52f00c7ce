"""A month's report, built from stored data (storage.reports aggregates, sla.availability figures).

Rules:
- The month runs from local midnight on its first day to local midnight on the next month's first day in the
  policy's zone (sla.availability.month_span), so it can hold 743 or 745 hours across a DST change.
- Target figures per target, priority, plan and kind, in the policy's order of priorities and targets; the same
  per agent (left out of a customer's report: agents' names are internal). The average first response is the
  mean working time of the response targets decided in the month, on their calendars (business hours).
- Targets a resolution cancelled or a deferral stopped in the month are neither met nor breached: they stay out
  of compliance (met of met + breached) and the times, and are shown apart, per target (`set_aside`).
- Availability for every plan (or the one asked for) from the outages and maintenance windows that apply to
  everyone, against the plan's target, with the credit band of the policy; and for each customer of the desk
  (or the one asked for), adding its own outages and windows, against its plan. Each day's uptime is kept for
  the charts. An outage still going on counts up to the month's end or `now`, whichever comes first.
- A customer's report reads only that customer's requests, outages and windows (and the ones for everyone).
- Per service (the desk config's `[[services]]`, docs/status-page.md): a report for one service (`service`, by
  id or name) counts, in every availability line, only the outages and windows that hit it (one naming no
  service hits every one); the whole desk's report adds one line per service (`services`: the outages and
  windows for everyone that hit it, no target and no credit: credits stay per plan and customer).
- Update compliance: every update cycle decided in the month (storage.cycles: met at the public update or missed
  at its period's end), per target, priority and plan, in the policy's order of priorities.
- A report is `early` when the month ended before the first request in its scope was opened, and `empty` when
  nothing happened in it: no target decided, no backlog at its end, no rating, no downtime and no maintenance.
"""

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.config.desk import DeskConfig, Service
from sla.availability import Availability, AvailabilityTerms, availability, daily, month_span
from sla.intervals import Span
from sla.policy import Policy
from storage import reports, service_events
from storage.cycles import CycleFigures, cycle_figures
from storage.engine import Database, Session
from storage.people import CustomerRecord, customers
from storage.reports import Satisfaction, Scope, TargetFigures

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
RESPONSE = "response"


class ReportError(ValueError):
    """The report cannot be made as asked (a bad month, an unknown plan or customer); the message says why."""


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        found = MONTH.match(text.strip())
        if not found or not 1 <= int(found.group(2)) <= 12:
            raise ReportError(f'"{text}" is not a month such as 2026-10')
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def before(cls, instant: datetime, zone: ZoneInfo) -> "Month":
        """The month before the one `instant` falls in, in `zone`."""
        local = instant.astimezone(zone)
        return cls(local.year - (local.month == 1), (local.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def days(self, zone: ZoneInfo) -> list[date]:
        start, end = month_span(self.year, self.month, zone).bounds()
        first, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days)]


@dataclass(frozen=True)
class Uptime:
    """One scope's availability for the month: a plan for everyone, or one customer."""

    name: str  # the plan's label, or the customer's name
    plan: str
    customer: str | None
    figures: Availability
    terms: AvailabilityTerms
    daily: tuple[tuple[date, Fraction], ...]
    service: str | None = None  # the id of the service it is read for; None: every service

    @property
    def met(self) -> bool | None:
        return self.terms.is_met_by(self.figures.percent)

    @property
    def credit(self) -> Fraction:
        return self.terms.credit_for(self.figures.percent)


@dataclass(frozen=True)
class SetAside:
    """One target's figures outside compliance in a month: how many a resolution cancelled, a deferral stopped."""

    target: str
    label: str
    cancelled: int
    deferred: int


@dataclass(frozen=True)
class Report:
    month: Month
    start: datetime
    end: datetime
    policy: Policy
    plan: str | None
    customer: str | None
    targets: tuple[TargetFigures, ...]
    agents: tuple[TargetFigures, ...]
    first_response_seconds: float | None
    backlog: dict[str | None, int]
    satisfaction: Satisfaction | None
    agent_satisfaction: tuple[Satisfaction, ...]
    uptime: tuple[Uptime, ...]
    first_request_at: datetime | None = None
    cycles: tuple[CycleFigures, ...] = ()  # update cycles decided in the month, by target, priority and plan
    service: str | None = None  # the display name of the one service the report is read for
    services: tuple[Uptime, ...] = ()  # the whole desk's availability per service, in the config's order

    @property
    def early(self) -> bool:
        """The month ended before the first request in its scope (or there is none yet)."""
        return self.first_request_at is None or self.first_request_at >= self.end

    @property
    def empty(self) -> bool:
        """Nothing happened in the month: no target decided, no backlog, no rating, no downtime or maintenance."""
        quiet = all(not line.figures.downtime and not line.figures.maintenance for line in self.uptime)
        decided = self.targets or self.cycles or self.satisfaction
        return quiet and not decided and not any(self.backlog.values())

    @property
    def set_aside(self) -> tuple[SetAside, ...]:
        """Per target, in the report's order, the targets cancelled and deferred in the month (where any were)."""
        found: dict[str, list[int]] = {}
        for figures in self.targets:
            counts = found.setdefault(str(figures.group[0]), [0, 0])
            counts[0] += figures.cancelled
            counts[1] += figures.deferred
        return tuple(SetAside(target, self.label(target), *counts) for target, counts in found.items() if any(counts))

    @property
    def zone(self) -> ZoneInfo:
        return self.policy.calendar.zone

    def label(self, target: str) -> str:
        return self.policy.target_labels().get(target, target)


def build_report(
    database: Database,
    desk: DeskConfig,
    month: Month,
    *,
    plan: str | None = None,
    customer: str | None = None,
    now: datetime | None = None,
    service: str | None = None,
) -> Report:
    """The month's report for the desk, or for one plan, customer or service; ReportError names what is unknown."""
    policy = desk.policy
    if plan is not None and plan not in policy.plans:
        raise ReportError(f'"{plan}" is not a plan of policy {policy.name} ({", ".join(policy.plans)})')
    one = _service(desk, service)
    start, end = month_span(month.year, month.month, policy.calendar.zone).bounds()
    with database.read() as session:
        known = customers(session)
        chosen = _customer(known, customer)
        scope = Scope(start, end, plan, None if chosen is None else chosen.id)
        targets = _ordered(policy, reports.target_figures(session, scope, reports.by_terms()))
        internal = chosen is None
        agents = _ordered(policy, reports.target_figures(session, scope, reports.by_agent())) if internal else ()
        [overall] = reports.satisfaction(session, scope) or [None]
        per_agent = tuple(reports.satisfaction(session, scope, [reports.agent_column()])) if internal else ()
        uptime = _uptime(session, policy, month, scope, known if chosen is None else [chosen], now or end, one)
        whole_desk = chosen is None and one is None
        services = (
            tuple(_service_line(session, policy, month, s, now or end) for s in desk.services) if whole_desk else ()
        )
        return Report(
            month, start, end, policy, plan, None if chosen is None else chosen.name, targets, agents,
            _mean_response(targets), reports.backlog(session, scope), overall, per_agent, uptime,
            reports.first_request_at(session, scope), tuple(_ordered_cycles(policy, cycle_figures(session, scope))),
            None if one is None else one.name, services,
        )  # fmt: skip


def _service(desk: DeskConfig, name: str | None) -> Service | None:
    """The service a report is read for (by id or display name), or None for every service."""
    if name is None:
        return None
    found = desk.service_named(name)
    if found is None:
        known = ", ".join(s.id for s in desk.services) or "this desk names none: [[services]] in the desk config"
        raise ReportError(f'"{name}" is not a service ({known})')
    return found


def _customer(known: list[CustomerRecord], name: str | None) -> CustomerRecord | None:
    if name is None:
        return None
    found = next((each for each in known if each.name.casefold() == name.casefold()), None)
    if found is None:
        raise ReportError(f'"{name}" is not a customer ({", ".join(each.name for each in known) or "none yet"})')
    return found


def _ordered(policy: Policy, figures: list[TargetFigures]) -> tuple[TargetFigures, ...]:
    """In the policy's order: targets as the plans list them, then priorities, then the rest by name."""
    targets = list(dict.fromkeys(policy.target_labels()))
    priorities = [priority.name for priority in policy.priorities]

    def rank(value: str | None, order: list[str]) -> tuple[int, str]:
        return (order.index(value), "") if value in order else (len(order), str(value))

    return tuple(
        sorted(figures, key=lambda f: (rank(f.group[0], targets), rank(f.group[1], priorities), *map(str, f.group)))
    )


def _ordered_cycles(policy: Policy, figures: list[CycleFigures]) -> list[CycleFigures]:
    """In the policy's order of priorities, then by target and plan."""
    priorities = [priority.name for priority in policy.priorities]

    def rank(figure: CycleFigures) -> tuple[int, str, str, str]:
        target, priority, plan = figure.group
        return (priorities.index(priority) if priority in priorities else len(priorities), priority, target, plan)

    return sorted(figures, key=rank)


def _mean_response(figures: tuple[TargetFigures, ...]) -> float | None:
    timed = [(f.mean_seconds, f.timed) for f in figures if f.group[0] == RESPONSE and f.mean_seconds is not None]
    total = sum(count for _, count in timed)
    return None if not total else sum(mean * count for mean, count in timed) / total


def _uptime(
    session: Session,
    policy: Policy,
    month: Month,
    scope: Scope,
    known: list[CustomerRecord],
    now: datetime,
    service: Service | None = None,
) -> tuple[Uptime, ...]:
    plans = [] if scope.customer_id is not None else [scope.plan] if scope.plan else list(policy.plans)
    only = None if service is None else service.id
    lines = [_line(session, policy, month, policy.plan(name).label, name, None, None, now, only) for name in plans]
    for customer in known:
        if scope.plan is None or customer.plan == scope.plan:
            name, plan, customer_id = customer.name, customer.plan, customer.id
            lines.append(_line(session, policy, month, name, plan, name, customer_id, now, only))
    return tuple(lines)


def _service_line(session: Session, policy: Policy, month: Month, service: Service, now: datetime) -> Uptime:
    """The whole desk's availability of one service: no plan, no target, no credit."""
    line = _line(session, policy, month, service.name, policy.default_plan, None, None, now, service.id)
    return replace(line, plan="", terms=AvailabilityTerms())


def _line(
    session: Session,
    policy: Policy,
    month: Month,
    name: str,
    plan: str,
    customer: str | None,
    customer_id: int | None,
    now: datetime,
    service: str | None = None,
) -> Uptime:
    zone = policy.calendar.zone
    start, end = month_span(month.year, month.month, zone).bounds()
    cut = min(end, now.astimezone(UTC))
    down = [
        Span(o.start, o.end or cut)
        for o in service_events.outages_between(session, start, end, customer_id=customer_id, service=service)
    ]
    kept = [
        Span(w.start, w.end or w.start)
        for w in service_events.maintenance_between(session, start, end, customer_id=customer_id, service=service)
    ]
    terms = policy.plan(plan).availability
    figures = availability(Span(start, end), down, kept)
    return Uptime(name, plan, customer, figures, terms, daily(month.days(zone), zone, down, kept), service)
