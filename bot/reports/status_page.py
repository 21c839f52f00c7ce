"""The public status page (`GET /status`): what is down now, what maintenance is going on or coming, and 90 days
of daily uptime, from templates/status/page.html.j2.

Rules:
- Only what is public: outages and maintenance windows for everyone (those of one customer are theirs, not the
  world's), by title and time. No requester, no customer, no SR's text, no note is ever read for it.
- Days are local days in the policy's zone (23 or 25 hours across a DST change); the last one is today. An
  outage still going on counts until `now`; the rest of today counts as up so far.
- The month's figure is the availability from the start of this month (local midnight) until `now`.
- Maintenance shown: going on now, and starting within the next 30 days.
- A desk with `[[services]]` (docs/status-page.md) shows each service, in the config's order, with its state now
  (an outage going on that hits it: `outage`; else a maintenance window going on that takes it down:
  `maintenance`; else `operational`), its own 90 days and its month, counting only the outages and windows that
  hit it (one naming no service hits every one). A desk without services shows the one set of bars, as the
  whole desk's.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from bot.config.desk import DeskConfig, Service
from bot.render import render
from sla.availability import availability, daily, month_span
from sla.intervals import Span
from storage import service_events
from storage.engine import Database
from storage.service_events import Interval

DAYS = 90
AHEAD = timedelta(days=30)


@dataclass(frozen=True)
class ServiceStatus:
    service: Service
    state: str  # operational, outage or maintenance
    days: tuple[tuple[date, Fraction], ...]
    month: Fraction


@dataclass(frozen=True)
class Status:
    now: datetime
    outages: tuple[Interval, ...]  # going on now
    maintenance: tuple[Interval, ...]  # going on now or coming
    days: tuple[tuple[date, Fraction], ...]
    month: Fraction
    services: tuple[ServiceStatus, ...] = ()  # the desk's services, in order; none without [[services]]


@dataclass(frozen=True)
class _Window:
    """What the page's figures are computed over."""

    days: list[date]
    zone: ZoneInfo
    month: Span[datetime]
    now: datetime


def current_status(database: Database, desk: DeskConfig, now: datetime) -> Status:
    """The public figures at `now`."""
    zone = desk.policy.calendar.zone
    today = now.astimezone(zone).date()
    days = [today - timedelta(days=n) for n in range(DAYS - 1, -1, -1)]
    first = datetime(days[0].year, days[0].month, days[0].day, tzinfo=zone).astimezone(UTC)
    month_start = month_span(today.year, today.month, zone).start
    since = min(first, month_start)
    with database.read() as session:
        outages = service_events.outages_between(session, since, now + AHEAD)
        windows = service_events.maintenance_between(session, since, now + AHEAD)
    window = _Window(days, zone, Span(month_start, now), now)
    days_all, month_all = _figures(window, outages, windows)
    going_on = tuple(o for o in outages if o.start <= now and (o.end is None or o.end > now))
    in_progress = [w for w in windows if w.start <= now and w.end is not None and w.end > now]
    return Status(
        now=now,
        outages=going_on,
        maintenance=tuple(w for w in windows if w.end is not None and w.end > now),
        days=days_all,
        month=month_all,
        services=tuple(_service(s, window, outages, windows, going_on, in_progress) for s in desk.services),
    )


def _figures(
    window: _Window, outages: Sequence[Interval], windows: Sequence[Interval]
) -> tuple[tuple[tuple[date, Fraction], ...], Fraction]:
    """Each day's uptime and the month's availability, from these outages and windows."""
    now = window.now
    down = [Span(o.start, min(o.end or now, now)) for o in outages if o.start <= now]
    kept = [Span(w.start, w.end or w.start) for w in windows]
    return daily(window.days, window.zone, down, kept), availability(window.month, down, kept).percent


def _service(
    service: Service,
    window: _Window,
    outages: Sequence[Interval],
    windows: Sequence[Interval],
    going_on: Sequence[Interval],
    in_progress: Sequence[Interval],
) -> ServiceStatus:
    """One service's state now and figures, from the intervals that hit it."""
    days, month = _figures(
        window, [o for o in outages if o.hits(service.id)], [w for w in windows if w.hits(service.id)]
    )
    if any(o.hits(service.id) for o in going_on):
        state = "outage"
    elif any(w.hits(service.id) for w in in_progress):
        state = "maintenance"
    else:
        state = "operational"
    return ServiceStatus(service, state, days, month)


def status_page(database: Database, desk: DeskConfig, now: datetime) -> str:
    """The page's HTML at `now`."""
    names = {s.id: s.name for s in desk.services}
    status = current_status(database, desk, now)
    status = replace(status, outages=_in_order(status.outages, names), maintenance=_in_order(status.maintenance, names))
    for interval in (*status.outages, *status.maintenance):
        names.update({i: i for i in interval.services if i not in names})  # a service no longer configured
    return render("status/page.html.j2", status=status, zone=desk.policy.calendar.zone, names=names)


def _in_order(intervals: tuple[Interval, ...], names: dict[str, str]) -> tuple[Interval, ...]:
    """The intervals with their services in the desk config's order (one it no longer names last)."""
    rank = {service: index for index, service in enumerate(names)}
    return tuple(
        replace(i, services=tuple(sorted(i.services, key=lambda s: rank.get(s, len(rank))))) for i in intervals
    )
