"""Update-cycle benchmark, run on demand: `python tests/perf/bench_cycles.py` (not collected by pytest).

One owkin P1 request left open for a month (its "every 30 minutes" update target on business hours: about 400
periods, a public update every third one or so, the others missed), on SQLite (a temporary file migrated to
head). Every change of a request recomputes its clocks and its update cycles (bot.desk.clocks.recompute), so
this prints, best of `--rounds`, the time of:
- sla.clocks and sla.cycles alone on the month's log (pure, no database), and sla.cycles resumed after the
  latest cycle (what the incremental recompute asks);
- the first recompute, which inserts every cycle row;
- a recompute with nothing new (the cycles compared with the stored ones, nothing written);
- a recompute after one more public update (one cycle added, the rest compared).
"""

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import text

from bot.desk import clocks as desk_clocks
from sla import presets
from sla.clocks import clocks
from sla.cycles import cycles
from sla.log import Event
from storage import ticket_events
from storage.engine import Database
from storage.migrate import upgrade

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # Monday 2 November 2026, 09:00 in Paris
TICKET = """
INSERT INTO ticket (sr_number, kind, status, attachments_none, missing_fields, opened_at, updated_at, completed_at,
                    priority, plan, description, agents_thread_ts)
VALUES (1, 'incident', 'open', 0, '[]', :at, :at, :at, 'P1', 'kpro', 'Production is down', '1790000000.000001')
"""


def month_log(days: int) -> list[Event]:
    """Completion, P1, then a public update every 100 minutes of the day's business hours, for `days` days."""
    log = [Event(START, "complete"), Event(START, "priority", "P1")]
    for day in range(days):
        opening = START + timedelta(days=day)
        if opening.weekday() >= 5:
            continue
        log += [Event(opening + timedelta(minutes=minutes), "public_reply") for minutes in range(20, 540, 100)]
    return log


def best(rounds: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    policy = presets.load("owkin")
    log = month_log(args.days)
    now = START + timedelta(days=args.days)
    found = cycles(policy, log, now)
    since = found[-1].decided_at - timedelta(minutes=5)
    resume = {c.target: c for c in found if c.decided_at < since}

    def incremental() -> object:
        return cycles(policy, log, now, since=since, resume=resume)

    rows = [
        ("periods decided (sla.cycles)", f"{len(found)}", f"{sum(c.met for c in found)} met"),
        ("sla.clocks, the month's log", f"{best(args.rounds, lambda: clocks(policy, log, now)) * 1000:.1f} ms", ""),
        ("sla.cycles, the month's log", f"{best(args.rounds, lambda: cycles(policy, log, now)) * 1000:.1f} ms", ""),
        ("sla.cycles, resumed at the last one", f"{best(args.rounds, incremental) * 1000:.1f} ms", ""),
    ]
    with tempfile.TemporaryDirectory() as folder:
        database = Database.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(database)
        with database.write() as session:
            session.connection().execute(text(TICKET), {"at": START.strftime("%Y-%m-%d %H:%M:%S.%f")})
            ticket_id = int(session.connection().execute(text("SELECT id FROM ticket")).scalar_one())
            for event in log:
                kind, at, value = event.kind, event.at, event.value
                ticket_events.record_event(session, ticket_id, kind, at=at, actor="bench", value=value)

        def recompute(at: datetime) -> None:
            with database.write() as session:
                desk_clocks.recompute(session, policy, ticket_id, now=at, actor="bench")

        rows.append(("first recompute (inserts the cycles)", f"{best(1, lambda: recompute(now)) * 1000:.1f} ms", ""))
        rows.append(("recompute, nothing new", f"{best(args.rounds, lambda: recompute(now)) * 1000:.1f} ms", ""))
        later = now + timedelta(minutes=10)
        with database.write() as session:
            ticket_events.record_event(session, ticket_id, "public_reply", at=later, actor="bench")
        rows.append(("recompute, one update more", f"{best(1, lambda: recompute(later)) * 1000:.1f} ms", ""))
        database.dispose()
    width = max(len(name) for name, _, _ in rows)
    print(f"{'what':<{width}}  {'time':>10}  note")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
