"""Storage benchmark, run on demand: `python tests/perf/bench_storage.py` (not collected by pytest).

Prints one table for SQLite and PostgreSQL:
- inbox inserts per second, one commit each, from 1 thread and from 8 threads;
- the time to find, lock and read the due tickets (100 of them) among 100,000 and 1,000,000 open ones, one
  transaction (goal: under 20 ms, which only the index on ticket (next_change_at, id) gives); median of 7;
- SR numbers allocated per second by 8 concurrent writers, one transaction each.

SQLite runs as configured for production (WAL, synchronous=NORMAL) in a temporary file. PostgreSQL is a
temporary cluster started here with its default durability (fsync and synchronous_commit on) and stopped at
the end. Open tickets are bulk-loaded with one SQL statement per backend; everything measured goes through
the storage functions the bot calls.
"""

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import text

from storage.engine import Database
from storage.inbox import receive
from storage.migrate import upgrade
from storage.numbers import next_number
from storage.sweeps import lock_due
from tests.storage.helpers import run_in_threads
from tests.storage.postgres import PostgresServer, find_bindir

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DUE = 100
SPREAD_SECONDS = 30 * 24 * 3600  # open tickets change at some point in the next 30 days

FILL_SQLITE = """
WITH RECURSIVE n(x) AS (SELECT :first UNION ALL SELECT x + 1 FROM n WHERE x < :last)
INSERT INTO ticket (sr_number, kind, status, attachments_none, missing_fields, opened_at, updated_at, next_change_at)
SELECT x, 'incident', 'open', 0, '[]', '2026-11-01 09:00:00.000000', '2026-11-01 09:00:00.000000',
       CASE WHEN x <= :due
            THEN strftime('%Y-%m-%d %H:%M:%S', '2026-11-23 09:00:00', '-' || x || ' seconds') || '.000000'
            ELSE strftime('%Y-%m-%d %H:%M:%S', '2026-11-23 09:01:00', '+' || ((x * 7919) % :spread) || ' seconds')
                 || '.000000'
       END
FROM n
"""
FILL_POSTGRESQL = """
INSERT INTO ticket (sr_number, kind, status, attachments_none, missing_fields, opened_at, updated_at, next_change_at)
SELECT x, 'incident', 'open', false, '[]', '2026-11-01 09:00:00+00', '2026-11-01 09:00:00+00',
       CASE WHEN x <= :due
            THEN timestamptz '2026-11-23 09:00:00+00' - x * interval '1 second'
            ELSE timestamptz '2026-11-23 09:01:00+00' + ((x * 7919) % CAST(:spread AS bigint)) * interval '1 second'
       END
FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS x
"""


def inbox_rate(database: Database, threads: int, per_thread: int, run: int) -> float:
    def insert(thread: int) -> None:
        for number in range(per_thread):
            with database.write() as session:
                receive(
                    session, key=f"run{run}-t{thread}-{number}", source="slack", conversation=f"C{thread}",
                    payload={"type": "message", "text": "the export page is blank"}, now=NOW,
                )  # fmt: skip

    started = time.perf_counter()
    run_in_threads([lambda thread=thread: insert(thread) for thread in range(threads)])
    return threads * per_thread / (time.perf_counter() - started)


def fill_tickets(database: Database, first: int, last: int) -> None:
    statement = FILL_POSTGRESQL if database.backend == "postgresql" else FILL_SQLITE
    parameters = {"first": first, "last": last, "due": DUE, "spread": SPREAD_SECONDS}
    with database.write() as session:
        session.connection().execute(text(statement), parameters)
    with database.write() as session:
        session.connection().exec_driver_sql("ANALYZE")


def lock_time_ms(database: Database, repeats: int = 7) -> tuple[float, float]:
    """Median and worst time of a transaction locking and reading the due tickets (as the milestone sweep's
    batch does), then ending without changing them."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        with database.write() as session:
            locked = lock_due(session, now=NOW, limit=DUE)
        timings.append((time.perf_counter() - started) * 1000)
        assert len(locked) == DUE, len(locked)
    return statistics.median(timings), max(timings)


def sr_rate(database: Database, writers: int, per_writer: int) -> float:
    def allocate() -> None:
        for _ in range(per_writer):
            with database.write() as session:
                next_number(session, "bench")

    started = time.perf_counter()
    run_in_threads([allocate] * writers)
    return writers * per_writer / (time.perf_counter() - started)


def measure(database: Database, sizes: list[int], inserts: int, say: Callable[[str], None]) -> dict[str, str]:
    upgrade(database)
    results = {}
    say("inbox inserts")
    results["inbox inserts/s, 1 thread (one commit each)"] = f"{inbox_rate(database, 1, inserts, 1):,.0f}"
    results["inbox inserts/s, 8 threads (one commit each)"] = f"{inbox_rate(database, 8, inserts // 8, 2):,.0f}"
    loaded = 0
    for size in sizes:
        say(f"loading {size:,} open tickets")
        fill_tickets(database, loaded + 1, size)
        loaded = size
        median, worst = lock_time_ms(database)
        results[f"lock and read the {DUE} due tickets among {size:,} open, ms (median / worst of 7)"] = (
            f"{median:.1f} / {worst:.1f}"
        )
    say("SR numbers")
    results["SR numbers/s, 8 concurrent writers"] = f"{sr_rate(database, 8, inserts // 8):,.0f}"
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="open ticket counts, increasing")
    parser.add_argument("--inserts", type=int, default=2000, help="inbox inserts and SR numbers per measure")
    arguments = parser.parse_args()
    sizes = [int(size) for size in arguments.sizes.split(",")]

    def say(message: str) -> None:
        print(f"  {message}...", file=sys.stderr, flush=True)

    columns: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        print("SQLite", file=sys.stderr)
        sqlite = Database.from_url(f"sqlite:///{folder}/bench.db")
        columns["SQLite"] = measure(sqlite, sizes, arguments.inserts, say)
        sqlite.dispose()
    bindir = find_bindir()
    if bindir is None:
        print("PostgreSQL binaries not found: PostgreSQL column left out", file=sys.stderr)
    else:
        print("PostgreSQL", file=sys.stderr)
        server = PostgresServer.start(bindir, durable=True)
        try:
            postgres = Database.from_url(server.create_database("bench"))
            columns["PostgreSQL"] = measure(postgres, sizes, arguments.inserts, say)
            postgres.dispose()
        finally:
            server.stop()
    rows = list(next(iter(columns.values())))
    width = max(len(row) for row in rows)
    print(f"| {'measure':<{width}} | " + " | ".join(f"{name:>15}" for name in columns) + " |")
    print(f"| {'-' * width} | " + " | ".join("-" * 15 for _ in columns) + " |")
    for row in rows:
        print(f"| {row:<{width}} | " + " | ".join(f"{columns[name][row]:>15}" for name in columns) + " |")


if __name__ == "__main__":
    main()
