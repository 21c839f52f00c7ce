"""Report benchmark, run on demand (not collected by pytest):
`python tests/perf/bench_report.py [--requests N] [--backend sqlite|postgresql|both]`.

Fills a database (migrated to head, production settings) in bulk SQL with N requests (default 1,000,000) of the
k0nsult policy completed between August and December 2026, about a quarter of them decided in October: 20
customers on the three plans, 30 agents, S1-S4, two deadlines each (response, resolution; met, breached or
running, with the working time of the stopped ones), ratings on a third of the closed ones, 150 outages and 20
maintenance windows. Then measures, best of 3 after a warm-up:
- the October 2026 report of the whole desk (bot.reports.monthly.build_report), formatted as text and as JSON;
- one customer's report;
- the peak memory Python allocates while building and formatting the whole desk's report (tracemalloc), for a
  database of N/10 requests and one of N: the same, since the database aggregates and Python gets one row per
  group.
Goal: under 10 s on PostgreSQL and under 30 s on SQLite; memory that does not grow with N.
"""

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import text

from bot.config.desk import DeskConfig, parse_desk_config
from bot.reports.formats import formatted
from bot.reports.monthly import Month, build_report
from storage.engine import Database
from storage.migrate import upgrade
from tests.storage.postgres import PostgresServer, find_bindir

OCTOBER = Month(2026, 10)
SPREAD = 120 * 86400  # completions spread over 120 days from 1 August
PLANS = ("starter", "professional", "enterprise")

# The numbers 1..N, and the instant `seconds` after 1 August 2026 (UTC) in each database's own syntax.
SERIES = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :total) ",
    "postgresql": "WITH n(x) AS (SELECT generate_series(1, :total)::bigint) ",
}
INSTANT = {
    "sqlite": "strftime('%Y-%m-%d %H:%M:%S.000000', '2026-08-01', '+' || ({}) || ' seconds')",
    "postgresql": "(timestamptz '2026-08-01 00:00:00+00' + make_interval(secs => ({})))",
}
TICKETS = """
INSERT INTO ticket (sr_number, kind, status, attachments_none, missing_fields, opened_at, updated_at, completed_at,
                    priority, plan, customer_id, assignee_id, resolved_at, closed_at, satisfaction_score)
SELECT x, 'incident', CASE WHEN x % 7 = 0 THEN 'open' ELSE 'closed' END, {false}, '[]', {completed}, {completed},
       {completed}, 'S' || (x % 4 + 1), CASE (x % 20) % 3 WHEN 0 THEN 'starter' WHEN 1 THEN 'professional'
       ELSE 'enterprise' END, x % 20 + 1, x % 30 + 1,
       CASE WHEN x % 7 = 0 THEN NULL ELSE {resolved} END, CASE WHEN x % 7 = 0 THEN NULL ELSE {closed} END,
       CASE WHEN x % 7 <> 0 AND x % 3 = 0 THEN x % 5 + 1 END
FROM n
"""
DEADLINES = """
INSERT INTO ticket_deadline (ticket_id, target, started_at, due_at, state, stopped_at, decided_at, elapsed_seconds)
SELECT x, 'response', {completed}, {response_due},
       CASE WHEN x % 10 = 0 THEN 'breached' ELSE 'met' END, {responded},
       CASE WHEN x % 10 = 0 THEN {response_due} ELSE {responded} END, (x * 7919) % 36000
FROM n
UNION ALL
SELECT x, 'resolution', {completed}, {resolution_due},
       CASE WHEN x % 7 = 0 THEN 'running' WHEN x % 13 = 0 THEN 'breached' ELSE 'met' END,
       CASE WHEN x % 7 = 0 THEN NULL ELSE {resolved} END,
       CASE WHEN x % 7 = 0 THEN NULL WHEN x % 13 = 0 THEN {resolution_due} ELSE {resolved} END,
       CASE WHEN x % 7 = 0 THEN NULL ELSE (x * 104729) % 200000 END
FROM n
"""
OUTAGES = """
INSERT INTO outage (customer_id, title, started_at, ended_at)
SELECT CASE WHEN x % 3 = 0 THEN NULL ELSE x % 20 + 1 END, 'Outage ' || x, {start}, {end} FROM n
"""
MAINTENANCE = """
INSERT INTO maintenance_window (customer_id, title, starts_at, ends_at, planned)
SELECT NULL, 'Window ' || x, {start}, {end}, {true} FROM n
"""


