"""Reply latency and crash recovery, run on demand (not collected by pytest):
`python tests/perf/bench_latency.py [--backend sqlite|postgresql|both] [--quick]`.

The bot runs as production runs it: `frontdesk run --http` (the receiver, the inbox worker and the delivery worker
as threads of one process) in a child process (tests/bot/bot_process.py), against the Slack emulator in this
process, which answers every Web API call in 250 ms (`emulator.latency`). The database is a temporary SQLite file
migrated with storage.migrate.upgrade, or a database on a temporary durable PostgreSQL server
(tests/storage/postgres.py).

1. DMs at 20, 50 and 100 per second, STEP seconds each (QUICK_STEP with --quick), each from a requester of its
   own, so each opens a request in a conversation of its own and needs its own users.info. Sent open loop: every
   DM has a scheduled send time and SENDERS threads send them, signed over HTTP as Slack does. A DM's latency runs
   from its scheduled time to the moment the emulator received the bot's first chat.postMessage in that DM
   (`Call.received`), so a bot that falls behind is charged for its queue. A step ends when every DM and click
   has its answer and the inbox and outbox are idle, or after DRAIN; the next step starts from an idle bot.
   Nothing lost: every DM answered (a DM not answered within DRAIN counts as infinitely late). Nothing twice:
   each DM got exactly one intake status message, and no message of an outbox row (its idempotency key rides in
   the message metadata) was posted twice in it. `replies/s` is the pace of first replies over the step, from the
   first to the last: what the bot sustains once it is behind.
2. Clicks: CLICKS `/support` commands per step, evenly spread among the DMs, from people of their own; latency from
   the command's scheduled send to the emulator receiving its views.open (matched by trigger id), and whether
   Slack opened the view. Goal: p99 < 1 s and never over 3 s (the trigger's life), over every click of a backend.
3. Recovery: a fresh bot gets a burst of RECOVERY DMs (all acked, so stored); once a quarter of them are
   answered it is killed with SIGKILL, its inbox and outbox leases left held, and a new bot is started. Measured
   from the new process's start (just before it is spawned): its first reply in a DM whose inbox row the dead
   one held, its last such reply, every DM of the burst answered, and every outbox row the dead one held sent
   (by the row's sent_at), waiting at most RECOVERY_WAIT. Also shown: how many DMs were still unanswered at the
   kill, and the dead bot's pace of first replies until then, since every DM answered takes at least that backlog
   at that pace. Nothing lost, nothing twice. Goal: all under 10 s.

Prints one row per step as it ends, then the recovery of each backend; then whether the goals hold.
"""

import argparse
import math
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlmodel import col, select

from slack_emulator import Call, Channel, Delivery, SlackEmulator, SlackSide, User, Workspace
from storage import inbox, outbox
from storage.engine import Database
from storage.kinds import InboxState, OutboxState
from storage.migrate import upgrade
from storage.tables import InboxItem, OutboxItem
from tests.bot.bot_process import BotProcess
from tests.storage.postgres import PostgresServer, find_bindir

LATENCY = 0.25  # every Web API answer, in seconds
RATES = (20, 50, 100)  # DMs per second
STEP, QUICK_STEP = 10.0, 2.0  # seconds of sending per rate
CLICKS, QUICK_CLICKS = 5, 3  # /support commands per step
RECOVERY, QUICK_RECOVERY = 100, 40  # DMs in the burst of the recovery run
RECOVERY_RATE = 50
SENDERS = 16
DRAIN = 900.0  # the longest a step may take to be answered once sent
RECOVERY_WAIT = 420.0  # far past the 8-second leases: a recovery that waited out a long lease would still show
CLICK_P99, CLICK_MAX, RECOVERY_GOAL = 1.0, 3.0, 10.0
STATUS_KEY = re.compile(r"ticket:\d+:status")


# -- what the emulator saw -----------------------------------------------------------------------------------


