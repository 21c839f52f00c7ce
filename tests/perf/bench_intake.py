"""Intake benchmark, run on demand: `python tests/perf/bench_intake.py` (not collected by pytest).

Signed Slack events over HTTP at rising rates to two apps served the same way (waitress with THREADS threads,
through Frontdesk's WSGI routing), each in its own process so that the senders do not share its interpreter lock:
- Frontdesk's receiver (bot.slack.receiver: verify, store in the inbox with group commit, ack) on SQLite as
  configured for production (WAL, synchronous=NORMAL), a temporary file migrated with storage.migrate.upgrade;
- a bare Bolt app with the same signing and process_before_response=True whose listener only acks: the ceiling.
Both servers run for the whole run and each rate is sent to one app, then to the other, so that whatever else
the machine does at the time weighs on both alike; `--rounds` repeats the whole ladder.

Senders are open loop: each event has a scheduled send time (rate x step seconds events, evenly spaced) and
several threads with persistent connections send them; an event's latency runs from its scheduled time to the
answer, so a server that falls behind is charged for the queue it causes. An event not answered 2xx within 3 s
(Slack's patience) is lost. For Frontdesk the inbox is counted after each step: every event stored exactly once.

Prints p50/p99 latency and the achieved rate per step and app, then per round the highest rate each sustained
with p99 < 250 ms and nothing lost (at that rate and every lower one), and whether the goals hold (>= 300
events/s, >= half the bare app's rate of the same round).
"""

import argparse
import hashlib
import hmac
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from sqlalchemy import func
from sqlmodel import col, select

from storage.engine import Database
from storage.migrate import upgrade
from storage.tables import InboxItem

SECRET = "bench-signing-secret"
TEAM, APP_ID, BOT_USER, BOT_ID = "TBENCH0001", "ABENCH0001", "UBENCHBOT1", "BBENCH0001"
RATES = (100, 200, 300, 400, 600, 800, 1000, 1200, 1400, 1600, 2000, 2400)
APPS = ("frontdesk", "bare-bolt")
THREADS = 8  # waitress threads, the same for both apps (bot.process.web.WebServer's default in production)
STEP_SECONDS = 4.0
SENDERS = 16
PATIENCE = 3.0  # Slack's
P99_GOAL = 0.250


# -- the servers (child processes) ---------------------------------------------------------------------------


def serve(kind: str, database_url: str) -> None:
    """Serve one app on a free loopback port, print the port, stop when stdin closes."""
    import logging

    from slack_bolt import App
    from slack_bolt.authorization import AuthorizeResult
    from slack_sdk import WebClient

    from bot.process.web import FrontdeskWsgi, WebServer
    from bot.slack.installation import Installation
    from bot.slack.receiver import build_receiver

    logging.disable(logging.WARNING)
    identity = AuthorizeResult(
        enterprise_id=None, team_id=TEAM, bot_user_id=BOT_USER, bot_id=BOT_ID, bot_token="xoxb-bench"
    )
    client = WebClient(base_url="http://127.0.0.1:9/")  # never called: nothing is said while receiving
    database = None
    if kind == "frontdesk":
        database = Database.from_url(database_url)
        ours = Installation(team_id=TEAM, app_id=APP_ID)
        app = build_receiver(
            client=client, identity=identity, installation=ours, database=database, clock=lambda: datetime.now(UTC)
        )
    else:
        app = App(
            request_verification_enabled=False,  # the door in front of both apps verifies
            client=client,
            authorize=lambda: identity,
            process_before_response=True,
            logger=logging.getLogger("bench.bare"),
        )

        @app.event("message")
        def acknowledged() -> None:  # events are acked by Bolt once the listener returns
            return None

    with WebServer(FrontdeskWsgi(app, healthy=lambda: True, signing_secret=SECRET), threads=THREADS) as server:
        print(server.port, flush=True)
        sys.stdin.read()
    if database is not None:
        database.dispose()


# -- the senders ---------------------------------------------------------------------------------------------


def event_body(step: int, number: int) -> bytes:
    ts = f"{1_790_000_000 + step}.{number:06d}"
    body = {
        "token": "unused",
        "team_id": TEAM,
        "api_app_id": APP_ID,
        "type": "event_callback",
        "event_id": f"EvB{step:02d}{number:07d}",
        "event_time": int(time.time()),
        "event": {
            "type": "message",
            "channel": f"DBENCH{step:04d}",
            "channel_type": "im",
            "user": "UBENCHUSR1",
            "text": f"Benchmark request {number}: the dashboard is blank",
            "ts": ts,
            "event_ts": ts,
            "client_msg_id": f"bench-{step}-{number}",
        },
    }
    return json.dumps(body).encode()


