"""Sweep benchmark, run on demand: `python tests/perf/bench_sweeps.py` (not collected by pytest).

100,000 open requests on SQLite (a temporary file migrated to head, production settings), 1,000 of them due,
each past its response deadline (three reminders each: 50%, 80%, breach). Prints a table:
- the milestone sweep's wall time for the 1,000 due requests (clocks recomputed from each one's event log,
  reminders recorded in the ledger, digests enqueued, each request rescheduled);
- the delivery of what the sweep said to the local Slack emulator over HTTP at the per-channel pace: the wall
  time of the work and the Slack time the pace takes (the clock is injected and moved to each next try);
- the resident memory of this process (ru_maxrss) after the application's sweeps ran once on 100,000 open
  requests, and the number of scheduler jobs (one per sweep, never one per request).
Goal: memory under 200 MB.
"""

import argparse
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import text

from bot.config.desk import parse_desk_config
from bot.delivery.deliverer import Deliverer, delivery_client
from bot.desk.reminders import sweep_milestones
from bot.process.schedule import desk_sweeps
from bot.process.scheduler import Sweeper
from bot.say import Say
from slack_emulator import SlackEmulator, Workspace
from storage import outbox
from storage.engine import Database
from storage.kinds import OutboxState
from storage.migrate import upgrade

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 16:00 in Paris
FILL = """
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :total)
INSERT INTO ticket (sr_number, kind, status, attachments_none, missing_fields, opened_at, updated_at, completed_at,
                    priority, plan, description, next_change_at, agents_thread_ts)
SELECT x, 'incident', 'open', 0, '[]', '2026-11-23 09:00:00.000000', '2026-11-23 09:00:00.000000',
       '2026-11-23 09:00:00.000000', 'P4', 'kpro', 'Request ' || x,
       CASE WHEN x <= :due THEN '2026-11-23 14:00:00.000000' ELSE '2026-11-30 09:00:00.000000' END,
       '1790000000.' || printf('%06d', x)
FROM n
"""
EVENTS = """
INSERT INTO ticket_event (ticket_id, at, kind, value, actor)
SELECT t.id, '2026-11-23 09:00:00.000000', e.kind, e.value, 'frontdesk'
FROM ticket t, (SELECT 1 AS o, 'complete' AS kind, '' AS value UNION ALL SELECT 2, 'plan', 'kpro'
                UNION ALL SELECT 3, 'kind', 'incident' UNION ALL SELECT 4, 'priority', 'P4') e
WHERE t.sr_number <= :due ORDER BY t.id, e.o
"""


def fill(database: Database, total: int, due: int) -> None:
    with database.write() as session:
        session.connection().execute(text(FILL), {"total": total, "due": due})
        session.connection().execute(text(EVENTS), {"due": due})
    with database.write() as session:
        session.connection().exec_driver_sql("ANALYZE")


def deliver(database: Database, emulator: SlackEmulator) -> tuple[float, timedelta, int]:
    """Delivers everything pending with an injected clock; wall seconds, Slack time, rows sent."""
    moment = [NOW]
    deliverer = Deliverer(database, delivery_client(emulator.bot_token, emulator.base_url), lambda: moment[0])
    started = time.perf_counter()
    while deliverer.deliver_once(moment[0]) or deliverer.next_due is not None:
        if deliverer.next_due is not None and deliverer.next_due > moment[0]:
            moment[0] = deliverer.next_due
    with database.read() as session:
        sent = outbox.outbox_counts(session).get(OutboxState.SENT, 0)
    return time.perf_counter() - started, moment[0] - NOW, sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=1_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, SlackEmulator(Workspace.example()) as emulator:
        workspace = emulator.workspace
        config = parse_desk_config(
            f'policy = "owkin"\n[slack]\nintake_channel = "{workspace.channel("support").id}"\n'
            f'agents_channel = "{workspace.channel("support-agents").id}"\n'
            f'[agents]\nusers = ["{workspace.user("bob").id}"]\n',
            source="bench.toml",
            folder=Path(folder),
        )
        database = Database.from_url(f"sqlite:///{folder}/bench.db")
        upgrade(database)
        print(f"filling {arguments.total:,} open requests, {arguments.due:,} due ...", file=sys.stderr)
        fill(database, arguments.total, arguments.due)
        started = time.perf_counter()
        said = sweep_milestones(database, config, NOW, lambda session: Say(session, config, NOW))
        sweep_seconds = time.perf_counter() - started
        with database.read() as session:
            queued = outbox.outbox_counts(session).get(OutboxState.PENDING, 0)
        wall, slack_time, sent = deliver(database, emulator)
        sweeper = Sweeper(database, desk_sweeps(database, config), lambda: NOW + timedelta(minutes=5))
        sweeper.run_all()
        memory_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        jobs = len(sweeper.sweeps)
        database.dispose()
    rows = [
        ("open requests", f"{arguments.total:,}"),
        ("due in the sweep", f"{arguments.due:,}"),
        ("reminders said (once each)", f"{len(said):,}"),
        ("messages enqueued (digests)", f"{queued:,}"),
        ("milestone sweep, wall time", f"{sweep_seconds:.2f} s"),
        ("delivery, wall time of the work", f"{wall:.2f} s"),
        ("delivery, Slack time at the channel pace", f"{slack_time.total_seconds():.0f} s"),
        ("messages delivered", f"{sent:,}"),
        ("scheduler jobs", f"{jobs} (one per sweep)"),
        ("resident memory (max RSS)", f"{memory_mb:.0f} MB (goal < 200 MB)"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure':<{width}} | value |")
    print(f"| {'-' * width} | ----- |")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


if __name__ == "__main__":
    main()