@dataclass
class Seen:
    """The emulator's call log, read incrementally: first replies per DM, status messages, posts per key, views."""

    read: int = 0
    first_reply: dict[str, Call] = field(default_factory=dict)  # DM channel -> its first chat.postMessage
    statuses: Counter[str] = field(default_factory=Counter)  # DM channel -> intake status messages posted
    posted: Counter[tuple[str, str]] = field(default_factory=Counter)  # (channel, outbox key) -> times posted
    views: dict[str, Call] = field(default_factory=dict)  # trigger id -> its first views.open

    def update(self, calls: list[Call]) -> None:
        for call in calls[self.read :]:
            if call.method == "chat.postMessage" and call.ok:
                channel = str(call.arg("channel"))
                self.first_reply.setdefault(channel, call)
                key = str(((call.arg("metadata") or {}).get("event_payload") or {}).get("key") or "")
                self.posted[channel, key] += 1
                self.statuses[channel] += bool(STATUS_KEY.fullmatch(key))
            elif call.method == "views.open":
                self.views.setdefault(str(call.arg("trigger_id")), call)
        self.read = len(calls)

    def covers(self, calls: list[Call], channels: list[str], triggers: list[str]) -> bool:
        self.update(calls)
        return all(c in self.first_reply for c in channels) and all(t in self.views for t in triggers)

    def twice(self, channels: list[str]) -> int:
        """How many messages were posted more than once in these channels."""
        wanted = set(channels)
        return sum(1 for (channel, _), times in self.posted.items() if channel in wanted and times > 1)


def await_answers(emulator: SlackEmulator, seen: Seen, channels: list[str], triggers: list[str], wait: float) -> None:
    """Until every DM channel has a reply and every trigger its views.open, or `wait` seconds."""
    try:
        emulator.wait_for(lambda calls: seen.covers(calls, channels, triggers), timeout=wait)
    except TimeoutError:
        seen.update(emulator.calls())  # what is missing is counted as lost


def idle(database: Database) -> bool:
    with database.read() as session:
        rows, messages = inbox.inbox_counts(session), outbox.outbox_counts(session)
    busy = rows.get(InboxState.PENDING, 0) + rows.get(InboxState.PROCESSING, 0)
    return busy + messages.get(OutboxState.PENDING, 0) + messages.get(OutboxState.SENDING, 0) == 0


def await_idle(database: Database, until: float) -> None:
    while not idle(database) and time.time() < until:
        time.sleep(0.25)  # a measurement's end, read from the database; nothing waits on it to go on


# -- the people and the senders ------------------------------------------------------------------------------


def people(workspace: Workspace, prefix: str, count: int) -> list[tuple[User, Channel]]:
    """`count` new people, each with their DM with the bot opened."""
    made = []
    for n in range(count):
        user = workspace.add_user(f"{prefix}{n}", real_name=f"Person {prefix}{n}", email=f"{prefix}{n}@c.example")
        made.append((user, workspace.open_im(user)))
    return made


def send_open_loop(schedule: list[tuple[float, Callable[[], Delivery]]]) -> list[Delivery | None]:
    """Each send at its scheduled wall-clock time, by SENDERS threads; what each got back."""
    results: list[Delivery | None] = [None] * len(schedule)

    def sender(index: int) -> None:
        for number in range(index, len(schedule), SENDERS):
            due, send = schedule[number]
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)  # pacing, not synchronisation
            results[number] = send()

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def dm_sends(
    slack: SlackSide, senders: list[tuple[User, Channel]], start: float, rate: float
) -> list[tuple[float, Callable[[], Delivery]]]:
    def send(user: User) -> Callable[[], Delivery]:
        return lambda: slack.dm(user, f"{user.name}: the dashboard is blank since this morning").deliveries[0]

    return [(start + n / rate, send(user)) for n, (user, _) in enumerate(senders)]


# -- results -------------------------------------------------------------------------------------------------


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else math.nan


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else math.nan
    return statistics.quantiles(values, n=100, method="inclusive")[98]


@dataclass
class StepResult:
    rate: int
    sent: int
    acked: int
    latencies: list[float]  # per DM; inf when not answered
    once: bool
    twice: int
    clicks: list[float]  # per command; inf when no views.open came
    opened: int  # views Slack opened (the trigger still alive)
    pace: float  # first replies per second, from the step's first to its last

    @property
    def lost(self) -> int:
        return sum(1 for x in self.latencies if math.isinf(x))


