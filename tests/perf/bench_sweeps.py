"""Sweep benchmark, run on demand: `python tests/perf/bench_sweeps.py` (not collected by pytest).

    python tests/perf/bench_sweeps.py --open 1000000 --due 10000 --backend sqlite|postgres --workers 1|2

`--open` open requests on SQLite (a temporary file migrated to head, production settings) or PostgreSQL (a
durable throwaway cluster, tests/storage/postgres.py), `--due` of them due at once, each past its response
deadline since the sweep came late (three reminders each: 50%, 80%, breach; the breach stored).

Seeding builds rows the services write, not look-alikes: two requests are opened, completed and triaged with the
services (storage.tickets, bot.desk.clocks: their events, deadlines and stored milestones) and swept once when
their clocks started, as the application would (each rescheduled to its first milestone): one opened at 09:00
(due at the benchmark's instant), one ten minutes before it (not due). Then bulk SQL copies them, rows and
columns as they are, but the id, SR number and card thread: the ticket row, its event log and its deadline rows
(audit rows are not copied: no sweep reads them). The cycles' backfill is recorded as done, as on any database
that ran a worker once.

Each worker is a separate process (`--role worker`, like `frontdesk worker`): it opens the database, waits for
the word, runs the milestone sweep at the benchmark's instant (with `--workers 2` both share it: SKIP LOCKED
claims on PostgreSQL), then the application's other sweeps once, and reports the sweep's wall time, the
reminders it said and its peak resident memory (VmHWM). Prints a table; goals: the sweep of 10,000 due among
1,000,000 open under 5 s, two workers on PostgreSQL close to twice the rate, memory under 150 MB.
`--deliver` (SQLite) also delivers what was said to the local Slack emulator at the per-channel pace (the
clock injected and moved to each next try).
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func, text
from sqlmodel import col, select

from bot.actor import ACTOR
from bot.config.desk import DeskConfig, parse_desk_config
from bot.desk import clocks
from bot.desk.reminders import count_milestones, sweep_milestones
from bot.process.schedule import BACKFILL, desk_sweeps
from bot.process.scheduler import Sweeper
from bot.say import Say
from sla import plan
from storage import outbox, sweep_runs, ticket_events, tickets
from storage.engine import Database
from storage.kinds import OutboxState
from storage.migrate import upgrade
from storage.tables import Ticket, TicketDeadline

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Monday 16:00 in Paris
DUE_OPENED, LATER_OPENED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC), NOW - timedelta(minutes=10)
TERMS = [("complete", ""), ("plan", "kpro"), ("kind", "incident"), ("priority", "P4")]
FIRST_COPY = 1000  # copies take SR numbers from here on
SERIES = {
    "sqlite": "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < :count) ",
    "postgresql": "WITH n(x) AS (SELECT generate_series(1, :count)) ",
}
THREAD = {
    "sqlite": "'1790000000.' || printf('%07d', :first + x)",
    "postgresql": "'1790000000.' || lpad((:first + x)::text, 7, '0')",
}


def desk_text() -> str:
    from slack_emulator import Workspace  # here: the workers import none of the benchmark's tools

    workspace = Workspace.example()
    return (
        f'policy = "owkin"\n[slack]\nintake_channel = "{workspace.channel("support").id}"\n'
        f'agents_channel = "{workspace.channel("support-agents").id}"\n'
        f'[agents]\nusers = ["{workspace.user("bob").id}"]\n'
    )


def desk(path: Path) -> DeskConfig:
    return parse_desk_config(path.read_text(), source=path.name, folder=path.parent)


def say_at(config: DeskConfig, now: datetime):
    return lambda session: Say(session, config, now)


def template(database: Database, config: DeskConfig, opened: datetime, number: int) -> int:
    """A request opened, completed and triaged at `opened` by the services, swept once 30 s later; its id."""
    with database.write() as session:
        ticket = tickets.open_ticket(
            session, kind="incident", actor=ACTOR, now=opened, status="open", description=f"Request {number}",
            priority="P4", plan="kpro", completed_at=opened, agents_thread_ts=f"1790000000.{number:07d}",
        )  # fmt: skip
        clocks.record(session, ticket.id, TERMS, at=opened, actor=ACTOR)
        clocks.recompute(session, config.policy, ticket.id, now=opened, actor=ACTOR)
    sweep_milestones(database, config, opened + timedelta(seconds=30), say_at(config, opened))
    return ticket.id


def copy(database: Database, template_id: int, count: int, first: int) -> None:
    """`count` copies of the template's ticket row, event log and deadline rows, SR numbers from `first + 1`."""
    if count <= 0:
        return
    backend = database.backend
    names = [column.name for column in Ticket.__table__.columns if column.name != "id"]  # type: ignore[attr-defined]
    chosen = {
        "sr_number": ":first + x",
        "agents_thread_ts": THREAD[backend],
        "description": "'Request ' || (:first + x)",
    }
    values = ", ".join(chosen.get(name, f"t.{name}") for name in names)
    span = {"first": first, "last": first + count, "template": template_id}
    with database.write() as session:
        connection = session.connection()
        connection.execute(
            text(SERIES[backend] + f"INSERT INTO ticket ({', '.join(names)}) SELECT {values} FROM ticket t, n "
                 "WHERE t.id = :template ORDER BY x"),
            {**span, "count": count},
        )  # fmt: skip
        connection.execute(
            text("INSERT INTO ticket_event (ticket_id, at, kind, value, actor) "
                 "SELECT c.id, e.at, e.kind, e.value, e.actor FROM ticket c, ticket_event e "
                 "WHERE c.sr_number > :first AND c.sr_number <= :last AND e.ticket_id = :template ORDER BY c.id, e.id"),
            span,
        )  # fmt: skip
        deadline = [c.name for c in TicketDeadline.__table__.columns if c.name not in ("id", "ticket_id")]  # type: ignore[attr-defined]
        connection.execute(
            text(f"INSERT INTO ticket_deadline (ticket_id, {', '.join(deadline)}) "
                 f"SELECT c.id, {', '.join('d.' + name for name in deadline)} FROM ticket c, ticket_deadline d "
                 "WHERE c.sr_number > :first AND c.sr_number <= :last AND d.ticket_id = :template ORDER BY c.id, d.id"),
            span,
        )  # fmt: skip


