"""Maintenance windows and their notices to customers. No Slack.

Rules:
- A window is added with `frontdesk maintenance add` (stored and audited) or listed in the desk config (added
  to the database when the bot starts, once: the same title and interval are not added twice), with the
  services it takes down (none: every service; docs/status-page.md).
- A planned window is announced one week ahead (at once when it is added later than that), when it starts and
  when it ends; an unplanned one when it is declared and when it is completed. Each notice is said once (the
  reminder ledger), to every customer (bot.desk.notices). A notice whose moment has passed because a later one
  is due (the bot was down through the start) is dropped: customers hear what is true now.
- Windows are excluded from availability (sla.availability, in the monthly reports); nothing here computes it.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.actor import ACTOR
from bot.config.desk import DeskConfig
from bot.desk.notices import notify_customers
from storage import reminders, service_events
from storage.engine import Database, Session

if TYPE_CHECKING:
    from bot.say import Say

AHEAD = timedelta(weeks=1)


def add_configured(database: Database, desk: DeskConfig, now: datetime) -> int:
    """The desk config's windows added to the database (those not there yet); how many were added."""
    added = 0
    with database.write() as session:
        for window in desk.maintenance:
            interval = {"title": window.title, "starts_at": window.start, "ends_at": window.end}
            if service_events.find_maintenance(session, **interval) is None:
                service_events.add_maintenance(session, **interval, actor=ACTOR, now=now, planned=window.planned,
                                               services=window.services)  # fmt: skip
                added += 1
    return added


def sweep_maintenance(
    database: Database, desk: DeskConfig, now: datetime, say_with: Callable[[Session], "Say"]
) -> bool:
    """Says the notices due at `now`; whether any was said."""
    with database.write() as session:
        windows = service_events.maintenance_to_announce(session, now=now, ahead=AHEAD)
        said = [_window(session, desk, window, now, say_with(session)) for window in windows]
    return any(said)


def _window(
    session: Session, desk: DeskConfig, window: service_events.MaintenanceRecord, now: datetime, say: "Say"
) -> bool:
    stages = _stages(window, now)
    if not stages:
        return False
    keys = [f"maintenance:{window.id}:{stage}" for stage in stages]
    new = reminders.record_new(session, [(key, None) for key in keys], now=now)
    if keys[-1] not in new:
        return False
    details = {"title": window.title, "since": window.starts_at.isoformat(), "until": window.ends_at.isoformat()}
    notify_customers(session, desk, say, f"maintenance_{stages[-1]}", details, key=keys[-1])
    return True


def _stages(window: service_events.MaintenanceRecord, now: datetime) -> list[str]:
    """The notices of a window due by `now`, in order; only the last is said, the earlier are passed."""
    if window.planned:
        moments = [("upcoming", window.starts_at - AHEAD), ("started", window.starts_at), ("ended", window.ends_at)]
    else:
        moments = [("declared", window.declared_at or window.starts_at), ("completed", window.ends_at)]
    return [stage for stage, at in moments if at <= now]