def dm_step(
    emulator: SlackEmulator,
    slack: SlackSide,
    database: Database,
    seen: Seen,
    rate: int,
    seconds: float,
    clicks: int,
    step: int,
) -> StepResult:
    ws = emulator.workspace
    senders = people(ws, f"r{step}x", int(rate * seconds))
    clickers = people(ws, f"c{step}x", clicks)
    start = time.time() + 0.5
    schedule = dm_sends(slack, senders, start, rate)
    for k, (user, im) in enumerate(clickers):
        due = start + (k + 0.5) * seconds / clicks

        def command(user: User = user, im: Channel = im) -> Delivery:
            return slack.slash_command("/support", user, im)

        schedule.append((due, command))
    schedule.sort(key=lambda item: item[0])
    dues = [due for due, _ in schedule]
    results = send_open_loop(schedule)
    commands = [(dues[n], d) for n, d in enumerate(results) if d is not None and d.kind == "slash_commands"]
    channels = [im.id for _, im in senders]
    triggers = [str(d.payload["trigger_id"]) for _, d in commands]
    await_answers(emulator, seen, channels, triggers, DRAIN)
    await_idle(database, time.time() + 60)
    dm_dues = [start + n / rate for n in range(len(senders))]
    latencies = [
        arrival(seen.first_reply[c]) - due if c in seen.first_reply else math.inf
        for c, due in zip(channels, dm_dues, strict=True)
    ]
    click_latencies = [
        arrival(seen.views[t]) - due if t in seen.views else math.inf
        for t, (due, _) in zip(triggers, commands, strict=True)
    ]
    acked = sum(1 for d in results if d is not None and d.kind == "events_api" and d.acked)
    return StepResult(
        rate=rate,
        sent=len(senders),
        acked=acked,
        latencies=latencies,
        once=all(seen.statuses[c] == 1 for c in channels),
        twice=seen.twice(channels),
        clicks=click_latencies,
        opened=sum(1 for t in triggers if t in seen.views and seen.views[t].ok),
        pace=pace([arrival(seen.first_reply[c]) for c in channels if c in seen.first_reply]),
    )


def pace(instants: list[float]) -> float:
    """Events per second from the first of `instants` to the last."""
    return (len(instants) - 1) / (max(instants) - min(instants)) if len(instants) > 1 else math.nan


@dataclass
class RecoveryResult:
    burst: int
    unanswered: int  # DMs of the burst without a reply when the bot was killed
    pace: float  # first replies per second by the dead bot before the kill
    leased_rows: int  # inbox rows the dead bot held
    leased_messages: int  # outbox rows the dead bot held
    first_leased: float  # seconds from the new bot's start to its first reply in a DM of a leased row
    last_leased: float
    all_answered: float
    held_sent: float  # to the last outbox row the dead one held sent
    lost: int
    twice: int
    once: bool

    @property
    def figures(self) -> list[float]:
        return [self.first_leased, self.last_leased, self.all_answered, self.held_sent]

    @property
    def met(self) -> bool:
        return (
            self.lost == 0
            and self.twice == 0
            and self.once
            and all(x < RECOVERY_GOAL for x in self.figures if not math.isnan(x))
        )