def seed(database: Database, config: DeskConfig, total: int, due: int) -> dict[str, object]:
    """The database the benchmark sweeps (the module's docstring); what the templates stored."""
    late = template(database, config, LATER_OPENED, 2)  # first: its sweep must not find the early one due
    early = template(database, config, DUE_OPENED, 1)
    copy(database, early, due - 1, FIRST_COPY)
    copy(database, late, total - due - 1, FIRST_COPY + due)
    with database.write() as session:
        sweep_runs.record_run(session, BACKFILL, at=NOW - timedelta(days=1))
        session.connection().exec_driver_sql("ANALYZE")
        rows = {row.id: row for row in session.connection().execute(text("SELECT * FROM ticket WHERE id <= 2"))}
        events = len(ticket_events.events_of(session, early))
    stored = plan.decode(rows[early].milestones, config.policy, events=events)
    assert stored is not None, "the due template's milestones are stored"
    assert plan.ahead(stored, NOW) is not None, "the due template's milestones are read, not recomputed"
    next_due = datetime.fromisoformat(str(rows[late].next_change_at)).replace(tzinfo=UTC)
    assert next_due > NOW, f"the later template is not due at {NOW}: {next_due}"
    return {"due_next": rows[early].next_change_at, "later_next": rows[late].next_change_at}


def worker(url: str, config_path: Path, others: bool) -> None:
    """A worker process: sweeps at NOW on the word, then (with `others`) runs the other sweeps; reports JSON."""
    import bot.cli.worker  # noqa: F401  the modules a real `frontdesk worker` loads, for its memory

    config = desk(config_path)
    database = Database.from_url(url)
    with database.read() as session:
        session.connection().execute(text("SELECT 1"))
    ready_hwm = peak_kb()
    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    said = count_milestones(database, config, NOW, say_at(config, NOW))  # as the application's sweep does
    seconds = time.perf_counter() - started
    swept_hwm = peak_kb()
    other_seconds = 0.0
    if others:
        started = time.perf_counter()
        Sweeper(database, desk_sweeps(database, config), lambda: NOW + timedelta(minutes=5)).run_all()
        other_seconds = time.perf_counter() - started
    database.dispose()
    memory = {"VmHWM": peak_kb(), "swept_hwm": swept_hwm, "ready_hwm": ready_hwm}
    print(json.dumps({"said": said, "seconds": seconds, "others": other_seconds, **memory}), flush=True)


def peak_kb() -> int:
    """This process's peak resident memory so far (VmHWM), in kB."""
    status = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(status["VmHWM"].split()[0])