def fill(database: Database, total: int) -> None:
    backend = database.backend
    step = max(1, SPREAD // total)

    def at(seconds: str) -> str:
        return INSTANT[backend].format(seconds)

    completed = f"x * {step}"
    values = {
        "false": "false" if backend == "postgresql" else "0",
        "true": "true" if backend == "postgresql" else "1",
        "completed": at(completed),
        "responded": at(f"{completed} + (x * 7919) % 36000"),
        "response_due": at(f"{completed} + 28800"),
        "resolved": at(f"{completed} + (x * 104729) % 200000"),
        "resolution_due": at(f"{completed} + 86400"),
        "closed": at(f"{completed} + (x * 104729) % 200000 + 3600"),
        "start": at("x * 69120"),
        "end": at("x * 69120 + (x * 37) % 7200 + 60"),
    }
    with database.write() as session:
        run = session.connection().execute
        for number in range(1, 21):
            customer = {"name": f"Customer {number:02d}", "plan": PLANS[number % 3], "at": "2026-01-01 00:00:00"}
            run(text("INSERT INTO customer (name, plan, created_at) VALUES (:name, :plan, :at)"), customer)
        for number in range(1, 31):
            run(text("INSERT INTO agent (slack_user_id, name, level, active) VALUES (:user, :name, 'L1', :on)"),
                {"user": f"U{number:08d}", "name": f"Agent {number:02d}", "on": True})  # fmt: skip
        run(text(SERIES[backend] + TICKETS.format(**values)), {"total": total})
        run(text(SERIES[backend] + DEADLINES.format(**values)), {"total": total})
        run(text(SERIES[backend] + OUTAGES.format(**values)), {"total": 150})
        run(text(SERIES[backend] + MAINTENANCE.format(**values).replace("x * 69120", "x * 518400")), {"total": 20})
    with database.write() as session:
        session.connection().exec_driver_sql("ANALYZE")


def desk(folder: Path) -> DeskConfig:
    customers = "".join(
        f'[[customers]]\nname = "Customer {n:02d}"\nplan = "{PLANS[n % 3]}"\nemail_domains = ["c{n}.example"]\n'
        for n in range(1, 21)
    )
    text_ = 'policy = "k0nsult"\n[slack]\nintake_channel = "C0INTAKE01"\nagents_channel = "C0AGENTS01"\n'
    text_ += f'[agents]\nusers = ["U0AGENT001"]\n{customers}'
    return parse_desk_config(text_, source="bench.toml", folder=folder)


def best_of(rounds: int, work: Callable[[], object]) -> float:
    work()  # warm-up: the database's cache, Python's imports
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def whole(database: Database, config: DeskConfig) -> None:
    report = build_report(database, config, OCTOBER)
    formatted(report, "text")
    formatted(report, "json")


def customer_report(database: Database, config: DeskConfig) -> None:
    formatted(build_report(database, config, OCTOBER, customer="Customer 07"), "text")


def peak_mb(database: Database, config: DeskConfig) -> float:
    whole(database, config)  # warm-up: templates compiled, modules imported
    tracemalloc.start()
    whole(database, config)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1024 / 1024


def measure(make: Callable[[str], Database], total: int, config: DeskConfig, say: Callable[[str], None]) -> dict:
    figures: dict = {}
    for size, name in ((total // 10, "small"), (total, "full")):
        database = make(name)
        upgrade(database)
        say(f"{database.backend}: filling {size:,} requests ...")
        started = time.perf_counter()
        fill(database, size)
        figures[f"fill {name}"] = time.perf_counter() - started
        figures[f"memory {name}"] = peak_mb(database, config)
        if name == "full":
            with database.read() as session:
                decided = (
                    session.connection()
                    .execute(
                        text("SELECT count(*) FROM ticket_deadline WHERE decided_at >= :a AND decided_at < :b"),
                        {"a": "2026-09-30 22:00:00.000000", "b": "2026-10-31 23:00:00.000000"},
                    )
                    .scalar_one()
                )
            figures["decided"] = decided
            say(f"{database.backend}: measuring ...")
            figures["report"] = best_of(3, partial(whole, database, config))
            figures["customer"] = best_of(3, partial(customer_report, database, config))
        database.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    arguments = parser.parse_args()

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    goals = {"sqlite": 30.0, "postgresql": 10.0}
    print("| backend | requests | decided in October | fill | report (text + JSON), best of 3 | one customer's "
          "report | peak memory, N/10 / N | goal |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- |", flush=True)

    def row(backend: str, f: dict) -> None:
        verdict = "met" if f["report"] < goals[backend] else "MISSED"
        print(
            f"| {backend} | {arguments.requests:,} | {f['decided']:,} deadlines | {f['fill full']:.0f} s "
            f"| {f['report']:.2f} s | {f['customer']:.2f} s | {f['memory small']:.1f} MB / {f['memory full']:.1f} MB "
            f"| < {goals[backend]:.0f} s: {verdict} |",
            flush=True,
        )

    with tempfile.TemporaryDirectory() as folder:
        config = desk(Path(folder))
        if arguments.backend in ("sqlite", "both"):
            sqlite = measure(
                lambda name: Database.from_url(f"sqlite:///{folder}/{name}.db"), arguments.requests, config, say
            )
            row("sqlite", sqlite)
        if arguments.backend in ("postgresql", "both"):
            bindir = find_bindir()
            if bindir is None:
                sys.exit("PostgreSQL not found: install Debian's postgresql package")
            server = PostgresServer.start(bindir, durable=True)
            try:
                make = server.create_database
                row("postgresql", measure(lambda name: Database.from_url(make(name)), arguments.requests, config, say))
            finally:
                server.stop()


if __name__ == "__main__":
    main()