def recovery(
    emulator: SlackEmulator, database: Database, url: str, folder: Path, seen: Seen, burst: int
) -> RecoveryResult:
    senders = people(emulator.workspace, "k", burst)
    channels = [im.id for _, im in senders]

    def a_quarter_answered(calls: list[Call]) -> bool:
        seen.update(calls)
        return sum(c in seen.first_reply for c in channels) >= burst // 4

    with bot(emulator, url, folder) as dead:
        slack = SlackSide.over_http(emulator, str(dead.url))
        send_open_loop(dm_sends(slack, senders, time.time() + 0.2, RECOVERY_RATE))
        emulator.wait_for(a_quarter_answered, timeout=DRAIN)
        dead.kill()
    before = [arrival(seen.first_reply[c]) for c in channels if c in seen.first_reply]
    with database.read() as session:
        rows = session.exec(select(InboxItem.key).where(col(InboxItem.state) == InboxState.PROCESSING.value)).all()
        sending = select(OutboxItem.id).where(col(OutboxItem.state) == OutboxState.SENDING.value)
        held = [row for row in session.exec(sending) if row is not None]
    leased = [key.split(":")[1] for key in rows if key.startswith("message:") and key.split(":")[1] in channels]
    with bot(emulator, url, folder) as new:
        await_answers(emulator, seen, channels, [], RECOVERY_WAIT)
        while time.time() < new.started + RECOVERY_WAIT and not all_sent(database, held):
            time.sleep(0.25)  # a measurement's end, read from the database
        with database.read() as session:
            sent_at = session.exec(select(OutboxItem.sent_at).where(col(OutboxItem.id).in_(held))).all()
        new.stop()
    answered = [arrival(seen.first_reply[c]) for c in channels if c in seen.first_reply]
    after = [arrival(seen.first_reply[c]) for c in leased if c in seen.first_reply]
    sent = [moment.timestamp() for moment in sent_at if moment is not None]
    return RecoveryResult(
        burst=burst,
        unanswered=burst - len(before),
        pace=pace(before),
        leased_rows=len(leased),
        leased_messages=len(held),
        first_leased=min(after) - new.started if after else math.inf if leased else math.nan,
        last_leased=span(after, len(leased), new.started),
        all_answered=span(answered, burst, new.started),
        held_sent=span(sent, len(held), new.started),
        lost=burst - len(answered),
        twice=seen.twice(channels),
        once=all(seen.statuses[c] == 1 for c in channels),
    )


def arrival(call: Call) -> float:
    """When the emulator received the call (on its wall clock)."""
    assert call.received is not None  # every Web API call records it
    return call.received


def span(instants: list[float], expected: int, start: float) -> float:
    """Seconds from `start` to the last of `expected` instants: NaN when none was expected, inf when some are
    missing."""
    if expected == 0:
        return math.nan
    return max(instants) - start if len(instants) == expected else math.inf


def all_sent(database: Database, ids: list[int]) -> bool:
    with database.read() as session:
        states = session.exec(select(OutboxItem.state).where(col(OutboxItem.id).in_(ids))).all()
    return all(state == OutboxState.SENT.value for state in states)


# -- a backend's run ---------------------------------------------------------------------------------------------


def bot(emulator: SlackEmulator, url: str, folder: Path) -> BotProcess:
    return BotProcess.start(
        emulator, "run", "--http", "--host", "127.0.0.1", "--port", "0", database_url=url, folder=folder
    )


