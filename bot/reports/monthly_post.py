"""The monthly report sweep: on the month's report day, the previous month's report goes to the agents channel
(the whole desk) and to each customer's channels (their own figures only), each with its chart.

Rules:
- The report day is the desk config's `[reports] monthly_on_business_day` (default 1: the first business day)
  on the policy's calendar, holidays included; the report goes out once that day's business hours open (09:00
  on a Mon-Fri 09:00-17:00 calendar), or at the next sweep after it. 0 turns it off.
- Each month's report is posted once, by one worker: a ledger key `monthly-report:YYYY-MM` is recorded in the
  same transaction as the messages (storage.reminders). Until the next month's report day, a bot that was down
  on the day posts it when it is back; a month missed entirely is not posted late (`frontdesk report` has it).
- No report for a month that ended before the desk's first request, nor (unless the desk config's `[reports]
  post_empty` is true) for a month with nothing in it (bot.reports.monthly: `early`, `empty`); a customer's
  report follows the same rule on its own figures. The ledger key is recorded all the same: the month is done.
- The chart is a PNG written under the attachment folder (`reports/`) and shared in the message's thread by
  Slack's external upload (the outbox's files.upload).
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config.desk import DeskConfig
from bot.desk.customers import save_customers
from bot.reports.chart import chart_png
from bot.reports.monthly import Month, Report, build_report
from sla.calendar import Calendar
from storage import reminders
from storage.engine import Database, Session

if TYPE_CHECKING:
    from bot.say import Say

LEDGER = "monthly-report:"
Poster = Callable[[Session], "Say"]


def report_day_opening(calendar: Calendar, year: int, month: int, number: int) -> datetime | None:
    """The opening of the month's `number`-th business day on `calendar`; None when the month has fewer."""
    zone = calendar.zone
    day = date(year, month, 1)
    for _ in range(number):
        opening = calendar.next_opening(datetime(day.year, day.month, day.day, tzinfo=zone)).astimezone(zone)
        if (opening.year, opening.month) != (year, month):
            return None
        day = opening.date() + timedelta(days=1)
    return opening


def sweep_monthly_report(database: Database, desk: DeskConfig, now: datetime, say_with: Poster) -> bool:
    """Posts the previous month's reports when the report day has come and they were not posted (nor skipped);
    whether it posted any."""
    if not desk.monthly_report_day:
        return False
    calendar = desk.policy.calendar
    local = now.astimezone(calendar.zone)
    opening = report_day_opening(calendar, local.year, local.month, desk.monthly_report_day)
    if opening is None or now < opening:
        return False
    month = Month.before(now, calendar.zone)
    key = f"{LEDGER}{month}"
    with database.read() as session:
        if reminders.was_recorded(session, key):
            return False
    save_customers(database, desk, now)
    posts = _posts(database, desk, month, now)
    with database.write() as session:
        if not reminders.record_new(session, [(key, None)], now=now):
            return False  # another worker posted it meanwhile
        say = say_with(session)
        for channel, report, chart, post_key in posts:
            say.monthly_report(report, channel, chart, key=post_key)
    return bool(posts)


def _posts(database: Database, desk: DeskConfig, month: Month, now: datetime) -> list[tuple[str, Report, Path, str]]:
    """(channel, report, chart file, key) for the agents channel and every customer channel."""
    folder = desk.intake.attachments_folder / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    whole = build_report(database, desk, month, now=now)
    if not _worth_posting(desk, whole):
        return []
    posts = [(desk.agents_channel, whole, _chart(folder, whole, "desk"), f"{LEDGER}{month}:desk")]
    for number, customer in enumerate(desk.customers):
        if not customer.slack_channels:
            continue
        own = build_report(database, desk, month, customer=customer.name, now=now)
        if not _worth_posting(desk, own):
            continue
        chart = _chart(folder, own, f"customer-{number}")
        posts += [(channel, own, chart, f"{LEDGER}{month}:{channel}") for channel in customer.slack_channels]
    return posts


def _worth_posting(desk: DeskConfig, report: Report) -> bool:
    """Not before the first request; not empty, unless the desk asks for empty reports."""
    return not report.early and (desk.post_empty_reports or not report.empty)


def _chart(folder: Path, report: Report, name: str) -> Path:
    path = folder / f"{report.month}-{name}.png"
    path.write_bytes(chart_png(report))
    return path
