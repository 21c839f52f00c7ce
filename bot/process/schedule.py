"""The desk's sweeps, as the scheduler runs them: what each one is and how often it runs.

Rules:
- milestones (every 30 s): warnings, breaches, escalations and update nags (bot.desk.reminders);
- abandoned-intake (every minute): reminders and closing of unfinished requests (bot.desk.intake.abandoned);
- resolved-unanswered (every minute): closing resolved requests nobody confirmed (bot.desk.closing);
- maintenance (every minute): notices of maintenance windows to customers (bot.desk.maintenance);
- monthly-report (every 10 minutes): the previous month's report on the month's report day, to the agents and
  to each customer's channels (bot.reports.monthly_post);
- dead-letters (every minute): the agents channel is told, once each, of messages that could not be delivered
  (not of its own alerts, so an agents channel that cannot be reached makes no loop, nor of forms whose trigger
  expired before they could open: the person just clicks again; `frontdesk status` still lists them).
- waiting-channels (every 10 minutes): the oldest message waiting for each channel the bot is not in is tried
  again, in case Slack's member_joined_channel was missed (bot.slack.membership).
- tracker-poll (every 5 minutes, so the first run is at start): the reconciliation poll of the defect trackers,
  stored as calls of the outgoing channel (paced and rate limited like every call), applied when answered
  (bot.desk.defects.start_polls);
- cycles-backfill (every 10 minutes, so the first run is at start): once per database, the update cycles of the
  requests older than the cycles' table (bot.desk.clocks.backfill_cycles); once a run has succeeded, later runs
  only read that it did (a period like the others', so the stale-sweep alert of docs/operations.md holds).
Every sweep speaks through a bot.say.Say (Slack, and email to requesters who wrote by email) made for its
transaction, at the sweep's `now`; the dead-letters alert is Slack's alone.
"""

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.config.desk import DeskConfig
from bot.desk import defects
from bot.desk.clocks import backfill_cycles
from bot.desk.closing import sweep_resolved
from bot.desk.intake.abandoned import sweep_abandoned
from bot.desk.maintenance import sweep_maintenance
from bot.desk.reminders import count_milestones
from bot.integrations.trackers import configured
from bot.process.scheduler import Sweep
from bot.reports.monthly_post import sweep_monthly_report
from bot.say import Say
from bot.slack.membership import probe_waiting
from bot.slack.say import SlackSayer
from storage import dead_letters, outbox, reminders, sweep_runs
from storage.engine import Database, Session

MINUTE = timedelta(minutes=1)
BACKFILL = "cycles-backfill"
ALERT = "dead-letters:"  # an alert that cannot be delivered is not alerted about (no alert loop)
EXPIRED_TRIGGERS = frozenset({"expired_trigger_id", "exchanged_trigger_id"})  # a form opened too late


def desk_sweeps(database: Database, desk: DeskConfig) -> tuple[Sweep, ...]:
    def say_at(now: datetime) -> Callable[[Session], Say]:
        return lambda session: Say(session, desk, now)

    return (
        Sweep(
            "milestones", timedelta(seconds=30), lambda now: bool(count_milestones(database, desk, now, say_at(now)))
        ),
        Sweep("abandoned-intake", MINUTE, lambda now: sweep_abandoned(database, desk, now, say_at(now)).anything),
        Sweep("resolved-unanswered", MINUTE, lambda now: bool(sweep_resolved(database, desk, now, say_at(now)))),
        Sweep("dead-letters", MINUTE, lambda now: sweep_dead_letters(database, desk, now)),
        Sweep("maintenance", MINUTE, lambda now: sweep_maintenance(database, desk, now, say_at(now))),
        Sweep("monthly-report", 10 * MINUTE, lambda now: sweep_monthly_report(database, desk, now, say_at(now))),
        Sweep("waiting-channels", 10 * MINUTE, lambda now: probe_waiting(database, now)),
        Sweep(BACKFILL, 10 * MINUTE, lambda now: sweep_backfill(database, desk, now)),
        Sweep("tracker-poll", 5 * MINUTE, lambda now: sweep_trackers(database, desk, now)),
    )


def sweep_trackers(database: Database, desk: DeskConfig, now: datetime) -> bool:
    """Asks each configured tracker for what changed since its last poll (calls stored in the outbox)."""
    trackers = configured.trackers(desk)
    if not trackers:
        return False
    with database.write() as session:
        return defects.start_polls(session, trackers, now=now) > 0


def sweep_backfill(database: Database, desk: DeskConfig, now: datetime) -> bool:
    """The update cycles of the requests that have none, once per database (a good run is recorded by the
    scheduler in storage.sweep_runs); says nothing."""
    with database.read() as session:
        done = any(run.name == BACKFILL and run.last_error is None for run in sweep_runs.sweep_runs(session))
    if not done:
        backfill_cycles(database, desk.policy, now)
    return False


def sweep_dead_letters(database: Database, desk: DeskConfig, now: datetime) -> bool:
    """Tells the agents channel, once each, of the messages that could not be delivered."""
    with database.write() as session:
        dead = [d for d in outbox.dead_letters(session, limit=50) if _worth_alerting(d)]
        new = set(reminders.record_new(session, [(dead_letters.alert_key(d.id), None) for d in dead], now=now))
        fresh = [letter for letter in dead if dead_letters.alert_key(letter.id) in new]
        if fresh:
            _alert(session, desk, fresh, now)
    return bool(fresh)


def _worth_alerting(letter: outbox.DeadLetter) -> bool:
    """Not an alert of our own (no loop), nor a form whose click expired (the person clicks again)."""
    return not letter.idempotency_key.startswith(ALERT) and letter.last_error not in EXPIRED_TRIGGERS


def _alert(session: Session, desk: DeskConfig, letters: list[outbox.DeadLetter], now: datetime) -> None:
    # the ledger says each death once; the instant tells apart a row's second death (after a retry) from its first
    key = f"{ALERT}{min(d.id for d in letters)}:{now.strftime('%Y%m%dT%H%M%S')}"
    SlackSayer(session, desk, now).dead_letters(letters, key=key)