@contextmanager
def database_url(backend: str, folder: Path) -> Iterator[str]:
    """A migrated database: a SQLite file in `folder`, or a database on a temporary durable PostgreSQL server."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / 'frontdesk.db'}"
        migrated(url)
        yield url
        return
    bindir = find_bindir()
    if bindir is None:
        raise SystemExit("PostgreSQL binaries (initdb, pg_ctl) not found: install Debian's postgresql package")
    server = PostgresServer.start(bindir, durable=True)
    try:
        url = server.create_database("frontdesk_bench")
        migrated(url)
        yield url
    finally:
        server.stop()


def migrated(url: str) -> None:
    database = Database.from_url(url)
    upgrade(database)
    database.dispose()


def run_backend(backend: str, quick: bool) -> tuple[list[StepResult], RecoveryResult]:
    seconds, clicks = (QUICK_STEP, QUICK_CLICKS) if quick else (STEP, CLICKS)
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as name, SlackEmulator(Workspace.example()) as emulator:
        folder = Path(name)
        emulator.latency = LATENCY
        with database_url(backend, folder) as url:
            database = Database.from_url(url)
            seen = Seen()
            steps = []
            with bot(emulator, url, folder) as running:
                slack = SlackSide.over_http(emulator, str(running.url))
                for number, rate in enumerate(RATES, start=1):
                    result = dm_step(emulator, slack, database, seen, rate, seconds, clicks, number)
                    steps.append(result)
                    print_step(backend, result)
                running.stop()
            recovered = recovery(emulator, database, url, folder, seen, QUICK_RECOVERY if quick else RECOVERY)
            database.dispose()
    return steps, recovered


# -- printing ------------------------------------------------------------------------------------------------


def seconds_text(value: float) -> str:
    return "-" if math.isnan(value) else ("never" if math.isinf(value) else f"{value:.2f}")


def print_step_header() -> None:
    print(f"{'backend':<10} {'DMs/s':>5} {'DMs':>5} {'acked':>5} {'lost':>4} {'p50 s':>7} {'p99 s':>7} {'max s':>7} "
          f"{'once':>4} {'twice':>5} {'replies/s':>9} | {'clicks':>6} {'p50 s':>6} {'p99 s':>6} {'max s':>6} "
          f"{'opened':>6}")  # fmt: skip
    print("-" * 124)


def print_step(backend: str, r: StepResult) -> None:
    lat, clk = r.latencies, r.clicks
    print(f"{backend:<10} {r.rate:>5} {r.sent:>5} {r.acked:>5} {r.lost:>4} {seconds_text(p50(lat)):>7} "
          f"{seconds_text(p99(lat)):>7} {seconds_text(max(lat)):>7} {'yes' if r.once else 'NO':>4} {r.twice:>5} "
          f"{r.pace:>9.1f} | {len(clk):>6} {seconds_text(p50(clk)):>6} {seconds_text(p99(clk)):>6} "
          f"{seconds_text(max(clk)):>6} {r.opened:>6}", flush=True)  # fmt: skip


def print_recoveries(recoveries: dict[str, RecoveryResult]) -> None:
    print("recovery after kill -9 (seconds from the new bot's start; held: leased by the dead bot)")
    print(f"{'backend':<10} {'burst':>5} {'unanswered':>10} {'dead bot replies/s':>18} {'held rows':>9} "
          f"{'held msgs':>9} {'1st held reply':>14} {'held DMs done':>13} {'all answered':>12} "
          f"{'held msgs sent':>14} {'lost':>4} {'twice':>5} {'once':>4}")  # fmt: skip
    print("-" * 136)
    for backend, r in recoveries.items():
        print(f"{backend:<10} {r.burst:>5} {r.unanswered:>10} {r.pace:>18.1f} {r.leased_rows:>9} "
              f"{r.leased_messages:>9} {seconds_text(r.first_leased):>14} {seconds_text(r.last_leased):>13} "
              f"{seconds_text(r.all_answered):>12} {seconds_text(r.held_sent):>14} {r.lost:>4} {r.twice:>5} "
              f"{'yes' if r.once else 'NO':>4}")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_STEP:g} s per step, a smaller burst")
    arguments = parser.parse_args()
    backends = ("sqlite", "postgresql") if arguments.backend == "both" else (arguments.backend,)
    seconds = QUICK_STEP if arguments.quick else STEP
    print(f"Slack answers in {LATENCY * 1000:.0f} ms; {seconds:g} s per step, {SENDERS} sender threads, open loop; "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the start")  # fmt: skip
    print_step_header()
    runs = {backend: run_backend(backend, arguments.quick) for backend in backends}
    print()
    print_recoveries({backend: recovered for backend, (_, recovered) in runs.items()})
    print()
    met = True
    for backend, (steps, recovered) in runs.items():
        clicks = [x for step in steps for x in step.clicks]
        clicks_met = p99(clicks) < CLICK_P99 and max(clicks) < CLICK_MAX
        whole = all(s.lost == 0 and s.twice == 0 and s.once for s in steps)
        print(f"{backend}: nothing lost, nothing twice: {'met' if whole else 'NOT met'}; clicks (p99 < "
              f"{CLICK_P99:g} s, max < {CLICK_MAX:g} s): p99 {seconds_text(p99(clicks))} s, max "
              f"{seconds_text(max(clicks))} s, {'met' if clicks_met else 'NOT met'}; recovery under "
              f"{RECOVERY_GOAL:g} s, nothing lost or twice: {'met' if recovered.met else 'NOT met'}")  # fmt: skip
        met = met and whole and clicks_met and recovered.met
    print(f"goals {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
