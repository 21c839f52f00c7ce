"""The public status page (`GET /status`): what is down now, what maintenance is going on or coming, and 90 days
of daily uptime, from templates/status/page.html.j2.

Rules:
- Only what is public: outages and maintenance windows for everyone (those of one customer are theirs, not the
  world's), by title and time. No requester, no customer, no SR's text, no note is ever read for it.
- Days are local days in the policy's zone (23 or 25 hours across a DST change); the last one is today. An
  outage still going on counts until `now`; the rest of today counts as up so far.
- The month's figure is the availability from the start of this month (local midnight) until `now`.
- Maintenance shown: going on now, and starting within the next 30 days.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

from bot.config.desk import DeskConfig
from bot.render import render
from sla.availability import availability, daily, month_span
from sla.intervals import Span
from storage import service_events
from storage.engine import Database
from storage.service_events import Interval

DAYS = 90
AHEAD = timedelta(days=30)


@dataclass(frozen=True)
class Status:
    now: datetime
    outages: tuple[Interval, ...]  # going on now
    maintenance: tuple[Interval, ...]  # going on now or coming
    days: tuple[tuple[date, Fraction], ...]
    month: Fraction


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
    down = [Span(o.start, min(o.end or now, now)) for o in outages if o.start <= now]
    kept = [Span(w.start, w.end or w.start) for w in windows]
    return Status(
        now=now,
        outages=tuple(o for o in outages if o.start <= now and (o.end is None or o.end > now)),
        maintenance=tuple(w for w in windows if w.end is not None and w.end > now),
        days=daily(days, zone, down, kept),
        month=availability(Span(month_start, now), down, kept).percent,
    )


def status_page(database: Database, desk: DeskConfig, now: datetime) -> str:
    """The page's HTML at `now`."""
    return render("status/page.html.j2", status=current_status(database, desk, now), zone=desk.policy.calendar.zone)