def signed(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/json",
        "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


@dataclass
class StepResult:
    app: str
    rate: int
    sent: int
    acked: int
    latencies: list[float]
    duration: float
    stored: int | None = None
    distinct: int | None = None

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("inf")

    @property
    def p99(self) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("inf")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[98]

    @property
    def achieved(self) -> float:
        return self.acked / self.duration

    @property
    def lost(self) -> int:
        missing = self.sent - self.acked
        if self.stored is not None:
            missing = max(missing, self.sent - self.stored)
        return missing

    @property
    def exactly_once(self) -> bool:
        return self.stored is None or (self.stored == self.distinct == self.sent)

    @property
    def sustained(self) -> bool:
        return self.lost == 0 and self.exactly_once and self.p99 < P99_GOAL


def send_step(port: int, step: int, rate: int) -> tuple[int, list[float], float]:
    """Send rate x STEP_SECONDS events open loop; the number acked, their latencies, the wall time to the last."""
    total = int(rate * STEP_SECONDS)
    prepared = [event_body(step, n) for n in range(total)]
    headers = [signed(body) for body in prepared]  # signed now: well within Slack's 5 minutes
    latencies: list[list[float]] = [[] for _ in range(SENDERS)]
    acked = [0] * SENDERS
    start = time.perf_counter() + 0.2

    def sender(index: int) -> None:
        connection: http.client.HTTPConnection | None = None
        try:
            for number in range(index, total, SENDERS):
                due = start + number / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)  # pacing, not synchronisation
                if connection is None:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
                try:
                    connection.request("POST", "/slack/events", prepared[number], headers[number])
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except OSError:
                    connection.close()
                    connection = None
                    continue
                latency = time.perf_counter() - due
                if 200 <= status < 300 and latency <= PATIENCE:
                    acked[index] += 1
                    latencies[index].append(latency)
        finally:
            if connection is not None:
                connection.close()

    threads = [threading.Thread(target=sender, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    duration = max(time.perf_counter() - start, STEP_SECONDS)
    return sum(acked), [x for part in latencies for x in part], duration


def count_stored(database: Database, step: int) -> tuple[int, int]:
    prefix = f"message:DBENCH{step:04d}:%"
    statement = select(func.count(), func.count(func.distinct(InboxItem.key))).where(col(InboxItem.key).like(prefix))
    with database.read() as session:
        rows, distinct = session.exec(statement).one()
    return int(rows), int(distinct)


class Server:
    def __init__(self, kind: str, database_url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", kind, "--database-url", database_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.port = int(self.process.stdout.readline())

    def close(self) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()


def run_benchmark(rates: tuple[int, ...], rounds: int) -> list[list[StepResult]]:
    """Each round: every rate, to each app in turn; an app far past its ceiling is spared the higher rates."""
    results: list[list[StepResult]] = []
    with tempfile.TemporaryDirectory(prefix="frontdesk-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'frontdesk.db'}"
        database = Database.from_url(url)
        upgrade(database)
        servers: dict[str, Server] = {}
        try:
            for kind in APPS:
                servers[kind] = Server(kind, url)
            step = 0
            for _ in range(rounds):
                results.append([])
                going = set(APPS)
                for rate in rates:
                    for kind in (kind for kind in APPS if kind in going):
                        step += 1
                        result = run_step(servers[kind].port, kind, step, rate, database)
                        results[-1].append(result)
                        print_row(result)
                        if result.p99 > 2 * PATIENCE / 3 or result.lost > result.sent // 10:
                            going.discard(kind)  # far past its ceiling: higher rates say nothing more
        finally:
            for server in servers.values():
                server.close()
        database.dispose()
    return results


def run_step(port: int, kind: str, step: int, rate: int, database: Database) -> StepResult:
    acked, latencies, duration = send_step(port, step, rate)
    result = StepResult(kind, rate, int(rate * STEP_SECONDS), acked, latencies, duration)
    if kind == "frontdesk":
        result.stored, result.distinct = count_stored(database, step)
    return result


def print_header() -> None:
    print(f"{'app':<10} {'rate/s':>7} {'achieved/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'lost':>5}  stored once")
    print("-" * 64)


def print_row(r: StepResult) -> None:
    once = "-" if r.stored is None else ("yes" if r.exactly_once else f"NO ({r.stored} rows, {r.distinct} keys)")
    print(
        f"{r.app:<10} {r.rate:>7} {r.achieved:>10.0f} {r.p50 * 1000:>8.1f} {r.p99 * 1000:>8.1f} {r.lost:>5}  {once}",
        flush=True,
    )


def best(results: list[StepResult], app: str) -> int:
    """The highest rate sustained with every lower rate sustained too (a lucky step above a failed one is noise)."""
    highest = 0
    for result in (r for r in results if r.app == app):
        if not result.sustained:
            break
        highest = result.rate
    return highest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", choices=APPS, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--rates", default=",".join(map(str, RATES)), help="events per second, comma-separated")
    parser.add_argument("--rounds", type=int, default=1, help="how many times the whole ladder is run")
    arguments = parser.parse_args()
    if arguments.serve:
        serve(arguments.serve, arguments.database_url)
        return 0
    rates = tuple(int(rate) for rate in arguments.rates.split(","))
    print(
        f"{STEP_SECONDS:.0f} s per step, {SENDERS} sender threads, open loop; waitress with {THREADS} threads for "
        f"each app; {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} at the start"
    )
    print_header()
    rounds = run_benchmark(rates, arguments.rounds)
    print()
    goal = f"p99 < {P99_GOAL * 1000:.0f} ms, nothing lost"
    met = 0
    for number, results in enumerate(rounds, start=1):
        frontdesk, bare = best(results, "frontdesk"), best(results, "bare-bolt")
        top = {rate: " (the highest rate tried: at least)" if rate == max(rates) else "" for rate in (frontdesk, bare)}
        goals = frontdesk >= 300 and frontdesk * 2 >= bare
        verdict = "met" if goals else "NOT met"
        if goals and bare == max(rates) and frontdesk < max(rates):
            verdict, goals = "undecided (bare Bolt's ceiling is above the rates tried)", False
        met += goals
        print(
            f"round {number}: highest rate sustained ({goal}): frontdesk {frontdesk}/s{top[frontdesk]}, "
            f"bare Bolt {bare}/s{top[bare]}; goals {verdict}"
        )
    print(f"goals (>= 300 events/s and >= half the bare app's rate): met in {met} of {len(rounds)} round(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