def run_workers(url: str, config_path: Path, count: int) -> tuple[float, list[dict[str, float]]]:
    """`count` worker processes started, told to go at once; the wall time until all swept, and their reports."""
    command = [sys.executable, __file__, "--role", "worker", "--url", url, "--config", str(config_path)]
    processes = [
        subprocess.Popen([*command, *(["--others"] if index == 0 else [])], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
        for index in range(count)
    ]  # fmt: skip
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
    started = time.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    reports = []
    for process in processes:
        assert process.stdout is not None
        reports.append(json.loads(process.stdout.readline()))
        process.wait(timeout=600)
    swept = max(report["seconds"] for report in reports)
    return swept or time.perf_counter() - started, reports


def deliver(database: Database, emulator) -> tuple[float, timedelta, int]:
    """Delivers everything pending with an injected clock; wall seconds, Slack time, rows sent."""
    from bot.delivery.deliverer import Deliverer, delivery_client

    moment = [NOW]
    deliverer = Deliverer(database, delivery_client(emulator.bot_token, emulator.base_url), lambda: moment[0])
    started = time.perf_counter()
    while deliverer.deliver_once(moment[0]) or deliverer.next_due is not None:
        if deliverer.next_due is not None and deliverer.next_due > moment[0]:
            moment[0] = deliverer.next_due
    with database.read() as session:
        sent = outbox.outbox_counts(session).get(OutboxState.SENT, 0)
    return time.perf_counter() - started, moment[0] - NOW, sent


def measure(url: str, folder: Path, arguments: argparse.Namespace) -> list[tuple[str, str]]:
    config_path = folder / "bench.toml"
    config_path.write_text(desk_text())
    config = desk(config_path)
    database = Database.from_url(url)
    upgrade(database)
    print(f"seeding {arguments.open:,} open requests, {arguments.due:,} due ...", file=sys.stderr)
    started = time.perf_counter()
    seeded = seed(database, config, arguments.open, arguments.due)
    seed_seconds = time.perf_counter() - started
    with database.read() as session:
        before = outbox.outbox_counts(session).get(OutboxState.PENDING, 0)
    print("sweeping ...", file=sys.stderr)
    swept, reports = run_workers(url, config_path, arguments.workers)
    said = sum(int(report["said"]) for report in reports)
    with database.read() as session:
        queued = outbox.outbox_counts(session).get(OutboxState.PENDING, 0) - before
        left = session.exec(select(func.count()).where(col(Ticket.next_change_at) <= NOW)).one()
    rows = [
        ("backend", database.backend),
        ("open requests", f"{arguments.open:,}"),
        ("due in the sweep", f"{arguments.due:,}"),
        ("seeding (services for 2, bulk SQL copies)", f"{seed_seconds:.1f} s"),
        ("worker processes sharing the sweep", f"{arguments.workers}"),
        ("reminders said (once each)", f"{said:,}"),
        ("messages enqueued (digests)", f"{queued:,}"),
        ("due left after the sweep", f"{left:,}"),
        ("milestone sweep, wall time", f"{swept:.2f} s (goal < 5 s at 10,000 among 1,000,000)"),
        ("due requests per second", f"{arguments.due / swept:,.0f}"),
        *(
            (f"worker {index + 1}: swept in", f"{report['seconds']:.2f} s, {report['said']:,} said")
            for index, report in enumerate(reports)
        ),
        ("worker 1: the other sweeps once", f"{reports[0]['others']:.2f} s"),
        ("worker 1: peak resident memory, started", f"{reports[0]['ready_hwm'] / 1024:.0f} MB"),
        ("worker 1: peak resident memory, milestone sweep", f"{reports[0]['swept_hwm'] / 1024:.0f} MB"),
        ("worker 1: peak resident memory, all sweeps (VmHWM)", f"{reports[0]['VmHWM'] / 1024:.0f} MB (goal < 150 MB)"),
    ]
    if arguments.deliver:
        from slack_emulator import SlackEmulator, Workspace

        with SlackEmulator(Workspace.example()) as emulator:
            wall, slack_time, sent = deliver(database, emulator)
        rows += [
            ("delivery, wall time of the work", f"{wall:.2f} s"),
            ("delivery, Slack time at the channel pace", f"{slack_time.total_seconds():.0f} s"),
            ("messages delivered", f"{sent:,}"),
        ]
    database.dispose()
    del seeded
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open requests")
    parser.add_argument("--due", type=int, default=1_000, help="of them due at once")
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--workers", type=int, choices=(1, 2), default=1, help="worker processes sharing the sweep")
    parser.add_argument("--deliver", action="store_true", help="deliver what was said to the Slack emulator")
    parser.add_argument("--role", choices=("bench", "worker"), default="bench", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--config", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--others", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.role == "worker":
        worker(arguments.url, arguments.config, arguments.others)
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        if arguments.backend == "sqlite":
            rows = measure(f"sqlite:///{folder}/bench.db", folder, arguments)
        else:
            from tests.storage.postgres import PostgresServer, find_bindir

            bindir = find_bindir()
            if bindir is None:
                sys.exit("PostgreSQL is not installed (set FRONTDESK_PG_BINDIR)")
            server = PostgresServer.start(bindir, durable=True)
            try:
                rows = measure(server.create_database("bench"), folder, arguments)
            finally:
                server.stop()
    width = max(len(name) for name, _ in rows)
    print(f"| {'measure':<{width}} | value |")
    print(f"| {'-' * width} | ----- |")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")


if __name__ == "__main__":
    main()
